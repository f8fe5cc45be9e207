"""What readers may read, as queries with everything their pages touch loaded up front.

A check is public while its claim is in the `published` state. A claim reopened for correction (or
unpublished) is back on the desk and disappears for readers until it is published again; its
earlier published versions (Publication rows) come back with it. Anything else is NotFound — a
reader never learns that unpublished material exists.

Each function costs a fixed number of SQL statements, whatever the data size.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup
from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload, selectinload, undefer

from ..errors import NotFound
from ..extensions import db
from ..models import Article, Claim, ClaimTag, Publication, Rating, Status
from .. import search

NOT_FOUND = "Nothing here."


def _card_options():
    return (joinedload(Claim.rating), joinedload(Claim.article), selectinload(Claim.tag_rows))


@dataclass
class CheckList:
    claims: list[Claim]
    page: int
    per_page: int
    has_next: bool
    total: int | None = None  # known only for a search whose hits all fit up to this page
    snippets: dict[int, Markup] = field(default_factory=dict)


def latest_checks(*, q: str = "", rating: str | None = None, tag: str | None = None, page: int = 1,
                  per_page: int = 20) -> CheckList:
    """Published checks, newest first or (with q) best match first, filtered by rating label and tag."""
    filters = []
    if rating:
        filters.append(Claim.rating.has(Rating.label == rating))
    if tag:
        filters.append(exists().where(ClaimTag.claim_id == Claim.id, ClaimTag.tag == tag))
    if search.has_terms(q):
        found = search.search_public(q, page, per_page, *filters, options=_card_options(), count=False)
        claims = [hit.obj for hit in found.items if hit.obj is not None]
        has_next = page * per_page < found.total
        return CheckList(claims, page, per_page, has_next, None if has_next else found.total,
                         {hit.id: hit.snippet for hit in found.items})
    rows = db.session.execute(
        select(Claim).options(*_card_options()).where(Claim.status == Status.published, *filters)
        .order_by(Claim.published_at.desc(), Claim.id.desc()).limit(per_page + 1).offset((page - 1) * per_page)
    ).unique().scalars().all()
    return CheckList(rows[:per_page], page, per_page, len(rows) > per_page)


def published_check(claim_id: int) -> Claim:
    """A published claim with its article, rating, evidence, tags and every publication."""
    claim = db.session.execute(
        select(Claim).where(Claim.id == claim_id, Claim.status == Status.published)
        .options(joinedload(Claim.article), joinedload(Claim.rating), selectinload(Claim.evidence),
                 selectinload(Claim.tag_rows),
                 selectinload(Claim.publications).joinedload(Publication.rating))
    ).unique().scalar_one_or_none()
    if claim is None:
        raise NotFound(NOT_FOUND)
    return claim


def quote_context(claim: Claim) -> tuple[str, str]:
    """The words around the quote (from its stored prefix and suffix), without a cut word at the ends."""
    before, after = claim.prefix or "", claim.suffix or ""
    if len(before) >= 32 and " " in before.strip():
        before = before[before.index(" ", 1 if before[0] == " " else 0):]
    if len(after) >= 32 and " " in after.strip():
        after = after[:after.rindex(" ", 0, len(after.rstrip()))]
    # Only the quote's own paragraph.
    return before.rsplit("\n", 1)[-1], after.split("\n", 1)[0]


def publication(claim: Claim, number: int) -> Publication:
    for item in claim.publications:
        if item.number == number:
            return item
    raise NotFound(NOT_FOUND)


@dataclass
class Change:
    """What a correction changed, against the version published before it."""

    publication: Publication
    previous: Publication | None

    @property
    def rating_changed(self) -> bool:
        return self.previous is not None and self.previous.rating_id != self.publication.rating_id

    @property
    def rationale_changed(self) -> bool:
        return self.previous is not None and self.previous.rationale != self.publication.rationale

    @property
    def wording_changed(self) -> bool:
        return self.previous is not None and self.previous.summary != self.publication.summary


def corrections_of(claim: Claim) -> list[Change]:
    """The corrections of a check, newest first."""
    items = list(claim.publications)
    changes = [Change(p, items[i - 1] if i else None) for i, p in enumerate(items) if p.is_correction]
    return list(reversed(changes))


def article_summary(article_id: int) -> tuple[Article, list[Claim]]:
    """An article with its published claims; NotFound when none of its claims is published."""
    claims = db.session.execute(
        select(Claim).where(Claim.article_id == article_id, Claim.status == Status.published)
        .options(joinedload(Claim.rating), selectinload(Claim.tag_rows)).order_by(Claim.anchor_start, Claim.id)
    ).unique().scalars().all()
    if not claims:
        raise NotFound(NOT_FOUND)
    article = db.session.execute(select(Article).where(Article.id == article_id).options(undefer(Article.text))
                                 ).scalar_one()
    return article, claims


def all_corrections(*, page: int = 1, per_page: int = 50) -> tuple[list[Change], bool]:
    """Every correction of a check readers can see, newest first."""
    rows = db.session.execute(
        select(Publication).join(Claim, Claim.id == Publication.claim_id)
        .where(Publication.is_correction, Claim.status == Status.published)
        .options(joinedload(Publication.rating), joinedload(Publication.claim).joinedload(Claim.article),
                 joinedload(Publication.claim).selectinload(Claim.publications).joinedload(Publication.rating))
        .order_by(Publication.published_at.desc(), Publication.id.desc())
        .limit(per_page + 1).offset((page - 1) * per_page)
    ).unique().scalars().all()
    changes = []
    for item in rows[:per_page]:
        earlier = [p for p in item.claim.publications if p.number < item.number]
        changes.append(Change(item, earlier[-1] if earlier else None))
    return changes, len(rows) > per_page


def feed_publications(limit: int = 50) -> list[Publication]:
    """The newest publications (first publications and corrections) of visible checks."""
    return db.session.execute(
        select(Publication).join(Claim, Claim.id == Publication.claim_id)
        .where(Claim.status == Status.published)
        .options(joinedload(Publication.rating),
                 joinedload(Publication.claim).joinedload(Claim.article),
                 joinedload(Publication.claim).selectinload(Claim.publications).joinedload(Publication.rating))
        .order_by(Publication.published_at.desc(), Publication.id.desc()).limit(limit)
    ).unique().scalars().all()


SITEMAP_LIMIT = 50_000  # the sitemaps.org limit of URLs in one file


def sitemap_rows():
    """(checks, articles): the ids, wording and dates the sitemap needs, nothing more."""
    checks = db.session.execute(
        select(Claim.id, Claim.summary, Claim.quote, Claim.published_at, Claim.article_id)
        .where(Claim.status == Status.published).order_by(Claim.published_at.desc()).limit(SITEMAP_LIMIT)
    ).all()
    articles = db.session.execute(
        select(Article.id, Article.title, func.max(Claim.published_at).label("published_at"))
        .join(Claim, Claim.article_id == Article.id).where(Claim.status == Status.published)
        .group_by(Article.id, Article.title).order_by(Article.id).limit(SITEMAP_LIMIT)
    ).all()
    return checks, articles
