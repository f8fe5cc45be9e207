"""'Checked before?' (DESIGN.md §12): earlier claims that say much the same thing, best first.

Two stages, all on the desk's own data and offline:

1. Full-text retrieval through factdesk.search (FTS5 bm25 on SQLite, ts_rank on PostgreSQL): an OR
   query of the claim's significant words and figures finds up to CANDIDATES claims in any article
   and any state.
2. Re-ranking of those candidates by overlap of word stems and, above all, of figures: two claims
   that both say "10,000" are far likelier to be the same claim than two that share only words.
   When the optional `semantic` extra is installed (assist/meaning.py: a sentence-embedding model
   shipped inside a package, and every claim's stored vector), the claims nearest in meaning join
   the candidates and the model's order joins the fusion.

The same scorer (`pair_score`) serves the page, the API and the offline evaluation.
"""
from __future__ import annotations

import heapq
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Claim
from .meaning import embedder, vector_index, vector_text

CANDIDATES = 100
# With the embedding model: the claims nearest in meaning (stored vectors) that join the candidates
# (chosen on train with the fusion weights below).
NEAREST = 50
MAX_QUERY_TERMS = 16
MIN_SCORE = 0.12
# At or above this, a new sentence says again what a published check rated (monitoring's repeats).
REPEAT_MIN_SCORE = 0.5

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below between
both but by can could did do does doing down during each few for from further had has have having he her here
hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off
on once only or other our ours ourselves out over own same she should so some such than that the their theirs
them themselves then there these they this those through to too under until up very was we were what when where
which while who whom why will with would you your yours yourself yourselves said says say told according stated
state states’ it’s that’s there’s has have been being just also would could may might must shall one
""".split())

_TOKEN = re.compile(r"\d[\d,.]*\d|\d|[^\W\d_]+(?:[’'][^\W\d_]+)?", re.UNICODE)
_SCALE = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "trillion": 1_000_000_000_000}


@lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    """A light English stemmer: enough to meet 'containers'/'container', 'shipped'/'ship'."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    for suffix, keep in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not w.endswith("ss"):
            w = w[: -len(suffix)] + keep
            break
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
        w = w[:-1]  # shipp → ship
    return w


def _number(token: str) -> str | None:
    """A figure in one spelling: '10,000' and '10000' both become '10000'."""
    cleaned = token.replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return str(int(value)) if value == int(value) else str(value)


@dataclass(frozen=True)
class Features:
    stems: frozenset[str]
    numbers: frozenset[str]
    words: tuple[str, ...]  # significant words as written, for the full-text query


# What a social-media post carries besides its words: links, handles, and the "— Name (@handle)
# Month D, YYYY" credit that embedded posts end with. None of it says what is claimed.
_LINK = re.compile(r"(?:https?://|pic\.twitter\.com/|www\.)\S*", re.IGNORECASE)
_CREDIT = re.compile(r"[—–]\s[^—–\n]{0,120}?\(@\w{1,30}\)\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2},\s+\d{4}\W*$")
_HANDLE = re.compile(r"(?<!\w)@\w{1,30}")
_HASHTAG = re.compile(r"#(\w{1,80})")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def post_words(text: str) -> str:
    """A post's own words: links, handles and the trailing credit dropped, #CamelCase tags split."""
    text = _CREDIT.sub(" ", _LINK.sub(" ", text))
    text = _HANDLE.sub(" ", text)
    return _HASHTAG.sub(lambda m: " " + _CAMEL.sub(" ", m.group(1)), text)


def features(text: str) -> Features:
    text = post_words(text or "")
    stems: set[str] = set()
    numbers: set[str] = set()
    words: list[str] = []
    tokens = _TOKEN.findall(text or "")
    for i, token in enumerate(tokens):
        if token[0].isdigit():
            number = _number(token)
            if number is None:
                continue
            following = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
            if following in _SCALE:  # "1.5 million" and "1,500,000" are the same figure
                number = _number(str(float(number) * _SCALE[following]))
            numbers.add(number)
            # Both spellings, so "10000" finds "10,000" in the full-text index and the other way round.
            words.append(token)
            if "." not in number and len(number) > 3:
                words.append(f"{int(number):,}" if "," not in token else number)
            continue
        low = token.lower()
        if low in STOPWORDS or len(low) < 2:
            continue
        stems.add(_stem(low))
        words.append(low)
    unique_words = tuple(dict.fromkeys(words))
    return Features(frozenset(stems), frozenset(numbers), unique_words)


