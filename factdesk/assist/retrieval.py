"""'Checked before?' measured on independent data: social-media posts against checks already published.

The data is the CLEF2020 CheckThat! Task 2 "verified claim retrieval" set (`data/claim-retrieval/`,
its README says where it comes from): 10,375 claims verified by Snopes, and tweets — with their
links, handles and credits — each paired with the verified claim that checks it. Nobody on the
team wrote any of it.

The verified claims are put on a throwaway desk built by the migrations, one claim each, as a desk
would hold them; every post is then asked through the desk's own matcher code. Rankings compared:

- `bm25`: the full-text stage alone (FTS5 bm25 on the raw post, as a plain search box would);
- `rerank`: the full-text candidates re-ordered by `pair_score` alone (the matcher before this report);
- `embedding`: the local sentence-embedding model's nearest claims over the whole desk, from the
  claims' stored vectors (`assist.meaning`, filled as the `claims.vectors` job does);
- `fused`: what `similar_claims` does — full-text candidates of the cleaned post and, with the model,
  the NEAREST claims nearest in meaning, their bm25 order fused with the `pair_score` order and the
  model's order (reciprocal rank fusion: `assist.similar.FUSION` without the model, `FUSION_MEANING`
  with it).

The fusion's weights, NEAREST and the repeat threshold were chosen on the `train` split only (`--tune`
prints the grid on train with dev beside it, and refuses `test`); `dev` and `test` are reported.
MAP@5 is the CheckThat! measure: each post has one
relevant claim, so it is the mean of 1/rank over posts whose claim is in the top five.
Repeats: a post is called a repeat when its best match scores at least the desk's threshold
(`REPEAT_MIN_SCORE`); precision is over posts called repeats (their best match right), recall over
posts that repeat a check. Sentences of the shared web fixtures (news about other things) are asked
too, as posts that repeat nothing.
"""
from __future__ import annotations

import csv
import json
import logging
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "claim-retrieval" / "clef2020-task2"
SPLITS = ("train", "dev", "test")
METHODS = ("bm25", "rerank", "embedding", "fused")
CLAIMS_PER_ARTICLE = 200


def _rows(path: Path, header: bool = True) -> list[list[str]]:
    """A TSV file's rows; the claims and tweets files open with a header line, the qrels files do not."""
    csv.field_size_limit(1 << 30)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    return rows[1:] if header else rows


def load(data: Path = DATA) -> tuple[dict[str, str], dict[str, list[tuple[str, str]]], dict[str, dict[str, str]]]:
    """Verified claims (id → text), posts per split ((id, text)), and each post's relevant claim id."""
    claims = {row[0]: row[1].strip() for row in _rows(data / "verified_claims.tsv") if row[1].strip()}
    posts = {split: [(row[0], row[1]) for row in _rows(data / f"tweets-{split}.tsv")] for split in SPLITS}
    qrels = {split: {row[0]: row[2] for row in _rows(data / f"qrels-{split}.tsv", header=False)
                     if row[3].strip() == "1"} for split in SPLITS}
    return claims, posts, qrels


@dataclass
class Ranked:
    """One post's rankings (claim labels, best first) and the score of its best match."""
    lists: dict[str, list[str]]
    best_score: float
    best_label: str | None


def average_precision_at_5(ranked: list[str], relevant: str) -> float:
    return 1 / (ranked.index(relevant) + 1) if relevant in ranked[:5] else 0.0


def _build_desk(claims: dict[str, str]):
    from ..accounts.users import create_user
    from ..articles.anchoring import anchor_at
    from ..articles.service import create_article
    from ..claims.highlight import add_claim
    from ..extensions import db
    from ..models import Role

    person = create_user("eval@factdesk.test", "Evaluation", Role.checker, "evaluation-only-pass")
    label_of: dict[int, str] = {}
    items = list(claims.items())
    for first in range(0, len(items), CLAIMS_PER_ARTICLE):
        chunk = [(label, " ".join(text.split())) for label, text in items[first:first + CLAIMS_PER_ARTICLE]]
        article = create_article(text="\n\n".join(t for _, t in chunk), by=person,
                                 title=f"Verified claims {first + 1}–{first + len(chunk)}")
        at = 0
        for label, text in chunk:
            start = article.text.index(text, at)
            made = add_claim(article, person, anchor_at(article.text, start, start + len(text)))
            label_of[made.id] = label
            at = start + len(text)
    db.session.commit()
    return label_of


