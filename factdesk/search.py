"""Full-text search over claims and articles: one interface, two engines.

SQLite (the embedded default) uses the FTS5 tables of migration 0002 (external content over
`claims` and `articles`, kept in step by triggers, so a write is findable inside its own
transaction), ranked by bm25. PostgreSQL uses stored tsvector columns (generated from
`to_tsvector('english', …)`, migration 0023) with GIN indexes, `websearch_to_tsquery` and `ts_rank`.

The query language is the same on both: words (all must match), "quoted phrases", `-word` to
exclude and `or` between alternatives (PostgreSQL's websearch syntax). On SQLite the reader's text is
rewritten into FTS5 syntax with every term quoted, so no input can be an FTS5 syntax error.

Snippets are cut from the hits' own text (already loaded to show them) by the same stemmer each engine
matches with (`snippet`): a bounded window around the query's words, never the engine re-reading and
tokenising every hit's whole document (FTS5's `snippet()`, PostgreSQL's `ts_headline` over a 20,000
character article). They come back as Markup: hits are marked with private-use characters, the text is
escaped, and only then are the markers turned into <mark> elements.

Ranks are normalised so that lower is better on both engines.
"""
from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections import namedtuple
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import Stemmer
from markupsafe import Markup, escape
from sqlalchemy import (Float, Integer, String, and_, bindparam, func, literal, literal_column, select, text,
                        true, union_all)

from .extensions import db
from .models import (Article, Claim, ClaimTag, Publication, PublicationTag, PublicCheck, Rating, RatingVersion, Status,
                     User, tags_beside)

HIT_OPEN, HIT_CLOSE = "\ue000", "\ue001"
SNIPPET_TOKENS = 24

# The stored documents of migration 0023 (generated tsvector columns, each with its GIN index): matching
# and ranking read them, where ranking an expression index's document parsed every match again. The
# articles' whole documents are read only by desk search on PostgreSQL (`_ranked_and_counted`).
CLAIM_DOCUMENT = "claims.search_vector"
ARTICLE_DOCUMENT = "articles.search_vector"
ARTICLE_TITLE = "articles.title_vector"

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
    return Markup("".join(parts).replace(HIT_OPEN, "").replace(HIT_CLOSE, ""))


def _dialect() -> str:
    return db.session.get_bind().dialect.name


# ---------------------------------------------------------------- hits (id, rank) per engine
#
# The statements name the query by bind parameters (`q` on PostgreSQL; `fq`, and `tq` for articles'
# titles, on SQLite) whose values `_values` makes at run time, so a statement can be built once.

def _values(q: str, dialect: str) -> dict[str, str]:
    if dialect == "postgresql":
        return {"q": q}
    expression = fts5_query(q)
    return {"fq": expression, "tq": "{title} : (" + expression + ")"}


def _tsquery():
    return func.websearch_to_tsquery(literal_column("'english'::regconfig"), bindparam("q", type_=String))


def _claim_hits(dialect: str, *, with_article_title: bool):
    """A subquery (id, rank) of claims matching q in their own words (and their article's title)."""
    if dialect == "postgresql":
        tsq = _tsquery()
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
    own = ("SELECT claims_fts.rowid AS id, bm25(claims_fts, 2.0, 2.0, 1.0, 1.0) AS rank "
           "FROM claims_fts WHERE claims_fts MATCH :fq")
    if not with_article_title:
        return text(own).columns(id=Integer, rank=Float).subquery("hits")
    by_title = ("SELECT claims.id AS id, bm25(articles_fts, 1.0, 0.0) * 0.5 AS rank FROM articles_fts "
                "JOIN claims ON claims.article_id = articles_fts.rowid WHERE articles_fts MATCH :tq")
    return text(f"SELECT id, min(rank) AS rank FROM ({own} UNION ALL {by_title}) GROUP BY id") \
        .columns(id=Integer, rank=Float).subquery("hits")


