"""Worst-case inputs for every function that walks article text (DESIGN §10): the work stays proportional.

Each case builds an input family at two sizes, four times apart, and counts the work done at each
(``tests/workcount.py``: lines of Python; ``tests/regex_steps.py``: a backtracking regex engine's
steps). Linear work grows four times; the bound allows n log n, and a quadratic loop (sixteen
times) fails. Wall-clock times at 500,000 characters are the bench's (factdesk/bench/worstcase.py).
"""
from __future__ import annotations

import pytest

from factdesk.articles.anchoring import ANCHORED, FUZZY, MOVED, ORPHANED, anchor_at, reanchor
from factdesk.articles.diff import Budget
from factdesk.articles.watch import short_diff
from tests.workcount import python_steps

GROWTH = 4
# Work may grow up to this much when the input grows GROWTH times (n log n and noise, not n²).
BOUND = GROWTH * 1.5


def _swapped_lines(n: int) -> tuple[str, str]:
    lines = [f"Line {i} is short." for i in range(n)]
    swapped = []
    for i in range(0, n - 1, 2):
        swapped += [lines[i + 1], lines[i]]
    return "\n".join(lines), "\n".join(swapped)


def _anchors(text: str, quotes: list[str]):
    return [anchor_at(text, text.index(q), text.index(q) + len(q)) for q in quotes]


def _grows_linearly(steps_small: int, steps_large: int) -> bool:
    return steps_large <= BOUND * max(steps_small, 1)


def test_reanchor_on_swapped_short_lines_is_proportional():
    # The review's PUT: ~73,000 characters of short lines swapped in pairs took 7-30 s in difflib.
    counts = []
    for n in (500, 500 * GROWTH):
        old, new = _swapped_lines(n)
        anchors = _anchors(old, [f"Line {i} is short." for i in range(1, n, n // 10)])
        placed, steps = python_steps(reanchor, old, new, anchors)
        # never placed wrong without a flag
        assert all(new[b.start:b.end] == a.quote for a, b in zip(anchors, placed) if b.state in (ANCHORED, MOVED))
        counts.append(steps)
    assert _grows_linearly(*counts), counts


def test_short_diff_of_many_tiny_paragraphs_is_proportional():
    counts = []
    for n in (1000, 1000 * GROWTH):
        old = "\n\n".join(f"p{i}" for i in range(n))
        new = "\n\n".join(f"p{i ^ 1}" for i in range(n))  # neighbours swapped
        diff, steps = python_steps(short_diff, old, new)
        assert "+ p1\n" in diff and "− p1\n" in diff and len(diff) <= 900
        counts.append(steps)
    assert _grows_linearly(*counts), counts


def test_spent_budget_flags_claims_in_changed_words_and_keeps_the_rest():
    old = "The minister said 10,000 containers were sent. The army disagreed with every figure given."
    new = "The minister said 11,000 containers were sent. The army disagreed with every figure given."
    changed, kept = _anchors(old, ["said 10,000 containers were", "disagreed with every figure"])
    generous = reanchor(old, new, [changed, kept])
    assert [a.state for a in generous] == ["fuzzy", ANCHORED]
    spent = reanchor(old, new, [changed, kept], budget=Budget(0))
    # Without the budget to compare words, the edited quote is at most flagged, never silently placed.
    assert spent[0].state in (FUZZY, ORPHANED) and spent[1] == generous[1]
    assert spent[0].quote in (changed.quote, generous[0].quote)
