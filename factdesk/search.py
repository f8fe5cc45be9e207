"""Full-text search over claims and articles: one interface, two engines.

SQLite (the embedded default) uses the FTS5 tables of migration 0002 (external content over
`claims` and `articles`, kept in step by triggers, so a write is findable inside its own
transaction), ranked by bm25 with snippet() for highlighted snippets. PostgreSQL uses stored
tsvector columns (generated from `to_tsvector('english', …)`, migration 0023) with GIN indexes,
`websearch_to_tsquery`, `ts_rank` and `ts_headline`.

The query language is the same on both: words (all must match), "quoted phrases", `-word` to
exclude and `or` between alternatives (PostgreSQL's websearch syntax). On SQLite the reader's text is
rewritten into FTS5 syntax with every term quoted, so no input can be an FTS5 syntax error.

Snippets come back as Markup: the engines mark hits with private-use characters, the text is
escaped, and only then are the markers turned into <mark> elements.

Ranks are normalised so that lower is better on both engines.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import Float, Integer, String, bindparam, func, literal, literal_column, select, text, true, union_all
from sqlalchemy.orm import joinedload, selectinload

from .claims.publishing import is_public
from .extensions import db
from .models import Article, Claim, Publication, Status

HIT_OPEN, HIT_CLOSE = "\ue000", "\ue001"
ANGLE_OPEN, ANGLE_CLOSE = "\ue002", "\ue003"  # "<" and ">" inside PostgreSQL headlines
SNIPPET_TOKENS = 24

# The stored documents of migration 0023 (generated tsvector columns, each with its GIN index): matching
# and ranking read them, where ranking an expression index's document parsed every match again.
CLAIM_DOCUMENT = "claims.search_vector"
ARTICLE_TITLE = "articles.title_vector"
ARTICLE_DOCUMENT = "articles.search_vector"

# Names of the search machinery that the models do not describe (see migrations/env.py).
SEARCH_TABLE_PREFIXES = ("claims_fts", "articles_fts")
SEARCH_INDEXES = {"ix_claims_search", "ix_articles_search_title", "ix_articles_search"}
SEARCH_COLUMNS = {("claims", "search_vector"), ("articles", "search_vector"), ("articles", "title_vector")}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic filter: the FTS5 tables (and their shadow tables), the search indexes and PostgreSQL's
    stored search vectors are created by hand (migrations 0002, 0023) and have no model, so
    autogenerate must not see them; nor the
    job queue's own tables, which Huey creates in a PostgreSQL desk (factdesk.jobs.queue)."""
    from .jobs.queue import QUEUE_TABLE_PREFIX

    if type_ in ("table", "index") and name and name.startswith(QUEUE_TABLE_PREFIX):
        return False
    if type_ == "table" and name and name.startswith(SEARCH_TABLE_PREFIXES):
        return False
    if type_ == "index" and name in SEARCH_INDEXES:
        return False
    if type_ == "column" and (getattr(obj.table, "name", None), name) in SEARCH_COLUMNS:
        return False
    return True


@dataclass
class Hit:
    kind: str  # "claim" or "article"
    id: int
    rank: float
    snippet: Markup = field(default_factory=Markup)
    obj: Any = None


@dataclass
class Results:
    items: list[Hit]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


# ---------------------------------------------------------------- the query language

_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


def parse_query(q: str | None) -> list[list[tuple[bool, list[str]]]]:
    """websearch-style text as alternatives (OR) of terms (negated?, words of a phrase)."""
    alternatives: list[list[tuple[bool, list[str]]]] = [[]]
    for match in _TOKEN.finditer(q or ""):
        phrase, bare = match.group(1), match.group(2)
        if bare is not None and bare.lower() == "or":
            if alternatives[-1]:
                alternatives.append([])
            continue
        negated = False
        source = phrase
        if bare is not None:
            negated = bare.startswith("-") and len(bare) > 1
            source = bare[1:] if negated else bare
        words = _WORD.findall(source or "")
        if words:
            alternatives[-1].append((negated, words))
    return [alt for alt in alternatives if any(not neg for neg, _ in alt)]


def fts5_query(q: str | None) -> str | None:
    """The reader's text as a safe FTS5 expression (every term a quoted string), or None if empty."""
    parts = []
    for alternative in parse_query(q):
        positive = " AND ".join('"' + " ".join(words) + '"' for neg, words in alternative if not neg)
        negative = "".join(' NOT "' + " ".join(words) + '"' for neg, words in alternative if neg)
        parts.append(f"(({positive}){negative})")
    return " OR ".join(parts) if parts else None


def has_terms(q: str | None) -> bool:
    return bool(parse_query(q))