def _article_hits():
    """A subquery (id, rank) of the best `k` articles matching q (SQLite's; PostgreSQL's come from
    `_ranked_and_counted`)."""
    return (text("SELECT articles_fts.rowid AS id, bm25(articles_fts, 3.0, 1.0) AS rank "
                 "FROM articles_fts WHERE articles_fts MATCH :fq ORDER BY rank, id LIMIT :k")
            .columns(id=Integer, rank=Float).subquery("article_hits"))


def _match_count():
    """How many claims and articles match q on SQLite, as a scalar subquery that ranks nothing (FTS5
    counts its index's matches without reading a document)."""
    return text("(SELECT count(*) FROM claims_fts WHERE claims_fts MATCH :fq) "
                "+ (SELECT count(*) FROM articles_fts WHERE articles_fts MATCH :fq)") \
        .columns(total=Integer).scalar_subquery()


def _tsquery_once():
    """The query as a scalar subquery: PostgreSQL evaluates it once per statement (an InitPlan), where
    `websearch_to_tsquery($1)` beside each row (STABLE, so never folded) parsed and stemmed the query
    again for every match ranked. A plan that does not see the query's words is also the same for
    every query (GIN's default estimate picks the index whatever the word), so the plan a connection
    caches for the statement after five runs is the plan each run would have made."""
    return select(_tsquery()).scalar_subquery()


def _ranked_and_counted(k):
    """PostgreSQL's best `k` claims and articles matching q, and how many match, from one pass over
    each: a GIN match must read each matching row to count it as much as to rank it, so each table's
    matches are ranked once into a materialised CTE that both its top-k and its count read."""
    claim_doc, article_doc = literal_column(CLAIM_DOCUMENT), literal_column(ARTICLE_DOCUMENT)
    matches = select(Claim.id.label("id"), (-func.ts_rank(claim_doc, _tsquery_once())).label("rank")) \
        .where(claim_doc.op("@@")(_tsquery_once())).cte("claim_matches").prefix_with("MATERIALIZED")
    best_claims = select(matches.c.id, matches.c.rank).order_by(matches.c.rank, matches.c.id).limit(k) \
        .subquery("best_claims")
    found = select(Article.id.label("id"), (-func.ts_rank(article_doc, _tsquery_once())).label("rank")) \
        .where(article_doc.op("@@")(_tsquery_once())).cte("article_matches").prefix_with("MATERIALIZED")
    articles = select(found.c.id, found.c.rank).order_by(found.c.rank, found.c.id).limit(k) \
        .cte("article_best").prefix_with("MATERIALIZED")
    total = (select(func.count()).select_from(matches).scalar_subquery()
             + select(func.count()).select_from(found).scalar_subquery())
    return best_claims, select(articles.c.id, articles.c.rank).subquery("article_hits"), total