def claim_text(claim: Claim) -> str:
    """What a claim says: the quote and, when written, the checkable wording."""
    return vector_text(claim.quote, claim.summary)


def pair_score(a: Features, b: Features, semantic: float | None = None) -> float:
    """How much two claims say the same thing, 0–1: shared stems (half of it meaning, when the model
    gave one) and shared figures. Figures weigh on top of meaning too: a model finds "7,000 containers"
    and "10,000 containers" close, yet they are different claims."""
    if not a.stems or not b.stems:
        words = 0.0
    else:
        words = len(a.stems & b.stems) / math.sqrt(len(a.stems) * len(b.stems))
    if semantic is not None:
        words = 0.5 * words + 0.5 * max(semantic, 0.0)
    if a.numbers and b.numbers:
        shared = len(a.numbers & b.numbers)
        figures = shared / max(len(a.numbers), len(b.numbers))
        # Different figures about the same subject are a different claim (7,000 is not 10,000).
        score = 0.55 * words + 0.45 * figures if shared else 0.75 * words
    else:
        score = words
    return round(score, 4)


def _fts_query(f: Features) -> str:
    words = list(f.words)
    # Figures first, then the longer (rarer, on the whole) words.
    words.sort(key=lambda w: (not w[0].isdigit(), -len(w)))
    return " or ".join(words[:MAX_QUERY_TERMS])


def candidate_ids(text: str, limit: int = CANDIDATES, *, published_only: bool = False) -> list[int]:
    """Claims (any article, any state, or published only) that share significant words with `text`,
    by full-text rank."""
    from ..search import claim_ids_matching

    query = _fts_query(features(text))
    return claim_ids_matching(query, limit=limit, published_only=published_only) if query else []


def published_repeats(text: str, limit: int = 1, min_score: float = REPEAT_MIN_SCORE,
                      index: PublishedIndex | None = None) -> list[tuple[Claim, float]]:
    """Published checks that say what a new sentence says, best first: "checked before?" asked by
    monitoring, scored by the same `pair_score` (and embedding model, where installed) as the claim page.

    Candidates come from `PublishedIndex` (the published checks' features in memory) rather than one
    full-text query per sentence: monitoring asks this of thousands of sentences an hour.
    """
    return published_repeats_of([text], limit, min_score, index)[0]


def published_repeats_of(texts: list[str], limit: int = 1, min_score: float = REPEAT_MIN_SCORE,
                         index: PublishedIndex | None = None) -> list[list[tuple[Claim, float]]]:
    """`published_repeats` for many sentences at once (one article's), the checks loaded in one query."""
    index = index or published_index()
    found = [index.best(text, limit, min_score) for text in texts]
    ids = {i for best in found for i, _ in best}
    loaded = {c.id: c for c in db.session.execute(
        select(Claim).where(Claim.id.in_(ids)).options(joinedload(Claim.article))).scalars()} if ids else {}
    return [[(loaded[i], score) for i, score in best if i in loaded] for best in found]


class PublishedIndex:
    """The published checks' stems and figures, with postings for finding candidates by shared terms.

    A candidate's rank is the summed inverse document frequency of the terms it shares with the
    sentence (figures as terms too), as the full-text stage ranks by bm25; terms in more than
    COMMON_SHARE of the checks carry no weight. The CANDIDATES best are then scored by `pair_score`.
    """

    COMMON_SHARE = 0.05

    def __init__(self, rows: list[tuple[int, str]], token: tuple = ()):
        self.token = token
        self.texts = dict(rows)
        self.features = {claim_id: features(text) for claim_id, text in rows}
        self.postings: dict[str, list[int]] = {}
        for claim_id, f in self.features.items():
            for term in f.stems | {f"#{n}" for n in f.numbers}:
                self.postings.setdefault(term, []).append(claim_id)
        total = max(len(rows), 1)
        self.idf = {term: math.log(1 + total / len(ids)) for term, ids in self.postings.items()
                    if len(ids) <= max(1, self.COMMON_SHARE * total)}

    def best(self, text: str, limit: int = 1, min_score: float = REPEAT_MIN_SCORE) -> list[tuple[int, float]]:
        target = features(text)
        weights: dict[int, float] = {}
        for term in target.stems | {f"#{n}" for n in target.numbers}:
            weight = self.idf.get(term)
            if weight is None:
                continue
            for claim_id in self.postings[term]:
                weights[claim_id] = weights.get(claim_id, 0.0) + weight
        ids = [i for i, _ in heapq.nlargest(CANDIDATES, weights.items(), key=lambda iw: (iw[1], iw[0]))]
        query = query_vector(text)
        nearest = vector_index().nearest(query, NEAREST, self.texts.__contains__) if query is not None else []
        if not ids and not nearest:
            return []
        ranking = rank_texts(text, [(i, self.texts[i]) for i in ids], [(i, self.texts[i]) for i in nearest],
                             self.features, query)
        return [(i, score) for i, score in ranking.best if score >= min_score][:limit]