def mark_hits(raw: str | None) -> Markup:
    """Escape a snippet, then turn the engines' private-use hit markers into <mark> elements."""
    if not raw:
        return Markup("")
    escaped = str(escape(raw))
    # Each opening marker up to the next closing one, found with str.find: linear, where a lazy
    # regex rescanned the rest of the text for every unclosed marker.
    parts, i = [], 0
    while (j := escaped.find(HIT_OPEN, i)) != -1 and (k := escaped.find(HIT_CLOSE, j + 1)) != -1:
        parts += [escaped[i:j], "<mark>", escaped[j + 1:k], "</mark>"]
        i = k + 1
    parts.append(escaped[i:])
    marked = "".join(parts).replace(HIT_OPEN, "").replace(HIT_CLOSE, "")
    return Markup(marked.replace(ANGLE_OPEN, "&lt;").replace(ANGLE_CLOSE, "&gt;"))


def _dialect() -> str:
    return db.session.get_bind().dialect.name


# ---------------------------------------------------------------- hits (id, rank) per engine

def _claim_hits(q: str, *, with_article_title: bool):
    """A subquery (id, rank) of claims matching q in their own words (and their article's title)."""
    if _dialect() == "postgresql":
        tsq = func.websearch_to_tsquery(literal_column("'english'::regconfig"), bindparam("q", q, type_=String))
        doc = literal_column(CLAIM_DOCUMENT)
        if not with_article_title:
            return (select(Claim.id.label("id"), (-func.ts_rank(doc, tsq)).label("rank"))
                    .where(doc.op("@@")(tsq)).subquery("hits"))
        # Two index lookups (claims' words, articles' titles) rather than one OR across the join,
        # which no index can serve; a claim found both ways keeps its better rank.
        title = literal_column(ARTICLE_TITLE)
        both = union_all(
            select(Claim.id.label("id"), (-func.ts_rank(doc, tsq)).label("rank")).where(doc.op("@@")(tsq)),
            select(Claim.id.label("id"), (-0.5 * func.ts_rank(title, tsq)).label("rank"))
            .join(Article, Article.id == Claim.article_id).where(title.op("@@")(tsq)),
        ).subquery("matches")
        return select(both.c.id, func.min(both.c.rank).label("rank")).group_by(both.c.id).subquery("hits")
    expression = fts5_query(q)
    own = ("SELECT claims_fts.rowid AS id, bm25(claims_fts, 2.0, 2.0, 1.0, 1.0) AS rank "
           "FROM claims_fts WHERE claims_fts MATCH :fq")
    if not with_article_title:
        return text(own).bindparams(fq=expression).columns(id=Integer, rank=Float).subquery("hits")
    by_title = ("SELECT claims.id AS id, bm25(articles_fts, 1.0, 0.0) * 0.5 AS rank FROM articles_fts "
                "JOIN claims ON claims.article_id = articles_fts.rowid WHERE articles_fts MATCH :tq")
    union = text(f"SELECT id, min(rank) AS rank FROM ({own} UNION ALL {by_title}) GROUP BY id").bindparams(
        fq=expression, tq="{title} : (" + expression + ")")
    return union.columns(id=Integer, rank=Float).subquery("hits")


def _article_hits(q: str):
    if _dialect() == "postgresql":
        tsq = func.websearch_to_tsquery(literal_column("'english'::regconfig"), bindparam("q", q, type_=String))
        doc = literal_column(ARTICLE_DOCUMENT)
        return (select(Article.id.label("id"), (-func.ts_rank(doc, tsq)).label("rank"))
                .where(doc.op("@@")(tsq)).subquery("article_hits"))
    return (text("SELECT articles_fts.rowid AS id, bm25(articles_fts, 3.0, 1.0) AS rank "
                 "FROM articles_fts WHERE articles_fts MATCH :aq")
            .bindparams(aq=fts5_query(q)).columns(id=Integer, rank=Float).subquery("article_hits"))


def _match_count(q: str):
    """How many claims and articles match q, as a scalar subquery that ranks nothing."""
    if _dialect() == "postgresql":
        tsq = func.websearch_to_tsquery(literal_column("'english'::regconfig"), bindparam("q", q, type_=String))
        matching = [select(func.count()).select_from(Claim).where(literal_column(CLAIM_DOCUMENT).op("@@")(tsq)),
                    select(func.count()).select_from(Article).where(literal_column(ARTICLE_DOCUMENT).op("@@")(tsq))]
        return matching[0].scalar_subquery() + matching[1].scalar_subquery()
    expression = fts5_query(q)
    return text("(SELECT count(*) FROM claims_fts WHERE claims_fts MATCH :cq) "
                "+ (SELECT count(*) FROM articles_fts WHERE articles_fts MATCH :cq)").bindparams(cq=expression) \
        .columns(total=Integer).scalar_subquery()


# ---------------------------------------------------------------- snippets for one page of hits

