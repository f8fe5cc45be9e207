"""The bench's `worst_case_text` row (DESIGN.md §10): every function that walks article text, timed on
inputs built to be its worst case, at the 500,000-character limit; the slowest must stay under 2 s.

The inputs (``worst_texts``) are the same families the step-counting suite (tests/bench/test_worstcase.py)
uses at small sizes: long runs of one character, repeated sentences, thousands of swapped lines,
huge numbers of tiny paragraphs, runs of full stops and initials, names, figures.

    python -m factdesk.bench.worstcase      # the row alone, as JSON
"""
from __future__ import annotations

import json
import sys
import time
from typing import Callable

from . import report

LIMIT = 500_000
TARGET_SECONDS = 2.0
SENTENCE = "The minister said 10,000 containers were sent to Russia in 2023. "


def swapped_lines(lines: int) -> tuple[str, str]:
    """Short numbered lines, and the same lines swapped in pairs (the review's 7-30 s revision)."""
    text = [f"Line {i} is short." for i in range(lines)]
    swapped: list[str] = []
    for i in range(0, lines - 1, 2):
        swapped += [text[i + 1], text[i]]
    return "\n".join(text), "\n".join(swapped)


def worst_texts(n: int) -> dict[str, str]:
    """Texts of about ``n`` characters built to be worst cases for diffing, matching and regexes."""
    return {
        "space run": "Alpha" + " " * n + "beta said 10,000.",
        "repeated sentences": SENTENCE * (n // len(SENTENCE)),
        "swapped lines": swapped_lines(n // 18)[1],
        "tiny paragraphs": "\n\n".join("p." for _ in range(n // 4)),
        "full stops": "." * n + " A",
        "initials": "U. " * (n // 3) + "End.",
        "one long word": "a" * n,
        "names": "Alpha Beta of the Gamma " * (n // 24),
        "figures": "1.1," * (n // 4) + " dollars",
    }


def revised(text: str) -> str:
    """The revision a checker might save: a sentence inserted in the middle."""
    return text[: len(text) // 2] + " An edit. " + text[len(text) // 2:]


def chain_highlights(text: str, every: int = 40, length: int = 60) -> list[dict]:
    """A highlight every ``every`` characters, each overlapping the next."""
    return [{"start": s, "end": min(len(text), s + length), "id": i, "css_class": "hl", "href": f"#c{i}",
             "title": "claim"} for i, s in enumerate(range(0, max(len(text) - 1, 1), every))]


def claim_spans(text: str, every: int = 400, length: int = 30) -> list[tuple[int, int]]:
    return [(s, s + length) for s in range(0, len(text) - length - 1, every) if text[s:s + length].strip()]


def page(body: str) -> bytes:
    return f"<html><head><title>T</title></head><body><article>{body}</article></body></html>".encode()


def _functions() -> dict[str, Callable[[str], object]]:
    from ..articles.anchoring import anchor_at, find_quote, reanchor
    from ..articles.extract import MAX_ELEMENTS, extract
    from ..articles.marks import render_marked_text
    from ..articles.sentences import split_sentences
    from ..assist.suggestions import suggest
    from ..articles.watch import short_diff
    from ..assist.similar import features
    from ..errors import DomainError
    from ..search import HIT_OPEN, mark_hits
    from ..text import canonicalize

    def anchoring(text: str):
        words = text.split()
        quote = " ".join(words[len(words) // 2:len(words) // 2 + 6]) or text[:20]
        try:
            return find_quote(text, quote.replace(" ", "\n  "))
        except DomainError as refused:  # ambiguous or not found: the work is what counts
            return refused

    def reanchoring(text: str):
        anchors = [anchor_at(text, s, e) for s, e in claim_spans(text)[:300]]
        return reanchor(text, revised(text), anchors)

    def extraction(text: str):
        # As many paragraphs as a page the desk still reads may hold (html, head, title, body, article).
        body = "".join(f"<p>{line}</p>" for line in text.split("\n\n")[:MAX_ELEMENTS - 5]) if "\n\n" in text \
            else f"<p>{text}</p>"
        try:
            return extract(page(body))
        except DomainError as refused:
            return refused

    return {
        "canonicalize": canonicalize,
        "find_quote": anchoring,
        "reanchor": reanchoring,
        "source watch diff": lambda text: short_diff(text, revised(text)),
        "marks": lambda text: render_marked_text(text, chain_highlights(text)),
        "sentences": split_sentences,
        "suggestions": lambda text: suggest(text, limit=10),
        "similar claims": features,
        "extraction": extraction,
        "search snippets": lambda text: mark_hits(text.replace("a", HIT_OPEN, 1000)),
    }


RUNS = 3


def _seconds(fn, text: str) -> float:
    """The median of RUNS runs of fn(text): one run's figure moved with whatever else the machine ran
    (the same code on one machine: extraction 0.52-1.29 s over four bench runs, the other functions
    with it), which is not the function's own cost; the median still counts a slow input every time."""
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn(text)
        times.append(time.perf_counter() - started)
    return sorted(times)[RUNS // 2]


def measure(n: int = LIMIT, echo=lambda line: None) -> dict:
    """The `worst_case_text` report row: per function, its slowest input at ``n`` characters (each
    timed as the median of RUNS runs)."""
    inputs = worst_texts(n)
    inputs["swapped lines (revision)"] = swapped_lines(n // 18)[0]
    slowest: dict[str, dict] = {}
    for name, fn in _functions().items():
        worst = (0.0, "")
        for kind, text in inputs.items():
            worst = max(worst, (_seconds(fn, text), kind))
        slowest[name] = {"seconds": round(worst[0], 3), "input": worst[1]}
        echo(f"  {name}: {worst[0]:.2f} s on {worst[1]}")
    # The revision of the review: swapped lines against the same lines, through re-anchoring.
    old, new = swapped_lines(n // 18)
    from ..articles.anchoring import anchor_at, reanchor
    seconds = _seconds(lambda _: reanchor(old, new, [anchor_at(old, s, e) for s, e in claim_spans(old)[:300]]), old)
    if seconds > slowest["reanchor"]["seconds"]:
        slowest["reanchor"] = {"seconds": round(seconds, 3), "input": "lines swapped in pairs"}
    name, worst = max(slowest.items(), key=lambda kv: kv[1]["seconds"])
    return report.row("worst_case_text", worst["seconds"], TARGET_SECONDS, unit="s",
                      explains=f"slowest worst-case input at {n:,} characters ({name}, {worst['input']}) "
                               f"vs the {TARGET_SECONDS:g} s budget", functions=slowest, characters=n)


if __name__ == "__main__":
    print(json.dumps(measure(echo=lambda line: print(line, file=sys.stderr)), indent=2))
