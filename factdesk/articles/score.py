"""Measure extraction quality on the web-article fixtures, by the benchmark's published method.

Text (shared/fixtures/README.md): ``\\w+`` Unicode tokens, 4-token shingles with counts, true/false
positives and false negatives per page normalised to sum to 1, precision and recall averaged over
pages, F1 of the two averages. The desk promises F1 >= 0.97 here and >= 0.96 on pages it has not seen
(DESIGN.md §5), so the rules are also checked out of sample: the pages are split into five folds by
site (a site's pages never sit on both sides), and for each fold the rule set that scores best on the
other four is scored on it. The held-out F1 pools those scores.

Metadata: the team's labels (factdesk/articles/labels/, from each page's visible byline) per field,
before (trafilatura's metadata alone) and after (the desk's sources in order), on the folds the
metadata rules were tuned on and on the two folds nobody looked at while writing them.

    python -m factdesk.articles.score [--baseline] [--worst N]
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import itertools
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit

_TOKEN = re.compile(r"\w+", re.UNICODE)
SHINGLE = 4
FOLDS = 5
TUNED_FOLDS = (0, 1, 2)  # the metadata rules were written looking at these folds' pages only
LABELS = Path(__file__).with_name("labels") / "metadata.json"
FIELDS = ("title", "authors", "date", "publisher", "canonical_url")


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


# --- folds by site ------------------------------------------------------------------------------

def site(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def fold_of(url: str) -> int:
    """The fold of a page, fixed by its site's name (stable across runs and machines)."""
    return int(hashlib.sha1(site(url).encode()).hexdigest(), 16) % FOLDS


def _pooled(per_page: dict[str, tuple[float, float]]) -> dict:
    n = len(per_page) or 1
    precision = sum(p for p, _ in per_page.values()) / n
    recall = sum(r for _, r in per_page.values()) / n
    return {"precision": precision, "recall": recall, "f1": f1(precision, recall), "pages": len(per_page)}


def cross_validate(pages: list[tuple[str, bytes, str]], urls: dict[str, str]) -> dict:
    """Each fold scored with the rule set chosen on the other folds; plus each rule's held-out effect."""
    import trafilatura

    from factdesk.articles import extract as ex

    subsets = [frozenset(c) for k in range(len(ex.ALL_RULES) + 1) for c in itertools.combinations(ex.ALL_RULES, k)]
    figures: dict[frozenset, dict[str, tuple[float, float]]] = {s: {} for s in subsets}
    for name, html, truth in pages:
        tree = trafilatura.load_html(html)
        found, _ = ex._metadata(tree, None)
        ld = ex._json_ld(tree)
        modes = {True: ex.read_modes(tree, None, frozenset({"embedded_posts"})),
                 False: ex.read_modes(tree, None, frozenset())}
        for rules in subsets:
            text, _ = ex.compose_body(modes["embedded_posts" in rules], tree, found["title"], ld, rules)
            figures[rules][name] = page_figures(text, truth)
    fold = {name: fold_of(urls[name]) for name, _, _ in pages}
    held_out: dict[str, tuple[float, float]] = {}
    chosen = {}
    for k in range(FOLDS):
        train = [n for n in fold if fold[n] != k]
        best = max(subsets, key=lambda rules: (_pooled({n: figures[rules][n] for n in train})["f1"], len(rules)))
        chosen[k] = sorted(best)
        held_out.update({n: figures[best][n] for n in fold if fold[n] == k})
    effect = {}
    for rule in ex.ALL_RULES:
        without = ex.RULES - {rule}
        per_fold = []
        for k in range(FOLDS):
            names = [n for n in fold if fold[n] == k]
            if names:
                per_fold.append(_pooled({n: figures[ex.RULES][n] for n in names})["f1"]
                                - _pooled({n: figures[without][n] for n in names})["f1"])
        effect[rule] = {"helps_in_folds": sum(d > 0 for d in per_fold), "hurts_in_folds": sum(d < 0 for d in per_fold),
                        "mean_gain": sum(per_fold) / len(per_fold), "kept": rule in ex.RULES}
    return {"held_out": _pooled(held_out), "in_sample": _pooled(figures[ex.RULES]), "chosen": chosen,
            "effect": effect, "folds": Counter(fold.values())}


# --- metadata against the team's labels ---------------------------------------------------------