_published: dict[str, PublishedIndex] = {}


def published_index() -> PublishedIndex:
    """The index of the published checks of this database as they are now; rebuilt when a check is
    published or taken down. One cheap query tells: the newest publication's id and time
    (publications are append-only, migration 0012, so they name them all; the time tells a database
    emptied and filled again, whose ids start over) and the number of published claims from the
    counts the queue keeps (claims/queue_counts.py). Counting the publications and the published
    claims themselves read every row of both on each article monitored: 20 ms a pass on PostgreSQL
    at 100,000 claims (a sequential scan of 29,075 publications), where ranking an article's
    sentences took as long."""
    from ..models import Publication, QueueCount, Status

    token = tuple(db.session.execute(select(
        select(func.max(Publication.id)).scalar_subquery(),
        select(func.max(Publication.published_at)).scalar_subquery(),
        select(func.coalesce(func.sum(QueueCount.claims), 0)).where(QueueCount.status == Status.published.value)
        .scalar_subquery())).one())
    key = db.engine.url.render_as_string(hide_password=True)
    index = _published.get(key)
    if index is None or index.token != token:
        rows = db.session.execute(select(Claim.id, Claim.quote, Claim.summary)
                                  .where(Claim.status == Status.published)).all()
        index = _published[key] = PublishedIndex([(r.id, vector_text(r.quote, r.summary)) for r in rows], token)
    return index


def similar_claims(claim_or_text: Claim | str, limit: int = 10, exclude_id: int | None = None,
                   min_score: float = MIN_SCORE, *, published_only: bool = False) -> list[tuple[Claim, float]]:
    """Earlier claims that say much the same as a claim (or a text), best first, with a 0–1 score.

    Given a claim, the claim itself is left out and only claims added before it (lower ids) count as
    'earlier'. Costs three queries: full-text candidates, their words, the claims shown.
    """
    if isinstance(claim_or_text, Claim):
        base = claim_or_text
        text = claim_text(base)
        exclude_id = base.id if exclude_id is None else exclude_id
        before = base.id
    else:
        base, text, before = None, claim_or_text, None
    ranking = rank_candidates(text, exclude_id=exclude_id, before_id=before, published_only=published_only)
    best = [(i, score) for i, score in ranking.best if score >= min_score][:limit]
    if not best:
        return []
    loaded = {c.id: c for c in db.session.execute(
        select(Claim).where(Claim.id.in_([i for i, _ in best]))
        .options(joinedload(Claim.rating), joinedload(Claim.article), joinedload(Claim.assignee))
    ).unique().scalars()}
    return [(loaded[i], score) for i, score in best if i in loaded]


# ---------------------------------------------------------------- fusing the rankings

# Reciprocal rank fusion (Cormack et al. 2009): each ranking gives a candidate weight / (K + rank).
# Weights chosen on the CLEF2020 CheckThat! train split only (`python -m factdesk.assist.retrieval
# --tune`: a grid over the weights and NEAREST, MAP@5 on train, dev shown beside; test never asked).
# Without the model (the default install) the full-text order carries the most and the order by shared
# stems and figures is a small second voice: the train grid without the extra (`--tune` in a venv without
# it) put 0.1 first (train 0.748, dev 0.692; 0.6 gave 0.733 / 0.669, 0 gave 0.746 / 0.697).
FUSION_K = 60
FUSION = {"fulltext": 1.0, "overlap": 0.1}
# With the model, the order by meaning over the full-text and nearest candidates joins; the overlap
# order then adds nothing on train (0.826 without it, 0.813 at 0.6), so it gets no weight — figures
# still weigh in the score shown and the repeat threshold (`pair_score`).
FUSION_MEANING = {"fulltext": 1.0, "overlap": 0.0, "meaning": 1.0}


