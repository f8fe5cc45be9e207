"""The revision diff (factdesk/articles/diff.py): patience diff, difflib in its gaps, within a budget."""
from __future__ import annotations

import random

import pytest
from patiencediff import PatienceSequenceMatcher

from factdesk.articles import diff
from factdesk.articles.diff import Budget, opcodes


def _opcodes_through_difflib(a, b, budget: Budget, autojunk: bool = False):
    """What ``opcodes`` answers when every replaced gap goes through difflib (no shortcut)."""
    out = []
    for tag, i1, i2, j1, j2 in PatienceSequenceMatcher(None, a, b).get_opcodes():
        if tag != "replace" or budget.left <= 0:
            out.append((tag, i1, i2, j1, j2))
            continue
        inner = diff._difflib_opcodes(a[i1:i2], b[j1:j2], budget, autojunk)
        if inner is None:
            out.append((tag, i1, i2, j1, j2))
            continue
        out += [(t, i1 + x1, i1 + x2, j1 + y1, j1 + y2) for t, x1, x2, y1, y2 in inner]
    return out


def _pairs(seed: int, count: int):
    rng = random.Random(seed)
    for _ in range(count):
        # b from other tokens, from the same ones, or mixed (gaps with nothing in common inside)
        other = rng.choice(["uvwxyz", "abcdefgh", "abcuvw"])
        a = [rng.choice("abcdefgh") for _ in range(rng.randint(1, 12))]
        b = [rng.choice(other) for _ in range(rng.randint(1, 12))]
        yield a, b


@pytest.mark.parametrize("steps", [0, 1, 2, 4, 7, 11, 19, 40, 10_000])
def test_gaps_with_nothing_in_common_answer_and_cost_what_difflib_would(steps):
    # The shortcut for a gap with no token in common (one replace, no matcher built) gives the same
    # opcodes and leaves the same budget as difflib refining it, also where the budget runs out
    # during difflib's set-up or its one search.
    for a, b in _pairs(steps, 300):
        fast, slow = Budget(steps), Budget(steps)
        assert opcodes(a, b, fast) == _opcodes_through_difflib(a, b, slow), (a, b)
        assert (fast.left, fast.spent) == (slow.left, slow.spent), (a, b)


def test_gap_limit_applies_to_gaps_with_nothing_in_common(monkeypatch):
    monkeypatch.setattr(diff, "GAP_STEPS", 9)
    for a, b in (("ab", "xy"), ("abc", "xyz"), ("a", "x"), ("abcd", "wxyz")):
        fast, slow = Budget(1000), Budget(1000)
        assert opcodes(a, b, fast) == _opcodes_through_difflib(a, b, slow) == [("replace", 0, len(a), 0, len(b))]
        assert (fast.left, fast.spent) == (slow.left, slow.spent), (a, b)


def test_unrefined_opcodes_charge_nothing():
    budget = Budget(100)
    assert opcodes("abc", "xyz", budget, refine=False) == [("replace", 0, 3, 0, 3)]
    assert budget.spent == 0
