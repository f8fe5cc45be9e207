"""What readers may read, as queries with everything their pages touch loaded up front.

Readers see publications only (DESIGN.md §13, claims/publishing.py): a check is public from its first
publication until its latest one is withdrawn, whatever happens to the claim on the desk meanwhile.
Reopened for correction, a check shows its latest publication with an "under review" notice;
withdrawn, it answers 410 with the date and the reason. Anything never published is NotFound — a
reader never learns that unpublished material exists. Which publication readers see of each check
now is readers' listing (models.PublicCheck, kept by claims/publishing.py): the listings, the
sitemap, the feed and the article summaries read it.

Each function costs a fixed number of SQL statements, whatever the data size.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import cache

from markupsafe import Markup
from sqlalchemy import Integer, bindparam, exists, func, select, tuple_
from sqlalchemy.orm import aliased, contains_eager, joinedload, load_only, raiseload, selectinload, undefer

from .. import search
from ..errors import NotFound
from ..extensions import db
from ..markdown import render_markdown
from ..models import (Article, Claim, Publication, PublicationTag, PublicCheck, PublicCheckTag, RatingVersion, Status,
                      UTCDateTime, Withdrawal, split_tags, tags_beside)
from .caching import Validator, check_statement, check_validator_of, driver_rows, driver_time
from .listing import Card

NOT_FOUND = "Nothing here."


@dataclass
class Check:
    """One check as readers know it: its publications (oldest first) and, if taken down, the withdrawal."""

    claim: Claim | ClaimState
    publications: list[Publication | PublishedCopy]
    withdrawal: Withdrawal | WithdrawalShown | None = None
    appearances: int | None = None  # how many public appearances, when the page's statement counted them

    @property
    def has_appearances(self) -> bool:
        return self.appearances is None or self.appearances > 0

    @property
    def latest(self) -> Publication:
        return self.publications[-1]

    @property
    def first_published_at(self) -> datetime:
        return self.publications[0].published_at

    @property
    def under_review_since(self) -> datetime | None:
        """Set while the check is back on the desk for correction (readers see a dated notice)."""
        if self.withdrawal is not None or self.claim.status == Status.published:
            return None
        return self.claim.under_review_since


def _public_latest():
    """Publications that are what readers see of their check now, with their claim joined."""
    return (select(Publication).join(PublicCheck, PublicCheck.publication_id == Publication.id)
            .join(Claim, Claim.id == Publication.claim_id)
            .options(contains_eager(Publication.claim), joinedload(Publication.rating)))


EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
CURSOR = re.compile(r"(\d{1,19})-(\d{1,12})")


@dataclass(frozen=True)
class Cursor:
    """A card's place in readers' listing, whose order is (first published, claim) newest first: the
    pager's links carry the first or last card's, so the next page starts there (one index range from
    that place) instead of skipping every earlier row with OFFSET. Written `<microseconds>-<claim>`."""

    at: datetime
    claim_id: int

    @classmethod
    def of(cls, card: Card) -> Cursor:
        return cls(card.first_published_at, card.claim_id)

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        """None for anything that is not a cursor (readers' pagination is forgiving)."""
        match = CURSOR.fullmatch(text or "")
        if not match:
            return None
        try:
            return cls(EPOCH + timedelta(microseconds=int(match.group(1))), int(match.group(2)))
        except OverflowError:
            return None

    def __str__(self) -> str:
        return f"{(self.at - EPOCH) // timedelta(microseconds=1)}-{self.claim_id}"


@dataclass
class CheckList:
    items: list[Card]  # each check's card, from its latest publication
    page: int
    per_page: int
    has_next: bool
    total: int | None = None  # known only for a search whose hits all fit up to this page
    snippets: dict[int, Markup] = field(default_factory=dict)
    listed: bool = False  # from readers' listing in its order (not search hits): the pager links by cursor

    @property
    def older(self) -> str | None:
        """The next page's cursor: after the last card (None when there is no next page, or for search)."""
        return str(Cursor.of(self.items[-1])) if self.listed and self.has_next and self.items else None

    @property
    def newer(self) -> str | None:
        """The previous page's cursor: before the first card (None for page 2, whose previous is page 1)."""
        return str(Cursor.of(self.items[0])) if self.listed and self.page > 2 and self.items else None


def latest_checks(*, q: str = "", rating: str | None = None, tag: str | None = None, page: int = 1,
                  per_page: int = 20, before: Cursor | None = None, after: Cursor | None = None) -> CheckList:
    """Public checks, newest first or (with q) best match first, filtered by the published rating and tags.

    Newest first, a page is the `per_page` checks older than `before` (the last card of the page
    before it), or newer than `after` (the first card of the page after it), or else the `page`th
    (an address without a cursor: OFFSET, which reads every row before the page)."""
    if search.has_terms(q):
        found = search.search_public(q, page, per_page, *_filters(rating or None, tag or None), count=False)
        has_next = page * per_page < found.total
        cards = [Card(row.claim_id, row.summary, row.quote, row.claimant, row.first_published_at, row.rating_name,
                      row.rating_label, row.rating_colour, tuple(split_tags(row.tags)))
                 for row in (hit.obj for hit in found.items)]
        return CheckList(cards, page, per_page, has_next, None if has_next else found.total,
                         {hit.id: hit.snippet for hit in found.items})
    # On a driver connection (no ORM session: the home's three statements need none), in the
    # statement's column order; only the filters the statement has are bound.
    filters = {name: value for name, value in (("rating", rating), ("tag", tag)) if value}
    cursor = before or after
    way = "before" if before else "after" if after else None
    if cursor is not None:
        filters.update(cursor_at=cursor.at, cursor_id=cursor.claim_id)
    rows = driver_rows(_cards_statement(bool(rating), bool(tag), way), limit=per_page + 1,
                       offset=0 if cursor else (page - 1) * per_page, **filters)
    more = len(rows) > per_page
    rows = rows[:per_page]
    if way == "after":  # walked oldest first from the cursor: newest first again; the page after is the cursor's
        rows.reverse()
        more = True
    cards = [Card(claim_id, summary, quote, claimant, driver_time(first), name, label, colour,
                  tuple(split_tags(tags)))
             for claim_id, summary, quote, claimant, first, name, label, colour, tags in rows]
    return CheckList(cards, page, per_page, more, listed=True)


def _filters(rating, tag) -> list:
    """Readers' search's filters on readers' listing, for a rating label and a tag as published (the
    home's filters, read from the same listing)."""
    filters = []
    if rating is not None:
        filters.append(PublicCheck.rating_label == rating)
    if tag is not None:
        filters.append(exists().where(PublicCheckTag.claim_id == PublicCheck.claim_id, PublicCheckTag.tag == tag))
    return filters


@cache
def _cards_statement(rated: bool, tagged: bool, way: str | None = None):
    """One page of cards in one statement, built once per kind of filter (rating, tag, both, none) and
    of cursor (before, after, none): the page's range of readers' listing (`_listing_page`), each
    check's publication shown with its rating as published and its tags, as plain values, in the
    walk's order (newest first, or oldest first after a cursor)."""
    page = _listing_page(rated, tagged, bindparam("limit"), bindparam("offset"), way).subquery("page")
    newest_first = way != "after"
    tags = tags_beside(PublicationTag.tag, PublicationTag.publication_id == Publication.id)
    return (select(Publication.claim_id, Publication.summary, Publication.quote, Publication.claimant,
                   page.c.first_published_at, RatingVersion.name, RatingVersion.label, RatingVersion.colour,
                   tags.label("tags"))
            .select_from(page).join(Publication, Publication.id == page.c.publication_id)
            .outerjoin(RatingVersion, RatingVersion.id == Publication.rating_version_id)
            .order_by(*(page.c.first_published_at.desc(), page.c.claim_id.desc()) if newest_first
                      else (page.c.first_published_at, page.c.claim_id)))


def _listing_page(rated: bool, tagged: bool, limit, offset, way: str | None = None):
    """One page of readers' listing (models.PublicCheck), newest first: a range of the index in that
    order (all checks, a rating label's, or a tag's rows), so a page reads only its own rows and those
    it skips, never probing a claim or sorting every public check."""
    table = PublicCheckTag if tagged else PublicCheck
    listed = select(table.claim_id, table.publication_id, table.first_published_at)
    if tagged:
        listed = listed.where(PublicCheckTag.tag == bindparam("tag"))
    if rated:  # a tag's rows carry the rating label too (migration 0029): tag and rating, one range
        listed = listed.where(table.rating_label == bindparam("rating"))
    place = tuple_(table.first_published_at, table.claim_id)
    cursor = tuple_(bindparam("cursor_at", type_=UTCDateTime()), bindparam("cursor_id", type_=Integer()))
    if way == "before":
        listed = listed.where(place < cursor)
    elif way == "after":  # the page before, walked oldest first from the cursor
        return listed.where(place > cursor).order_by(table.first_published_at, table.claim_id).limit(limit)
    return listed.order_by(table.first_published_at.desc(), table.claim_id.desc()).limit(limit).offset(offset)


def _newest_first(claim_ids):
    """The public publications of these claims, newest first, with their claim and rating."""
    return _public_latest().where(Claim.id.in_(claim_ids)).order_by(Claim.published_at.desc(), Claim.id.desc())


def published_check(claim_id: int) -> Check:
    """A check with every publication; NotFound when it was never published. A withdrawn check comes
    back with its withdrawal set: the page answers 410."""
    claim = db.session.execute(
        select(Claim).where(Claim.id == claim_id, Claim.published_at.is_not(None))
        .options(load_only(Claim.id, Claim.article_id, Claim.status, Claim.published_at, Claim.under_review_since),
                 raiseload(Claim.tag_rows),  # readers see the publication's tags, never the claim's
                 joinedload(Claim.article).load_only(Article.id, Article.title),
                 selectinload(Claim.publications).joinedload(Publication.rating))
    ).unique().scalar_one_or_none()
    if claim is None or not claim.publications:
        raise NotFound(NOT_FOUND)
    publications = list(claim.publications)
    withdrawal = db.session.execute(
        select(Withdrawal).where(Withdrawal.publication_id == publications[-1].id).order_by(Withdrawal.id.desc())
        .limit(1)).scalar_one_or_none()
    return Check(claim, publications, withdrawal)


@dataclass(frozen=True)
class ArticleRef:
    """The article a check page links to (its address is made from the live title)."""

    id: int
    title: str


@dataclass(frozen=True)
class ClaimState:
    """What a check page shows of the live claim: only whether it is back under review, and since when."""

    id: int
    status: Status
    published_at: datetime
    under_review_since: datetime | None
    article: ArticleRef


@dataclass(frozen=True)
class RatingAsPublished:
    name: str
    label: str
    definition: str
    colour: str
    ordinal: int | None


@dataclass
class PublishedCopy:
    """A publication as the check page shows it, read as plain values in the page's one statement
    (the same attribute names as Publication, so the templates and ClaimReview take either)."""

    claim_id: int
    number: int
    quote: str
    prefix: str
    suffix: str
    summary: str
    claimant: str
    claimed_at: date | None
    article_title: str
    article_url: str | None
    article_publisher: str | None
    article_author: str | None
    article_published_at: date | None
    scale_best: int | None
    scale_worst: int | None
    rationale: str
    rationale_html: str | None
    evidence: list
    published_at: datetime
    is_correction: bool
    rating: RatingAsPublished | None
    tags: list[str]


_COPIED = ("claim_id", "number", "quote", "prefix", "suffix", "summary", "claimant", "claimed_at", "article_title",
           "article_url", "article_publisher", "article_author", "article_published_at", "scale_best", "scale_worst",
           "rationale", "rationale_html", "evidence", "published_at", "is_correction")
_RATED = ("name", "label", "definition", "colour", "ordinal")


@cache
def _check_page_statement():
    """A check page's one statement: its validator's values (caching.check_statement) first, then the
    claim's state, the latest publication, its rating as published, its withdrawal and its tags."""
    shown, taken_down = aliased(Publication, name="shown"), aliased(Withdrawal, name="taken_down")
    latest = (select(Publication.id).where(Publication.claim_id == Claim.id).order_by(Publication.number.desc())
              .limit(1).scalar_subquery())
    withdrawal = (select(Withdrawal.id).where(Withdrawal.publication_id == shown.id)
                  .order_by(Withdrawal.id.desc()).limit(1).scalar_subquery())
    tags = tags_beside(PublicationTag.tag, PublicationTag.publication_id == shown.id)
    return (check_statement()
            .add_columns(Claim.id.label("claim_key"), Claim.status.label("claim_status"),
                         Claim.published_at.label("first_published_at"),
                         Claim.under_review_since.label("claim_under_review_since"), Article.id.label("article_key"),
                         Article.title.label("live_article_title"),
                         *(getattr(shown, name).label(f"p_{name}") for name in _COPIED),
                         *(getattr(RatingVersion, name).label(f"r_{name}") for name in _RATED),
                         taken_down.id.label("w_id"), taken_down.withdrawn_at.label("w_withdrawn_at"),
                         taken_down.reason.label("w_reason"), tags.label("tags"))
            .outerjoin(shown, shown.id == latest)
            .outerjoin(RatingVersion, RatingVersion.id == shown.rating_version_id)
            .outerjoin(taken_down, taken_down.id == withdrawal))


@dataclass(frozen=True)
class WithdrawalShown:
    withdrawn_at: datetime
    reason: str


@cache
def _check_page_columns() -> dict[str, int]:
    return {getattr(column, "name", None): n for n, column in enumerate(_check_page_statement().selected_columns)}


def _day(value) -> date | None:
    """A date column read on the driver (SQLite's stored text, or the server's date)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def check_page(claim_id: int, **_) -> tuple[Validator, Check]:
    """The check page of a first view: its validator and what it shows, from one statement when the
    check was published once (a corrected check, whose page lists its versions and corrections, loads
    them all as `published_check` does). NotFound when it was never published.

    The statement runs on a driver connection, as the home's do (caching.driver_rows): no ORM
    session, transaction or result processing — a fifth of the page's time at 100,000 claims — so
    the few typed values are read here, as the column types would (UTC times, dates, the evidence's
    JSON, the state)."""
    row = driver_rows(_check_page_statement(), claim_id=claim_id)
    row = row[0] if row else None
    validator = check_validator_of(claim_id, row)
    if row[0] > 1:
        check = published_check(claim_id)
        check.appearances = row[_check_page_columns()["appearances"]]
        return validator, check
    at = _check_page_columns()

    def value(name):
        return row[at[name]]

    rating = RatingAsPublished(*(value(f"r_{name}") for name in _RATED)) if value("r_name") is not None else None
    evidence = value("p_evidence")
    copy = PublishedCopy(
        **{name: value(f"p_{name}") for name in _COPIED}, rating=rating, tags=split_tags(value("tags")))
    copy.claimed_at, copy.article_published_at = _day(copy.claimed_at), _day(copy.article_published_at)
    copy.published_at, copy.is_correction = driver_time(copy.published_at), bool(copy.is_correction)
    copy.evidence = json.loads(evidence) if isinstance(evidence, str) else (evidence or [])
    article = ArticleRef(value("article_key"), value("live_article_title"))
    under_review = value("claim_under_review_since")
    claim = ClaimState(value("claim_key"), Status(value("claim_status")), driver_time(value("first_published_at")),
                       driver_time(under_review) if under_review is not None else None, article)
    withdrawal = (WithdrawalShown(driver_time(value("w_withdrawn_at")), value("w_reason"))
                  if value("w_id") is not None else None)
    return validator, Check(claim, [copy], withdrawal, value("appearances"))


def rationale_shown(publication: Publication) -> Markup:
    """The rationale as readers see it: the safe HTML made when it was published (claims/publishing.py),
    or rendered now for a row written without it."""
    if publication.rationale_html is not None:
        return Markup(publication.rationale_html)
    return render_markdown(publication.rationale)


def quote_context(publication: Publication) -> tuple[str, str]:
    """The words around the published quote, without a cut word at the ends, within its paragraph."""
    before, after = publication.prefix or "", publication.suffix or ""
    if len(before) >= 32 and " " in before.strip():
        before = before[before.index(" ", 1 if before[0] == " " else 0):]
    if len(after) >= 32 and " " in after.strip():
        after = after[:after.rindex(" ", 0, len(after.rstrip()))]
    return before.rsplit("\n", 1)[-1], after.split("\n", 1)[0]


def publication(check: Check, number: int) -> Publication:
    for item in check.publications:
        if item.number == number:
            return item
    raise NotFound(NOT_FOUND)


@dataclass
class Change:
    """What a correction changed, against the version published before it."""

    publication: Publication
    previous: Publication | None
    latest: Publication | None = None  # the check's latest publication (its address)

    @property
    def rating_changed(self) -> bool:
        return self.previous is not None and self.previous.rating_id != self.publication.rating_id

    @property
    def rationale_changed(self) -> bool:
        return self.previous is not None and self.previous.rationale != self.publication.rationale

    @property
    def wording_changed(self) -> bool:
        return self.previous is not None and self.previous.summary != self.publication.summary


def corrections_of(check: Check) -> list[Change]:
    """The corrections of a check, newest first."""
    items = check.publications
    changes = [Change(p, items[i - 1] if i else None, check.latest) for i, p in enumerate(items) if p.is_correction]
    return list(reversed(changes))


@dataclass
class ArticleChecks:
    """An article's public checks: those whose published quote is still in the text (marked there)
    and those whose words have changed since (listed with the quote as published)."""

    article: Article
    in_text: list[tuple[Publication, Claim]]
    quoted_from_earlier: list[Publication]

    @property
    def publications(self) -> list[Publication]:
        return sorted([p for p, _ in self.in_text] + self.quoted_from_earlier, key=lambda p: p.claim.anchor_start)


def article_summary(article_id: int) -> ArticleChecks:
    """An article with its public checks; NotFound when none of its claims is public."""
    rows = db.session.execute(
        _public_latest().where(Claim.article_id == article_id).options(selectinload(Publication.tag_rows))
        .order_by(Claim.anchor_start, Claim.id)
    ).unique().scalars().all()
    if not rows:
        raise NotFound(NOT_FOUND)
    article = db.session.execute(select(Article).where(Article.id == article_id).options(undefer(Article.text))
                                 ).scalar_one()
    in_text, elsewhere = [], []
    for pub in rows:
        claim = pub.claim
        if claim.anchor_state.value != "orphaned" and article.text[claim.anchor_start:claim.anchor_end] == pub.quote:
            in_text.append((pub, claim))
        else:
            elsewhere.append(pub)
    return ArticleChecks(article, in_text, elsewhere)


@cache
def _latest_alias():
    latest = aliased(Publication)
    later = aliased(Publication)
    return latest, later


@cache
def _check_is_public():
    """SQL condition on Publication: its check (any of its publications) is public now (listed)."""
    return exists().where(PublicCheck.claim_id == Publication.claim_id)


def _with_versions():
    return (joinedload(Publication.rating),
            joinedload(Publication.claim).selectinload(Claim.publications).joinedload(Publication.rating))


def all_corrections(*, page: int = 1, per_page: int = 50) -> tuple[list[Change], list[Withdrawal], bool]:
    """Every correction of a public check and every withdrawal, newest first (one page of each)."""
    rows = db.session.execute(
        select(Publication).where(Publication.is_correction, _check_is_public()).options(*_with_versions())
        .order_by(Publication.published_at.desc(), Publication.id.desc())
        .limit(per_page + 1).offset((page - 1) * per_page)
    ).unique().scalars().all()
    changes = []
    for item in rows[:per_page]:
        earlier = [p for p in item.claim.publications if p.number < item.number]
        changes.append(Change(item, earlier[-1] if earlier else None, item.claim.publications[-1]))
    withdrawals = withdrawn_checks(page=page, per_page=per_page)
    return changes, withdrawals[:per_page], len(rows) > per_page or len(withdrawals) > per_page


def withdrawn_checks(*, page: int = 1, per_page: int = 50) -> list[Withdrawal]:
    """Checks taken down and not published again, newest first (per_page + 1 rows, to tell a next page)."""
    latest, later = _latest_alias()
    return db.session.execute(
        select(Withdrawal).join(latest, latest.id == Withdrawal.publication_id)
        .where(~exists().where(later.claim_id == latest.claim_id, later.number > latest.number))
        .options(joinedload(Withdrawal.publication).joinedload(Publication.rating))
        .order_by(Withdrawal.withdrawn_at.desc(), Withdrawal.id.desc()).limit(per_page + 1)
        .offset((page - 1) * per_page)
    ).unique().scalars().all()


@dataclass
class FeedItem:
    """An entry of the feed: a publication (first, or a correction) or a withdrawal."""

    at: datetime
    publication: Publication
    latest: Publication
    withdrawal: Withdrawal | None = None


def feed_items(limit: int = 50) -> list[FeedItem]:
    """The newest publications of public checks and the newest withdrawals, newest first."""
    pubs = db.session.execute(
        select(Publication).where(_check_is_public()).options(*_with_versions())
        .order_by(Publication.published_at.desc(), Publication.id.desc()).limit(limit)
    ).unique().scalars().all()
    items = [FeedItem(p.published_at, p, p.claim.publications[-1]) for p in pubs]
    items += [FeedItem(w.withdrawn_at, w.publication, w.publication, w) for w in withdrawn_checks(per_page=limit)]
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]


SITEMAP_LIMIT = 50_000  # the sitemaps.org limit of URLs in one file
SITEMAP_STATIC = 3  # the home page, /ratings and /corrections, in the first file


def _sitemap_checks():
    return (select(Publication.claim_id, Publication.summary, Publication.quote, Publication.published_at)
            .join(PublicCheck, PublicCheck.publication_id == Publication.id))


def _sitemap_articles():
    return (select(Article.id, Article.title, func.max(Publication.published_at).label("published_at"))
            .join(Claim, Claim.article_id == Article.id).join(PublicCheck, PublicCheck.claim_id == Claim.id)
            .join(Publication, Publication.id == PublicCheck.publication_id).group_by(Article.id, Article.title))


def sitemap_counts() -> tuple[int, int]:
    """How many public checks and articles with a public check the sitemap lists."""
    checks = db.session.execute(select(func.count()).select_from(PublicCheck)).scalar_one()
    articles = db.session.execute(select(func.count()).select_from(_sitemap_articles().subquery())).scalar_one()
    return checks, articles


def sitemap_files(counts: tuple[int, int] | None = None, per_file: int = SITEMAP_LIMIT) -> int:
    """How many sitemap files the public URLs need (more than one: /sitemap.xml becomes their index)."""
    checks, articles = counts or sitemap_counts()
    return max(1, -(-(SITEMAP_STATIC + checks + articles) // per_file))


def sitemap_rows(part: int = 1, counts: tuple[int, int] | None = None, per_file: int = SITEMAP_LIMIT):
    """(checks, articles) of one sitemap file: every public check by id, then every article by id, cut
    into files of `per_file` URLs (the first also holds the three fixed pages)."""
    checks_total, _ = counts or sitemap_counts()
    start = (part - 1) * per_file - (SITEMAP_STATIC if part > 1 else 0)
    room = per_file - (SITEMAP_STATIC if part == 1 else 0)
    checks = []
    if start < checks_total:
        checks = db.session.execute(
            _sitemap_checks().order_by(PublicCheck.claim_id).offset(start).limit(room)).all()
    articles = []
    if room - len(checks) > 0:
        articles = db.session.execute(
            _sitemap_articles().order_by(Article.id).offset(max(0, start - checks_total))
            .limit(room - len(checks))).all()
    return checks, articles


def public_claimreviews(page: int, per_page: int) -> tuple[list[tuple[Publication, datetime]], int]:
    """One page of public checks' latest publications with their first publication date, and the total."""
    total = db.session.execute(select(func.count()).select_from(PublicCheck)).scalar_one()
    claim_ids = _listing_page(False, False, per_page, (page - 1) * per_page).with_only_columns(PublicCheck.claim_id)
    rows = db.session.execute(_newest_first(claim_ids)).unique().scalars().all()
    return [(p, p.claim.published_at) for p in rows], total