@functools.cache
def _desk_statement(dialect: str):
    """Desk search's one statement for a page, built once per engine (building it cost more than the
    database's work for a rare word): the best `k` = offset + per_page hits of each engine (a top-k,
    not every match sorted), merged, the page cut, and the total of match counts riding along, on a
    row of its own when the page is past the end."""
    k = bindparam("k", type_=Integer)
    if dialect == "postgresql":
        best_claims, best_articles, total = _ranked_and_counted(k)
    else:
        claims = _claim_hits(dialect, with_article_title=False)
        best_claims = select(claims.c.id, claims.c.rank).order_by(claims.c.rank, claims.c.id).limit(k) \
            .subquery("best_claims")
        best_articles, total = _article_hits(), _match_count()
    both = union_all(
        select(literal("claim").label("kind"), best_claims.c.id, best_claims.c.rank),
        select(literal("article").label("kind"), best_articles.c.id, best_articles.c.rank),
    ).subquery("both")
    page_hits = select(both.c.kind, both.c.id, both.c.rank).order_by(both.c.rank, both.c.kind, both.c.id) \
        .limit(bindparam("per_page", type_=Integer)).offset(bindparam("offset", type_=Integer)).subquery("page_hits")
    totals = select(total.label("total")).subquery("totals")
    # Each hit's own row in the same statement (`_HIT_COLUMNS`): two loads by id after it were two
    # more round trips, which on a busy PostgreSQL server wait as long as the search itself.
    tags = tags_beside(ClaimTag.tag, ClaimTag.claim_id == Claim.id)
    return (select(totals.c.total, page_hits.c.kind, page_hits.c.id, page_hits.c.rank,
                   *(c.label("claim_" + c.name) for c in Claim.__table__.c),
                   Rating.label.label("claim_rating_label"), User.name.label("claim_assignee_name"),
                   tags.label("claim_tags"), *(c.label("article_" + c.key) for c in _ARTICLE_COLUMNS))
            .select_from(totals).outerjoin(page_hits, true())
            .outerjoin(Claim, and_(page_hits.c.kind == "claim", Claim.id == page_hits.c.id))
            .outerjoin(Rating, Rating.id == Claim.rating_id).outerjoin(User, User.id == Claim.assignee_id)
            .outerjoin(Article, and_(page_hits.c.kind == "article", Article.id == page_hits.c.id))
            .order_by(page_hits.c.rank, page_hits.c.kind, page_hits.c.id))


# What desk search shows of an article hit: what the API shows of one and its text (the snippet is cut
# from it), never the page it was imported from (`source_html`).
_ARTICLE_COLUMNS = (Article.id, Article.title, Article.source_url, Article.publisher, Article.author,
                    Article.published_at, Article.revision, Article.claim_count, Article.created_at,
                    Article.updated_at, Article.text)
# A hit's own columns in the desk statement's row, by name: a claim's columns with its rating's label,
# its assignee's name and its tags (`tags_beside`) beside them, as api/serialize.claim_row reads them;
# an article's `_ARTICLE_COLUMNS`.
_HIT_COLUMNS = {
    "claim": tuple(c.name for c in Claim.__table__.c) + ("rating_label", "assignee_name", "tags"),
    "article": tuple(c.key for c in _ARTICLE_COLUMNS),
}


def _own_columns(row, kind: str) -> SimpleNamespace:
    """The hit's own columns out of the desk statement's row, under their own names."""
    names = _HIT_COLUMNS[kind]
    start = 4 if kind == "claim" else 4 + len(_HIT_COLUMNS["claim"])
    return SimpleNamespace(**dict(zip(names, row[start:start + len(names)])))


# ---------------------------------------------------------------- snippets for one page of hits

# The stemmer each engine matches with: FTS5's `porter` tokenizer (migration 0002) is Martin Porter's
# algorithm, PostgreSQL's `english` configuration Snowball's English one; PyStemmer holds both (one
# instance per thread: its stemmers keep state between calls).
STEMMERS = {"sqlite": "porter", "postgresql": "english"}
SNIPPET_SCAN = 60  # candidate words examined per head and document at most: a snippet's cost is bounded
_WORD_CHARS = r"[^\W_]"  # letters and digits, as the engines' tokenisers read words
_WORD_FROM = re.compile(rf"{_WORD_CHARS}*")  # the rest of a word from where it starts
_per_thread = threading.local()


def _stems_of(words: list[str], dialect: str) -> list[str]:
    stemmers = _per_thread.__dict__.setdefault("stemmers", {})
    stemmer = stemmers.get(dialect) or stemmers.setdefault(dialect, Stemmer.Stemmer(STEMMERS[dialect]))
    return stemmer.stemWords([_folded(w) for w in words])


def _folded(word: str) -> str:
    """Lower case without diacritics (FTS5's `remove_diacritics 2`, PostgreSQL's lower-casing)."""
    word = word.lower()
    if word.isascii():
        return word
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