def plain_bm25(text: str, limit: int = 5) -> list[int]:
    """The baseline: the desk's full-text index (FTS5 bm25) asked for every word of the raw post."""
    import re

    from ..search import claim_ids_matching

    words = list(dict.fromkeys(w.lower() for w in re.findall(r"[^\W_]+", text)))
    return claim_ids_matching(" or ".join(words), limit=limit) if words else []


def _rank_post(text: str, label_of: dict[int, str], nearest: int | None = None):
    """The post's rankings by each method, and the desk's own `Ranking` of it (its orders, for tuning)."""
    from . import similar
    from .meaning import vector_index

    lists = {"bm25": [label_of[i] for i in plain_bm25(text)]}
    ranking = similar.rank_candidates(text, nearest=similar.NEAREST if nearest is None else nearest)
    lists["rerank"] = [label_of[i] for i, _ in sorted(ranking.candidates, key=lambda c: (-c[1], c[0]))[:5]]
    query = similar.query_vector(text)
    if query is not None:
        lists["embedding"] = [label_of[i] for i in vector_index().nearest(query, 5)]
    lists["fused"] = [label_of[i] for i, _ in ranking.best[:5]]
    best = ranking.best[0] if ranking.best else None
    return Ranked(lists, best[1] if best else 0.0, label_of[best[0]] if best else None), ranking


def cache_dir() -> Path:
    """Where the corpus's vectors are kept between runs: outside the repository (encoding 10,000
    claims on one CPU thread is most of a run)."""
    return Path(os.environ.get("FACTDESK_RANKERS_CACHE") or Path.home() / ".cache" / "factdesk-rankers")


def _cache_file() -> Path:
    from .meaning import MODEL

    return cache_dir() / f"{MODEL}.npz"


def _load_vectors(model) -> int:
    import numpy

    path = _cache_file()
    if not path.exists():
        return 0
    with numpy.load(path) as saved:
        model.vectors.update(zip(saved["texts"].tolist(), saved["vectors"]))
    return len(model.vectors)


def _save_vectors(model) -> None:
    import numpy

    cache_dir().mkdir(parents=True, exist_ok=True)
    texts = list(model.vectors)
    numpy.savez(_cache_file(), texts=numpy.array(texts, dtype=object).astype(str),
                vectors=numpy.stack([model.vectors[t] for t in texts]))


@contextmanager
def eval_desk(data: Path = DATA):
    """A throwaway desk holding the verified claims (and their vectors, with the `semantic` extra)."""
    from .meaning import embedder, store_vectors
    from ..extensions import db
    from .evaluate import throwaway_desk

    claims, posts, qrels = load(data)
    model = embedder()
    if model is not None:
        model.CACHE = max(model.CACHE, 4 * len(claims))
        _load_vectors(model)
    with throwaway_desk():
        label_of = _build_desk(claims)
        store_vectors()  # the `claims.vectors` job's work, done here at once
        db.session.commit()
        if model is not None:
            _save_vectors(model)
        try:
            yield claims, posts, qrels, label_of
        finally:
            if model is not None:
                _save_vectors(model)


def evaluate(data: Path = DATA, fixtures: Path | None = None, splits: tuple[str, ...] = SPLITS) -> dict:
    """MAP@5 of each ranking per split, and precision/recall of repeats at the desk's threshold."""
    from . import similar
    from .meaning import embedder_name

    with eval_desk(data) as (claims, posts, qrels, label_of):
        report: dict = {"claims": len(claims), "embedding_model": embedder_name(),
                        "threshold": similar.REPEAT_MIN_SCORE,
                        "fusion": similar.FUSION_MEANING if embedder_name() else similar.FUSION,
                        "nearest": similar.NEAREST, "splits": {}}
        for split in splits:
            rows = [(pid, _rank_post(text, label_of)[0]) for pid, text in posts[split] if pid in qrels[split]]
            maps = {m: round(sum(average_precision_at_5(r.lists[m], qrels[split][pid]) for pid, r in rows)
                             / len(rows), 3) for m in METHODS if m in rows[0][1].lists}
            called = [(pid, r) for pid, r in rows if r.best_score >= similar.REPEAT_MIN_SCORE]
            right = sum(1 for pid, r in called if r.best_label == qrels[split][pid])
            report["splits"][split] = {"posts": len(rows), "map_at_5": maps, "repeats_called": len(called),
                                       "repeats_right": right,
                                       "precision": round(right / max(1, len(called)), 3),
                                       "recall": round(right / len(rows), 3)}
        negatives = _negatives(fixtures)
        false = sum(1 for text in negatives if _rank_post(text, label_of)[0].best_score >= similar.REPEAT_MIN_SCORE)
        report["non_repeats"] = {"sentences": len(negatives), "called_repeats": false}
    return report