def _pg_headline(document_sql: str, q: str, ids: list[int], table) -> dict[int, str]:
    # ts_headline's parser reads "<b>" as an HTML tag and drops it; angle brackets travel as
    # private-use characters instead and come back (escaped) in mark_hits.
    document_sql = f"translate({document_sql}, '<>', chr(57346) || chr(57347))"
    options = (f"StartSel={HIT_OPEN}, StopSel={HIT_CLOSE}, MaxWords=30, MinWords=12, MaxFragments=2, "
               "FragmentDelimiter=\" … \"")
    tsq = func.websearch_to_tsquery(literal_column("'english'::regconfig"), bindparam("q", q, type_=String))
    headline = func.ts_headline(literal_column("'english'::regconfig"), literal_column(document_sql), tsq,
                                bindparam("opts", options, type_=String))
    rows = db.session.execute(select(table.id, headline).where(table.id.in_(ids))).all()
    return {row[0]: row[1] for row in rows}


def claim_snippets(q: str, ids: list[int]) -> dict[int, Markup]:
    """Highlighted snippets of the given claims' own words (quote, wording, claimant, rationale: what
    the desk's search matches), in one statement whatever the hits."""
    if _dialect() == "postgresql":
        raw = _pg_headline("coalesce(claims.quote, '') || ' — ' || coalesce(claims.summary, '') || ' — ' "
                           "|| coalesce(claims.claimant, '') || ' — ' || coalesce(claims.rationale, '')", q, ids, Claim)
        return {i: mark_hits(s) for i, s in raw.items()}
    rows = db.session.execute(
        text(f"SELECT rowid, snippet(claims_fts, -1, '{HIT_OPEN}', '{HIT_CLOSE}', '…', {SNIPPET_TOKENS}) "
             "FROM claims_fts WHERE claims_fts MATCH :fq AND rowid IN :ids")
        .bindparams(bindparam("ids", expanding=True)), {"fq": fts5_query(q), "ids": ids}).all()
    return {row[0]: mark_hits(row[1]) for row in rows}


def article_snippets(q: str, ids: list[int]) -> dict[int, Markup]:
    if _dialect() == "postgresql":
        raw = _pg_headline("coalesce(articles.title, '') || ' — ' || coalesce(articles.text, '')", q, ids, Article)
        return {i: mark_hits(s) for i, s in raw.items()}
    rows = db.session.execute(
        text(f"SELECT rowid, snippet(articles_fts, -1, '{HIT_OPEN}', '{HIT_CLOSE}', '…', {SNIPPET_TOKENS}) "
             "FROM articles_fts WHERE articles_fts MATCH :aq AND rowid IN :ids")
        .bindparams(bindparam("ids", expanding=True)), {"aq": fts5_query(q), "ids": ids}).all()
    return {row[0]: mark_hits(row[1]) for row in rows}


# ---------------------------------------------------------------- the interface

def claim_ids_matching(q: str, limit: int = 1000, *, published_only: bool = False) -> list[int]:
    """Ids of claims (any state, or published only) whose own words match q, best first: the queue's
    free-text filter, and "checked before?"'s candidates."""
    if not has_terms(q):
        return []
    hits = _claim_hits(q, with_article_title=False)
    query = select(hits.c.id).order_by(hits.c.rank, hits.c.id).limit(limit)
    if published_only:
        query = query.join(Claim, Claim.id == hits.c.id).where(Claim.status == Status.published)
    return list(db.session.execute(query).scalars())


def public_checks_query(q: str, *filters):
    """A select of (Publication.id, rank) for public checks matching q, best first; extra filters apply.

    A check is findable by a word of its quote, its wording, its claimant, its rationale or its
    article's title.
    """
    hits = _claim_hits(q, with_article_title=True)
    return (select(Publication.id, hits.c.rank).join(hits, hits.c.id == Publication.claim_id)
            .join(Claim, Claim.id == Publication.claim_id).where(is_public(), *filters)
            .order_by(hits.c.rank, Claim.published_at.desc(), Claim.id.desc()))


def search_public(q: str, page: int = 1, per_page: int = 20, *filters, count: bool = True) -> Results:
    """Public checks matching q (only those: readers never see anything else), each hit's `obj` its
    latest publication, with snippets of the published words (text, not Markdown).

    With count=False the total is not counted (a common word can match thousands of checks; the
    readers' page only needs to know whether there is a next page): `total` is then the number of
    hits up to the end of this page, plus one when there are more.
    """
    if not has_terms(q):
        return Results([], page, per_page, 0)
    query = public_checks_query(q, *filters)
    offset = (page - 1) * per_page
    if count:
        total = db.session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
        rows = db.session.execute(query.limit(per_page).offset(offset)).all()
    else:
        rows = db.session.execute(query.limit(per_page + 1).offset(offset)).all()
        total = offset + len(rows)
        rows = rows[:per_page]
    ids = [row[0] for row in rows]
    pubs = {p.id: p for p in db.session.execute(
        select(Publication).where(Publication.id.in_(ids)).options(
            joinedload(Publication.claim), joinedload(Publication.rating), selectinload(Publication.tag_rows))
    ).unique().scalars()} if ids else {}
    items = [Hit("claim", pubs[row[0]].claim_id, row[1], text_snippet(q, published_words(pubs[row[0]])), pubs[row[0]])
             for row in rows]
    return Results(items, page, per_page, total)