@dataclass(frozen=True)
class _Terms:
    """The query's positive words as the engine stems them, and how candidate words begin (as a stem
    does, or the query's word: a stemmer rewrites only a word's ending)."""

    stems: frozenset[str]
    heads: tuple[str, ...]
    dialect: str

    def matches(self, text: str, limit: int = SNIPPET_SCAN) -> list[tuple[int, int, str]]:
        """(start, end, stem) of the words of `text` that the query names, in text order, from at most
        `limit` candidate words per head. Heads are found by str.find as written, capitalised and in
        capitals (a regex alternation, or lower-casing a whole article first, costs ten times more)."""
        starts: dict[int, int] = {}
        for head in self.heads:
            i, n = text.find(head), 0
            while i != -1 and n < limit:
                if i == 0 or not text[i - 1].isalnum():
                    starts[i] = _WORD_FROM.match(text, i).end()
                    n += 1
                i = text.find(head, i + 1)
        spans = sorted(starts.items())
        stems = _stems_of([text[b:e] for b, e in spans], self.dialect) if spans else []
        return [(b, e, stem) for (b, e), stem in zip(spans, stems) if stem in self.stems]


def query_terms(q: str, dialect: str | None = None) -> _Terms | None:
    """The query's words ready for `snippet` (None when it names none)."""
    dialect = dialect or _dialect()
    words = sorted({w for alternative in parse_query(q) for neg, phrase in alternative if not neg for w in phrase})
    if not words:
        return None
    stems = frozenset(_stems_of(words, dialect))
    heads = {w.lower()[:3] for w in words} | {_folded(w)[:3] for w in words} | {s[:3] for s in stems}
    return _Terms(stems, tuple(sorted({form for h in heads for form in (h, h.capitalize(), h.upper())})), dialect)


