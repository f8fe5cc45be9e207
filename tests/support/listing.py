"""Readers' listing (models.PublicCheck) beside the rule it holds (claims/publishing.is_public)."""
from __future__ import annotations

from sqlalchemy import func, select

from factdesk.claims.publishing import is_public
from factdesk.extensions import db
from factdesk.models import Claim, Publication, PublicationTag, PublicCheck, PublicCheckTag, RatingVersion


def listed() -> set[tuple]:
    """Each listed check: (claim, publication, first published, rating label, its tags)."""
    tags: dict[int, set[str]] = {}
    for claim_id, tag in db.session.execute(select(PublicCheckTag.claim_id, PublicCheckTag.tag)):
        tags.setdefault(claim_id, set()).add(tag)
    rows = db.session.execute(select(PublicCheck.claim_id, PublicCheck.publication_id, PublicCheck.first_published_at,
                                     PublicCheck.rating_label)).all()
    return {(*row, frozenset(tags.get(row[0], ()))) for row in rows}


def what_readers_see() -> set[tuple]:
    """The same, read from the publications `is_public()` picks (and each check's tag rows agree with its row)."""
    stale = db.session.execute(select(func.count()).select_from(PublicCheckTag).join(
        PublicCheck, PublicCheck.claim_id == PublicCheckTag.claim_id).where(
        (PublicCheckTag.first_published_at != PublicCheck.first_published_at)
        | (PublicCheckTag.publication_id != PublicCheck.publication_id)
        | (func.coalesce(PublicCheckTag.rating_label, "") != func.coalesce(PublicCheck.rating_label, "")))).scalar_one()
    assert stale == 0
    rows = db.session.execute(
        select(Publication.id, Publication.claim_id, Claim.published_at, RatingVersion.label)
        .join(Claim, Claim.id == Publication.claim_id)
        .outerjoin(RatingVersion, RatingVersion.id == Publication.rating_version_id).where(is_public())).all()
    tags: dict[int, set[str]] = {}
    for publication_id, tag in db.session.execute(select(PublicationTag.publication_id, PublicationTag.tag)):
        tags.setdefault(publication_id, set()).add(tag)
    return {(claim_id, publication_id, first, label, frozenset(tags.get(publication_id, ())))
            for publication_id, claim_id, first, label in rows}
