"""Measure extraction quality on the web-article fixtures, by the benchmark's published method.

The method (shared/fixtures/README.md): ``\\w+`` Unicode tokens, 4-token shingles with counts,
true/false positives and false negatives per page normalised to sum to 1, precision and recall
averaged over pages, F1 of the two averages. The desk promises F1 >= 0.97 here (DESIGN.md §5).

    python -m factdesk.articles.score [--baseline] [--worst N] [--split even|odd]
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

_TOKEN = re.compile(r"\w+", re.UNICODE)
SHINGLE = 4


def fixtures_dir() -> Path:
    """The shared fixtures folder: FACTDESK_FIXTURES, else ``shared/fixtures`` next to the repo."""
    env = os.environ.get("FACTDESK_FIXTURES")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "fixtures"


def shingles(text: str, n: int = SHINGLE) -> Counter:
    """Counted n-token shingles; a text shorter than n tokens is one (short) shingle."""
    tokens = _TOKEN.findall(text or "")
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def page_figures(predicted: str, truth: str) -> tuple[float, float]:
    """Precision and recall of one page, from TP/FP/FN normalised to sum to 1.

    Mirrors the benchmark's evaluate script: a side with no shingles scores zero on its axis.
    """
    pred, true = shingles(predicted), shingles(truth)
    tp = sum(min(c, true[s]) for s, c in pred.items() if s in true)
    fp = sum(pred.values()) - tp
    fn = sum(true.values()) - tp
    total = tp + fp + fn
    if total:
        tp, fp, fn = tp / total, fp / total, fn / total
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall


def load_pages(root: Path | None = None) -> list[tuple[str, bytes, str]]:
    """(name, html bytes, true body) for every fixture page, in name order."""
    base = (root or fixtures_dir()) / "web-articles"
    truth = json.loads((base / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for name in sorted(truth):
        html = gzip.decompress((base / "html" / f"{name}.html.gz").read_bytes())
        pages.append((name, html, truth[name].get("articleBody") or ""))
    return pages


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def score_pages(
    extract_fn: Callable[[bytes], str | None],
    pages: Iterable[tuple[str, bytes, str]] | None = None,
) -> dict:
    """Score ``extract_fn(html_bytes) -> text`` over the fixture pages.

    A function that raises, or returns None, scores as an empty extraction for that page.
    Returns ``{"precision", "recall", "f1", "pages": {name: {"precision", "recall", "f1"}}}``.
    """
    per_page: dict[str, dict[str, float]] = {}
    for name, html, truth in pages if pages is not None else load_pages():
        try:
            predicted = extract_fn(html) or ""
        except Exception:  # noqa: BLE001 - a failed page is a zero, not a crash of the benchmark
            predicted = ""
        p, r = page_figures(predicted, truth)
        per_page[name] = {"precision": p, "recall": r, "f1": f1(p, r)}
    n = len(per_page) or 1
    precision = sum(v["precision"] for v in per_page.values()) / n
    recall = sum(v["recall"] for v in per_page.values()) / n
    return {"precision": precision, "recall": recall, "f1": f1(precision, recall), "pages": per_page}


def ours(html: bytes) -> str:
    from factdesk.articles.extract import extract

    return extract(html).text


def plain_trafilatura(html: bytes) -> str | None:
    import trafilatura

    return trafilatura.extract(html)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m factdesk.articles.score", description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", action="store_true", help="also score plain trafilatura")
    parser.add_argument("--worst", type=int, default=10, help="how many of the worst pages to list")
    parser.add_argument("--split", choices=["all", "even", "odd"], default="all",
                        help="score only every other page (a held-out check)")
    args = parser.parse_args(argv)

    pages = load_pages()
    if args.split != "all":
        pages = pages[0 if args.split == "even" else 1 :: 2]
    result = score_pages(ours, pages)
    worst = sorted(result["pages"].items(), key=lambda kv: kv[1]["f1"])[: args.worst]
    print(f"worst {len(worst)} of {len(result['pages'])} pages:")
    for name, v in worst:
        print(f"  {name[:16]}  P={v['precision']:.3f} R={v['recall']:.3f} F1={v['f1']:.3f}")
    print(f"factdesk     precision={result['precision']:.4f} recall={result['recall']:.4f} F1={result['f1']:.4f}")
    if args.baseline:
        base = score_pages(plain_trafilatura, pages)
        print(f"trafilatura  precision={base['precision']:.4f} recall={base['recall']:.4f} F1={base['f1']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