def snippet(terms: _Terms | None, text: str, tokens: int = SNIPPET_TOKENS) -> Markup:
    """About `tokens` words of `text` around where the query's words are (the first stretch naming the
    most of them), those words marked; the text's beginning when none is found."""
    if terms is None or not text:
        return Markup("")
    found = terms.matches(text)
    reach = tokens * 8  # characters: more than `tokens` words of English
    anchor, named = 0, 0
    for i, (begin, _, _) in enumerate(found):
        stretch = set()
        for b, _, stem in found[i:]:
            if b - begin >= reach:
                break
            stretch.add(stem)
        count = len(stretch)
        if count > named:
            anchor, named = begin, count
            if count == len(terms.stems):
                break
    since = max(0, anchor - reach)
    while anchor > since and not text[anchor - 1].isspace():
        anchor -= 1  # the window is cut between words, never inside "<b>crane"
    before = text[since:anchor].split()
    if before and since > 0 and not text[since - 1].isspace():
        before = before[1:]  # a word cut by the reach
    lead = before[len(before) - tokens // 3:] if len(before) > tokens // 3 else before
    earlier = len(lead) < len(before) or bool(text[:since].strip())
    after = text[anchor:anchor + 3 * reach].split(None, tokens - len(lead))
    more = len(after) > tokens - len(lead) or bool(text[anchor + 3 * reach:].strip())
    window = " ".join(lead + after[:tokens - len(lead)])
    marked, i = [], 0
    for b, e, _ in terms.matches(window, limit=tokens):
        marked += [window[i:b], HIT_OPEN, window[b:e], HIT_CLOSE]
        i = e
    marked.append(window[i:])
    return mark_hits(("…" if earlier else "") + "".join(marked) + ("…" if more else ""))


def claim_words(claim) -> str:
    """The words of a claim the desk's search matches (quote, wording, claimant, rationale), as text."""
    return " — ".join(part for part in (claim.quote, claim.summary, claim.claimant, claim.rationale) if part)


def article_words(article) -> str:
    return " — ".join(part for part in (article.title, article.text) if part)


# ---------------------------------------------------------------- the interface

def claim_ids_matching(q: str, limit: int = 1000, *, published_only: bool = False) -> list[int]:
    """Ids of claims (any state, or published only) whose own words match q, best first: the queue's
    free-text filter, and "checked before?"'s candidates."""
    if not has_terms(q):
        return []
    dialect = _dialect()
    hits = _claim_hits(dialect, with_article_title=False)
    query = select(hits.c.id).order_by(hits.c.rank, hits.c.id).limit(limit)
    if published_only:
        query = query.join(Claim, Claim.id == hits.c.id).where(Claim.status == Status.published)
    return list(db.session.execute(query, _values(q, dialect)).scalars())


def public_checks_query(dialect: str, *filters):
    """A select of (publication id, rank, claim id, first published) for public checks matching the
    query (bound at run time by `_values`), best first, newest first among equals; extra filters (on
    readers' listing) apply.

    A check is findable by a word of its quote, its wording, its claimant, its rationale or its
    article's title. Which checks readers see, and which publication of each, is readers' listing
    (`PublicCheck`, kept by publishing.publish and withdraw): a key probe per hit, where `is_public()`'s
    latest-and-not-withdrawn subqueries cost PostgreSQL more to plan than the search costs to run.
    """
    hits = _claim_hits(dialect, with_article_title=True)
    if dialect == "postgresql":
        # One key probe per match, always: PostgreSQL estimates the grouped matches at 200 rows whatever
        # the word, and an index probe into uncached pages at four times a page read, so it joined a
        # word's few dozen matches to readers' listing by hashing the whole listing (28,000 rows at
        # 100,000 claims: about half the statement's time). A LATERAL subquery with OFFSET 0 (never
        # merged into the join) is probed once per match through its primary key.
        listed = (select(PublicCheck.claim_id, PublicCheck.publication_id, PublicCheck.first_published_at)
                  .where(PublicCheck.claim_id == hits.c.id, *filters).offset(0).lateral("listed"))
        return (select(listed.c.publication_id, hits.c.rank, listed.c.claim_id, listed.c.first_published_at)
                .select_from(hits).join(listed, true())
                .order_by(hits.c.rank, listed.c.first_published_at.desc(), listed.c.claim_id.desc()))
    return (select(PublicCheck.publication_id, hits.c.rank, PublicCheck.claim_id, PublicCheck.first_published_at)
            .join(hits, hits.c.id == PublicCheck.claim_id).where(*filters)
            .order_by(hits.c.rank, PublicCheck.first_published_at.desc(), PublicCheck.claim_id.desc()))


def _public_page(query):
    """A page (`limit`, `offset`) of `public_checks_query` with what each hit's card shows and its
    snippet is cut from, as plain values in the same statement: the publication shown (its words, its
    rating as published, its tags beside it, as the home's cards read them) — where a page of ORM
    publications with their claim, rating and tags cost two more statements and more Python than the
    search itself."""
    page = query.limit(bindparam("limit", type_=Integer)).offset(bindparam("offset", type_=Integer)) \
        .subquery("page")
    tags = tags_beside(PublicationTag.tag, PublicationTag.publication_id == Publication.id)
    return (select(page.c.publication_id, page.c.rank, page.c.claim_id, page.c.first_published_at,
                   Publication.summary, Publication.quote, Publication.claimant, Publication.rationale_text,
                   RatingVersion.name.label("rating_name"), RatingVersion.label.label("rating_label"),
                   RatingVersion.colour.label("rating_colour"), tags.label("tags"))
            .select_from(page).join(Publication, Publication.id == page.c.publication_id)
            .outerjoin(RatingVersion, RatingVersion.id == Publication.rating_version_id)
            .order_by(page.c.rank, page.c.first_published_at.desc(), page.c.claim_id.desc()))


@functools.cache
def _public_statement(dialect: str):
    """The readers' search with no filter, built once per engine (most searches have none)."""
    return public_checks_query(dialect)


@functools.cache
def _public_page_statement(dialect: str):
    return _public_page(_public_statement(dialect))


def search_public(q: str, page: int = 1, per_page: int = 20, *filters, count: bool = True) -> Results:
    """Public checks matching q (only those: readers never see anything else), with snippets of the
    published words (text, not Markdown); each hit's `obj` is a row of what its card shows
    (`_public_page`: `publication_id`, `claim_id`, `first_published_at`, the publication's `summary`,
    `quote`, `claimant`, its rating's `rating_name`, `rating_label`, `rating_colour`, its `tags` as
    `tags_beside` joins them).

    With count=False the total is not counted (a common word can match thousands of checks; the
    readers' page only needs to know whether there is a next page): `total` is then the number of
    hits up to the end of this page, plus one when there are more.
    """
    if not has_terms(q):
        return Results([], page, per_page, 0)
    dialect = _dialect()
    offset = (page - 1) * per_page
    values = {**_values(q, dialect), "offset": offset, "limit": per_page if count else per_page + 1}
    query = public_checks_query(dialect, *filters) if filters else _public_statement(dialect)
    paged = _public_page(query) if filters else _public_page_statement(dialect)
    if filters:  # a statement built for these filters' values: through the session, compiled as it runs
        rows = db.session.execute(paged, values).all()
    else:
        rows = _public_rows(paged, values)
    if count:
        total = db.session.execute(select(func.count()).select_from(query.order_by(None).subquery()),
                                   values).scalar_one()
    else:
        total = offset + len(rows)
        rows = rows[:per_page]
    terms = query_terms(q, dialect)
    items = [Hit("claim", row.claim_id, row.rank, snippet(terms, published_words(row)), row) for row in rows]
    return Results(items, page, per_page, total)


@functools.cache
def _public_row_type(statement) -> type:
    return namedtuple("PublicHit", [column.name for column in statement.selected_columns])


def _public_rows(statement, values: dict) -> list:
    """The unfiltered readers' search, prebuilt once per engine, run on a driver connection as readers'
    other pages run theirs (public/caching.py `driver_rows`): no ORM session, transaction or result
    processing — on PostgreSQL three round trips fewer (pool ping, BEGIN, COMMIT). Rows under the
    statement's column names, the one timestamp read as its column type would."""
    from .public.caching import driver_rows, driver_time

    row_type = _public_row_type(statement)
    return [row._replace(first_published_at=driver_time(row.first_published_at))
            for row in (row_type(*values_) for values_ in driver_rows(statement, **values))]


def _desk_rows(statement, values: dict) -> list:
    """Desk search's one statement on a driver connection, as readers' search runs (`_public_rows`),
    its typed columns converted as the ORM would (public/caching.py `typed_rows`): the session's
    statement cache key, execution and result processing of a sixty-column statement cost an API
    search on PostgreSQL 0.3 ms of 5.2 (in-process on the bench's 100,000-claim desk; SQLite's
    figures moved within their noise)."""
    from .public.caching import typed_rows

    row_type = _public_row_type(statement)
    return [row_type(*values_) for values_ in typed_rows(statement, **values)]


def published_words(publication) -> str:
    """The words of a publication (or a row with its `quote`, `summary`, `rationale_text`) a reader's
    search matches, as text."""
    return " — ".join(part for part in (publication.quote, publication.summary, publication.rationale_text) if part)


def search_desk(q: str, page: int = 1, per_page: int = 20) -> Results:
    """Articles and claims in any state matching q, ranked together, with snippets (the desk's search);
    each hit's `obj` its own columns (`_HIT_COLUMNS`), read in the page's one statement."""
    if not has_terms(q):
        return Results([], page, per_page, 0)
    offset = (page - 1) * per_page
    dialect = _dialect()
    found = _desk_rows(_desk_statement(dialect), {**_values(q, dialect), "k": offset + per_page,
                                                  "per_page": per_page, "offset": offset})
    total = found[0].total
    terms = query_terms(q, dialect)
    words = {"claim": claim_words, "article": article_words}
    items = [Hit(row.kind, row.id, row.rank, snippet(terms, words[row.kind](obj)), obj)
             for row in found if row.kind is not None for obj in [_own_columns(row, row.kind)]]
    return Results(items, page, per_page, total)