# Weights tried by `--tune` (the full-text order keeps weight 1), and how many nearest claims join.
TUNE_OVERLAP = (0.0, 0.3, 0.6, 1.0)
TUNE_MEANING = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0)
TUNE_NEAREST = (0, 5, 10, 20, 50)
# Without the model only the overlap order's weight is free (finer steps: it is the one knob).
TUNE_OVERLAP_PLAIN = (0.0, 0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0)


def tune(data: Path = DATA, on: str = "train", check: str = "dev") -> dict:
    """MAP@5 of the fused ranking for every weight and nearest-count of the grid on the `on` split, and
    on `check` for the best ten: how FUSION_MEANING and NEAREST were chosen with the `semantic` extra,
    and FUSION (the overlap weight alone, no nearest claims) without it. Never asked of `test`."""
    from . import similar
    from .meaning import SEMANTIC_EXTRA, embedder

    if "test" in (on, check):
        raise ValueError("the test split is for the report only")
    with eval_desk(data) as (_claims, posts, qrels, label_of):
        with_model = embedder() is not None
        if not with_model:
            log.info("tuning without the '%s' extra: the overlap weight of FUSION only", SEMANTIC_EXTRA)
        nearest = max(TUNE_NEAREST) if with_model else 0
        orders = {split: [(qrels[split][pid], _rank_post(text, label_of, nearest)[1])
                          for pid, text in posts[split] if pid in qrels[split]] for split in (on, check)}

    def score(split: str, weights: dict, k: int) -> float:
        total = 0.0
        for relevant, ranking in orders[split]:
            allowed = {i for i, _ in ranking.candidates} | set(ranking.nearest[:k])
            kept = {name: [i for i in ids if i in allowed] for name, ids in ranking.orders.items()}
            total += average_precision_at_5([label_of[i] for i in similar.fuse(kept, weights)[:5]], relevant)
        return round(total / len(orders[split]), 4)

    if with_model:
        grid = [({"fulltext": 1.0, "overlap": o, "meaning": m}, k)
                for o in TUNE_OVERLAP for m in TUNE_MEANING for k in TUNE_NEAREST]
        current, current_k = similar.FUSION_MEANING, similar.NEAREST
    else:
        grid = [({"fulltext": 1.0, "overlap": o}, 0) for o in TUNE_OVERLAP_PLAIN]
        current, current_k = similar.FUSION, 0
    scored = sorted(((score(on, w, k), w, k) for w, k in grid), key=lambda row: -row[0])
    return {"on": on, "check": check, "semantic": with_model,
            "current": {"fusion": current, "nearest": current_k,
                        on: score(on, current, current_k), check: score(check, current, current_k)},
            "best": [{"fusion": w, "nearest": k, on: s, check: score(check, w, k)} for s, w, k in scored[:10]]}


def _negatives(fixtures: Path | None, limit: int = 400) -> list[str]:
    """News sentences of the shared web fixtures (ten words or more): posts that repeat no check."""
    from ..articles.sentences import split_sentences
    from .evaluate import default_fixtures
    from ..text import canonicalize

    fixtures = fixtures or default_fixtures()
    truth = json.loads((fixtures / "web-articles" / "ground-truth.json").read_text(encoding="utf-8"))
    out: list[str] = []
    for key in sorted(truth):
        out += [s.text for s in split_sentences(canonicalize(truth[key]["articleBody"]))
                if len(s.text.split()) >= 10][:5]
    return out[:limit]


def render(report: dict) -> str:
    lines = [f"checked before? on independent data: CLEF2020 CheckThat! task 2 ({report['claims']:,} verified "
             f"claims; embedding model: {report['embedding_model'] or 'not installed'})"]
    for split, row in report["splits"].items():
        tuned = "tuned on" if split == "train" else "never tuned on"
        maps = "  ".join(f"{m} {v:.3f}" for m, v in row["map_at_5"].items())
        lines.append(f"  {split:<5} ({row['posts']} posts, {tuned}) MAP@5: {maps}")
        lines.append(f"        repeats at score ≥ {report['threshold']}: precision {row['precision']:.3f} "
                     f"({row['repeats_right']} of {row['repeats_called']} called right), recall {row['recall']:.3f}")
    neg = report["non_repeats"]
    lines.append(f"  non-repeats: {neg['called_repeats']} of {neg['sentences']} "
                 "unrelated news sentences called repeats")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--tune" in argv:
        print(json.dumps(tune(), indent=1))
        return 0
    report = evaluate()
    print(json.dumps(report, indent=1) if "--json" in argv else render(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