def published_words(publication: Publication) -> str:
    """The words of a publication a reader's search matches, as text."""
    return " — ".join(part for part in (publication.quote, publication.summary, publication.rationale_text) if part)


def text_snippet(q: str, words: str, tokens: int = SNIPPET_TOKENS) -> Markup:
    """A snippet of plain text around the first word the query names, those words marked."""
    terms = sorted({w.lower() for alternative in parse_query(q) for neg, phrase in alternative if not neg
                    for w in phrase}, key=len, reverse=True)
    if not terms:
        return Markup("")
    # Whole words, or words the term begins (the engines stem: "launches" finds "launched").
    pattern = re.compile(r"\b(" + "|".join(re.escape(t[:max(4, len(t) - 2)]) + r"\w*" for t in terms) + r")",
                         re.IGNORECASE)
    parts = words.split()
    first = next((i for i, w in enumerate(parts) if pattern.search(w)), 0)
    start = max(0, first - tokens // 3)
    window = " ".join(parts[start:start + tokens])
    marked = pattern.sub(lambda m: HIT_OPEN + m.group(1) + HIT_CLOSE, window)
    return mark_hits(("…" if start else "") + marked + ("…" if start + tokens < len(parts) else ""))


def search_desk(q: str, page: int = 1, per_page: int = 20) -> Results:
    """Articles and claims in any state matching q, ranked together, with snippets (the desk's search)."""
    if not has_terms(q):
        return Results([], page, per_page, 0)
    claims = _claim_hits(q, with_article_title=False)
    articles = _article_hits(q)
    # Each engine hands over only its best `offset + per_page` hits (a top-k, not every match sorted),
    # and the totals are plain match counts, which rank nothing: a common word's 10,000 matches are
    # never ranked, merged and counted row by row as one window over all of them was.
    offset = (page - 1) * per_page
    best_claims = select(claims.c.id, claims.c.rank).order_by(claims.c.rank, claims.c.id).limit(offset + per_page) \
        .subquery("best_claims")
    best_articles = select(articles.c.id, articles.c.rank).order_by(articles.c.rank, articles.c.id) \
        .limit(offset + per_page).subquery("best_articles")
    both = union_all(
        select(literal("claim").label("kind"), best_claims.c.id, best_claims.c.rank),
        select(literal("article").label("kind"), best_articles.c.id, best_articles.c.rank),
    ).subquery("both")
    page_hits = select(both.c.kind, both.c.id, both.c.rank).order_by(both.c.rank, both.c.kind, both.c.id) \
        .limit(per_page).offset(offset).subquery("page_hits")
    # The total rides along in the same statement, on a row of its own when the page is past the end.
    totals = select(_match_count(q).label("total")).subquery("totals")
    found = db.session.execute(
        select(totals.c.total, page_hits.c.kind, page_hits.c.id, page_hits.c.rank).select_from(totals)
        .outerjoin(page_hits, true()).order_by(page_hits.c.rank, page_hits.c.kind, page_hits.c.id)).all()
    total = found[0].total
    rows = [row for row in found if row.kind is not None]
    claim_ids = [r.id for r in rows if r.kind == "claim"]
    article_ids = [r.id for r in rows if r.kind == "article"]
    # The same statements whatever the page holds (claims, articles or both): each load runs, over
    # an empty list if need be, so a page's cost does not depend on what it found.
    loaded: dict[tuple[str, int], Any] = {}
    for c in db.session.execute(select(Claim).where(Claim.id.in_(claim_ids)).options(
            joinedload(Claim.rating), joinedload(Claim.assignee), joinedload(Claim.tag_rows))).unique().scalars():
        loaded["claim", c.id] = c
    for a in db.session.execute(select(Article).where(Article.id.in_(article_ids))).scalars():
        loaded["article", a.id] = a
    snippets = {("claim", i): s for i, s in claim_snippets(q, claim_ids).items()}
    snippets.update({("article", i): s for i, s in article_snippets(q, article_ids).items()})
    items = [Hit(r.kind, r.id, r.rank, snippets.get((r.kind, r.id), Markup("")), loaded.get((r.kind, r.id)))
             for r in rows]
    return Results(items, page, per_page, total)