@dataclass
class Ranking:
    """One text's ranking: `candidates` are the full-text candidates in full-text order with their
    `pair_score`; `best` all candidates in fused order with the score shown (the pair score, blended
    with meaning when the model is installed); `nearest` the claims nearest in meaning that joined;
    `orders` each voice's order, as fused."""
    candidates: list[tuple[int, float]]
    best: list[tuple[int, float]]
    nearest: list[int] = field(default_factory=list)
    orders: dict[str, list[int]] = field(default_factory=dict)


def fuse(orders: dict[str, list[int]], weights: dict[str, float] | None = None) -> list[int]:
    if weights is None:
        weights = FUSION_MEANING if "meaning" in orders else FUSION
    weight: dict[int, float] = {}
    for name, ids in orders.items():
        for rank, claim_id in enumerate(ids):
            weight[claim_id] = weight.get(claim_id, 0.0) + weights[name] / (FUSION_K + rank + 1)
    return sorted(weight, key=lambda i: (-weight[i], i))


def query_vector(text: str):
    """The text's vector (its own words, without links and handles), or None without the model."""
    model = embedder()
    return model.vector(post_words(text)) if model else None


def rank_texts(text: str, fulltext: list[tuple[int, str]], nearest: list[tuple[int, str]] = (),
               known: dict[int, Features] | None = None, query=None) -> Ranking:
    """Candidates as (id, text): the full-text ones in full-text order, and those nearest in meaning.
    `known` holds candidates' features already computed; `query` is the text's vector, when the model
    is installed (stored vectors score the candidates that have one; the model encodes the rest)."""
    target = features(text)
    texts = dict(fulltext)
    texts.update((i, t) for i, t in nearest if i not in texts)
    ids = list(texts)
    theirs = {i: (known[i] if known and i in known else features(t)) for i, t in texts.items()}
    overlap = {i: pair_score(target, theirs[i]) for i in ids}
    sims: dict[int, float] = {}
    if query is not None and ids:
        sims = vector_index().similarities(query, ids)
        missing = [i for i in ids if i not in sims]
        if missing:
            sims.update((i, float(v @ query)) for i, v in zip(missing, embedder().encode([texts[i] for i in missing])))
    shown = {i: pair_score(target, theirs[i], sims[i]) for i in ids} if sims else overlap
    orders = {"fulltext": [i for i, _ in fulltext], "overlap": sorted(ids, key=lambda i: (-overlap[i], i))}
    if sims:
        orders["meaning"] = sorted(ids, key=lambda i: (-sims[i], i))
    return Ranking([(i, overlap[i]) for i, _ in fulltext], [(i, shown[i]) for i in fuse(orders)],
                   [i for i, _ in nearest], orders)


def rank_candidates(text: str, *, exclude_id: int | None = None, before_id: int | None = None,
                    published_only: bool = False, nearest: int = NEAREST) -> Ranking:
    """The desk's one ranking for "checked before?": full-text candidates and, with the embedding model,
    the `nearest` claims nearest in meaning, fused with overlap and meaning."""
    fulltext = [i for i in candidate_ids(text, published_only=published_only) if i != exclude_id]
    query = query_vector(text)
    count, nearest = nearest, []
    if query is not None:
        published = published_index().texts if published_only else None

        def keep(claim_id: int) -> bool:
            return (claim_id != exclude_id and (before_id is None or claim_id < before_id)
                    and (published is None or claim_id in published))

        nearest = vector_index().nearest(query, count, keep)
    ids = list(dict.fromkeys(fulltext + nearest))
    if not ids:
        return Ranking([], [])
    rows = select(Claim.id, Claim.quote, Claim.summary).where(Claim.id.in_(ids))
    if before_id is not None:
        rows = rows.where(Claim.id < before_id)
    texts = {row.id: vector_text(row.quote, row.summary) for row in db.session.execute(rows)}
    return rank_texts(text, [(i, texts[i]) for i in fulltext if i in texts],
                      [(i, texts[i]) for i in nearest if i in texts], query=query)
