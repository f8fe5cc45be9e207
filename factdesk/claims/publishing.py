"""The published record (DESIGN.md §13): publishing freezes what readers see; readers read only that.

A Publication is written once, when an approved claim is published, and holds everything a reader
sees of the check: the quote with its context, the wording, the claimant, when and where it was
said, the rating as it was then (its RatingVersion, and the scale's best and worst), the rationale,
the evidence and the tags. Nothing done on the desk afterwards (revising the article, re-anchoring,
editing, re-rating, renaming a rating) changes it.

A check is public from its first publication on, whatever the claim's state, until its latest
publication is withdrawn: reopened for correction it stays readable as last published; withdrawn,
it answers 410 until a new publication (after reopening and four eyes) replaces the withdrawn one.
`latest_publication()` is the one question every reader-facing page, feed and validator asks.
`is_public()` says in SQL which publication readers see now; `public_checks` (PublicCheck) holds the
same answer one row per check, in the home's order, kept here by `publish` and `withdraw` in their
own transaction and rebuilt from `is_public()` by `relist_public_checks` (the migration, the generator).
"""
from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import and_, delete, exists, func, insert, select
from sqlalchemy.orm import aliased, joinedload

from ..audit import audit
from ..extensions import db
from ..markdown import markdown_text, render_markdown
from ..models import (Claim, ClaimHistory, Publication, PublicationTag, PublicCheck, PublicCheckTag, RatingVersion,
                      Status, User, Withdrawal)
from ..ratings import current_version, scale_bounds


# The conditions are built once: a clause is immutable and reusable, and aliasing Publication again for
# every query cost more than the query itself (SQLAlchemy sets up the alias's columns each time).

@cache
def is_latest():
    """SQL condition on Publication: no later publication of the same claim."""
    later = aliased(Publication)
    return ~exists().where(later.claim_id == Publication.claim_id, later.number > Publication.number)


@cache
def is_withdrawn():
    """SQL condition on Publication: it was taken down (a later publication would be public again)."""
    return exists().where(Withdrawal.publication_id == Publication.id)


@cache
def is_public():
    """SQL condition on Publication: it is what readers see of its check now."""
    return and_(is_latest(), ~is_withdrawn())


def latest_publication(claim_id: int) -> Publication | None:
    """The claim's newest publication (None if never published): what readers see of it unless it
    was withdrawn since (`withdrawal_of`)."""
    return db.session.execute(
        select(Publication).where(Publication.claim_id == claim_id).order_by(Publication.number.desc()).limit(1)
        .options(joinedload(Publication.rating))
    ).scalar_one_or_none()


def withdrawal_of(publication: Publication) -> Withdrawal | None:
    """The withdrawal of this publication (what the 410 page says), or None while it stands."""
    return db.session.execute(
        select(Withdrawal).where(Withdrawal.publication_id == publication.id).order_by(Withdrawal.id.desc()).limit(1)
    ).scalar_one_or_none()


def evidence_as_published(claim: Claim) -> list[dict]:
    return [{"url": e.url, "title": e.title or "", "publisher": e.publisher or "", "excerpt": e.excerpt or "",
             "stance": e.stance.value, "source_type": e.source_type.value,
             "accessed_at": e.accessed_at.isoformat() if e.accessed_at else None, "archive_url": e.archive_url}
            for e in claim.evidence]