def load_labels(path: Path = LABELS) -> dict[str, dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def _words(value: str | None) -> str:
    words = _TOKEN.findall((value or "").lower())
    return " ".join(words[1:] if words[:1] == ["the"] else words)


def _names(value: str | None) -> set[str]:
    return {_words(n) for n in re.split(r";", value or "") if _words(n)}


def field_correct(field: str, label, predicted: dict) -> bool:
    """Is the predicted field the labelled one? Words compared without case or punctuation; authors as a set."""
    if field == "authors":
        return _names(predicted.get("author")) == {_words(n) for n in label}
    if field == "date":
        return predicted.get("published_at") == label
    if field == "canonical_url":
        return (predicted.get("url") or "").rstrip("/") == label.rstrip("/")
    return _words(predicted.get(field)) == _words(label)


def trafilatura_metadata(html: bytes, url: str) -> dict:
    """What trafilatura's metadata alone says (the desk read it first before the structured data)."""
    import trafilatura

    meta = trafilatura.extract_metadata(trafilatura.load_html(html), default_url=url)
    return {"title": meta.title, "author": meta.author, "publisher": meta.sitename, "published_at": meta.date,
            "url": meta.url or url}


def desk_metadata(html: bytes, url: str) -> dict:
    from factdesk.articles.extract import extract

    found = extract(html, url=url)
    return {"title": found.title, "author": found.author, "publisher": found.publisher,
            "published_at": found.published_at, "url": found.url}


def score_metadata(read: Callable[[bytes, str], dict], pages: list[tuple[str, bytes, str]], labels: dict,
                   urls: dict[str, str]) -> dict:
    """Accuracy per field, on the tuned folds and on the held-out ones: {"tuned"|"held_out": {field: (right, of)}}."""
    out = {"tuned": {f: [0, 0] for f in FIELDS}, "held_out": {f: [0, 0] for f in FIELDS}}
    for name, html, _ in pages:
        if name not in labels:
            continue
        # As an import from a test server would see it: the fetch address says nothing about the page.
        predicted = read(html, f"http://127.0.0.1:8000/{name[:12]}.html")
        side = out["tuned" if fold_of(urls[name]) in TUNED_FOLDS else "held_out"]
        for field in FIELDS:
            label = labels[name].get(field)
            if label is None:
                continue
            side[field][1] += 1
            side[field][0] += field_correct(field, label, predicted)
    return out


def _accuracy(pair) -> str:
    right, of = pair
    return f"{right / of:.2f} ({right}/{of})" if of else "—"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m factdesk.articles.score", description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", action="store_true", help="also score plain trafilatura")
    parser.add_argument("--worst", type=int, default=10, help="how many of the worst pages to list")
    args = parser.parse_args(argv)

    pages = load_pages()
    truth = json.loads((fixtures_dir() / "web-articles" / "ground-truth.json").read_text(encoding="utf-8"))
    urls = {name: truth[name]["url"] for name, _, _ in pages}
    result = score_pages(ours, pages)
    worst = sorted(result["pages"].items(), key=lambda kv: kv[1]["f1"])[: args.worst]
    print(f"worst {len(worst)} of {len(result['pages'])} pages:")
    for name, v in worst:
        print(f"  {name[:16]}  P={v['precision']:.3f} R={v['recall']:.3f} F1={v['f1']:.3f}")
    print(f"text, in sample ({len(pages)} pages, the rules as kept)")
    print(f"  factdesk     precision={result['precision']:.4f} recall={result['recall']:.4f} F1={result['f1']:.4f}")
    if args.baseline:
        base = score_pages(plain_trafilatura, pages)
        print(f"  trafilatura  precision={base['precision']:.4f} recall={base['recall']:.4f} F1={base['f1']:.4f}")
    cv = cross_validate(pages, urls)
    held = cv["held_out"]
    print(f"text, held out ({FOLDS} folds by site, {dict(sorted(cv['folds'].items()))} pages; each fold scored with "
          f"the rules chosen on the other four)")
    print(f"  factdesk     precision={held['precision']:.4f} recall={held['recall']:.4f} F1={held['f1']:.4f}"
          + (f"   (trafilatura alone F1={base['f1']:.4f}: it is tuned on none of them)" if args.baseline else ""))
    for k, rules in cv["chosen"].items():
        print(f"  fold {k}: rules chosen on the other folds: {', '.join(rules) or 'none'}")
    print("  each rule, the kept set against the kept set without it, per fold:")
    for rule, e in cv["effect"].items():
        print(f"    {rule:20} helps in {e['helps_in_folds']} folds, hurts in {e['hurts_in_folds']}, "
              f"mean F1 gain {e['mean_gain']:+.4f}{'' if e['kept'] else '  (not kept)'}")

    labels = load_labels()
    before = score_metadata(trafilatura_metadata, pages, labels, urls)
    after = score_metadata(desk_metadata, pages, labels, urls)
    for side, what in (("tuned", f"folds {', '.join(map(str, TUNED_FOLDS))}, which the metadata rules were tuned on"),
                       ("held_out", "the other folds, not looked at while writing the rules")):
        print(f"metadata accuracy, {len(labels)} labelled pages: {what}")
        print(f"  {'field':14} {'before (trafilatura)':>22} {'after (factdesk)':>22}")
        for field in FIELDS:
            print(f"  {field:14} {_accuracy(before[side][field]):>22} {_accuracy(after[side][field]):>22}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