def publish(claim: Claim, by: User, now: datetime) -> Publication:
    """Freeze the claim as approved into its next publication (the workflow calls this on approved → published)."""
    last = latest_publication(claim.id)
    number = (last.number if last else 0) + 1
    rating = current_version(claim.rating) if claim.rating is not None else None
    best, worst = scale_bounds()
    is_correction = last is not None and (last.rating_id != claim.rating_id or last.rationale != claim.rationale
                                          or last.summary != claim.summary)
    article = claim.article
    publication = Publication(
        claim_id=claim.id, number=number, quote=claim.quote, prefix=claim.prefix or "", suffix=claim.suffix or "",
        summary=claim.summary or "", claimant=claim.claimant or "", claimed_at=claim.claimed_at,
        article_title=article.title or "", article_url=article.source_url, article_publisher=article.publisher,
        article_author=article.author, article_published_at=article.published_at,
        rating_id=claim.rating_id, rating_version_id=rating.id if rating else None, scale_best=best,
        scale_worst=worst, rationale=claim.rationale or "", rationale_text=markdown_text(claim.rationale),
        rationale_html=str(render_markdown(claim.rationale)),
        evidence=evidence_as_published(claim),
        published_at=now, published_by_id=by.id, is_correction=is_correction,
        correction_reason=_reopen_reason(claim) if is_correction else None)
    db.session.add(publication)
    db.session.flush()
    for tag in claim.tags:
        db.session.add(PublicationTag(publication_id=publication.id, tag=tag))
    if claim.published_at is None:
        claim.published_at = now
    claim.under_review_since = None
    claim.article_changed_at = None
    _unlist(claim.id)  # readers' listing now shows this publication (rows, not objects: none lingers in the session)
    db.session.execute(insert(PublicCheck).values(claim_id=claim.id, publication_id=publication.id,
                                                  first_published_at=claim.published_at,
                                                  rating_label=rating.label if rating else None))
    if claim.tags:
        db.session.execute(insert(PublicCheckTag), [
            {"claim_id": claim.id, "tag": tag, "first_published_at": claim.published_at,
             "publication_id": publication.id, "rating_label": rating.label if rating else None}
            for tag in claim.tags])
    return publication


def withdraw(claim: Claim, by: User, reason: str, now: datetime) -> Withdrawal:
    """Take a published check down (the workflow calls this on published → withdrawn)."""
    latest = latest_publication(claim.id)
    item = Withdrawal(claim_id=claim.id, publication_id=latest.id, withdrawn_at=now, withdrawn_by_id=by.id,
                      reason=reason)
    db.session.add(item)
    _unlist(claim.id)
    audit(by, "check_withdrawn", f"{by.name} withdrew check {claim.id} ({latest.summary or latest.quote!r}): {reason}",
          claim_id=claim.id, publication=latest.number, reason=reason)
    return item


def _unlist(claim_id: int) -> None:
    """The check leaves readers' listing (a new publication then takes its place, or none)."""
    db.session.execute(delete(PublicCheckTag).where(PublicCheckTag.claim_id == claim_id))
    db.session.execute(delete(PublicCheck).where(PublicCheck.claim_id == claim_id))


def relist_public_checks(bind, *, tag_ratings: bool = True) -> int:
    """Rebuild `public_checks` and their tags from the publications `is_public()` says readers see now,
    for rows written without `publish` (a migration, the desk generator's bulk inserts); how many it lists.
    `tag_ratings=False` for migration 0026, before the tags' rows had their rating label (0029)."""
    bind.execute(delete(PublicCheckTag))
    bind.execute(delete(PublicCheck))
    first = func.coalesce(Claim.published_at, Publication.published_at)
    bind.execute(insert(PublicCheck).from_select(
        ["claim_id", "publication_id", "first_published_at", "rating_label"],
        select(Publication.claim_id, Publication.id, first, RatingVersion.label)
        .join(Claim, Claim.id == Publication.claim_id)
        .outerjoin(RatingVersion, RatingVersion.id == Publication.rating_version_id).where(is_public())))
    names = ["claim_id", "tag", "first_published_at", "publication_id"] + (["rating_label"] if tag_ratings else [])
    columns = [PublicationTag.tag if name == "tag" else getattr(PublicCheck, name) for name in names]
    bind.execute(insert(PublicCheckTag).from_select(
        names, select(*columns).join(PublicationTag, PublicationTag.publication_id == PublicCheck.publication_id)))
    return bind.execute(select(func.count()).select_from(PublicCheck)).scalar_one()


def _reopen_reason(claim: Claim) -> str | None:
    """The reason given when the claim was last reopened from published (or withdrawn)."""
    entries = db.session.execute(
        select(ClaimHistory).where(ClaimHistory.claim_id == claim.id, ClaimHistory.action == "transition",
                                   ClaimHistory.field == "status").order_by(ClaimHistory.id.desc())
    ).scalars()
    for entry in entries:
        if entry.before in (Status.published.value, Status.withdrawn.value) and entry.after == Status.researching.value:
            return entry.comment
    return None
