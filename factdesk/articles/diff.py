"""The revision diff: the runs of two token sequences that are equal, found within a budget (DESIGN §10).

difflib's SequenceMatcher is quadratic, or worse, on inputs built for it (thousands of swapped short
lines took 7–30 s). Patience diff (the ``patiencediff`` package, in Rust) matches the tokens that occur
once on each side in O(n log n) and recurses between them; difflib only refines the gaps it leaves,
with every step of its inner loop counted against a ``Budget``. A gap the budget cannot pay for stays
unmatched, which for re-anchoring means a claim is flagged (fuzzy or orphaned), never placed wrong.
"""
from __future__ import annotations

from difflib import SequenceMatcher
from typing import Hashable, Sequence

from patiencediff import PatienceSequenceMatcher

Opcode = tuple[str, int, int, int, int]

# Steps of difflib's inner loop one revision may spend (about half a second of Python at worst),
# and at most this much on one gap, so a single huge gap cannot starve the small ones after it.
DIFF_STEPS = 3_000_000
GAP_STEPS = 300_000


class OverBudget(Exception):
    """The diff's budget is spent: the caller falls back to what it has."""


class Budget:
    """Steps left for difflib work; ``charge`` raises OverBudget rather than overspend."""

    def __init__(self, steps: int = DIFF_STEPS):
        self.left = steps
        self.spent = 0

    def charge(self, steps: int) -> None:
        if steps > self.left:
            self.left = 0
            raise OverBudget
        self.left -= steps
        self.spent += steps


class _Counted(SequenceMatcher):
    """difflib, each longest-match search paid for first: the inner loop visits, for every token of
    ``a[alo:ahi]``, each position of that token in ``b``, so that sum is the call's cost in steps."""

    def __init__(self, a: Sequence, b: Sequence, budget: Budget, autojunk: bool):
        self.budget = budget
        budget.charge(len(a) + len(b))
        super().__init__(None, a, b, autojunk=autojunk)

    def find_longest_match(self, alo=0, ahi=None, blo=0, bhi=None):
        ahi = len(self.a) if ahi is None else ahi
        bhi = len(self.b) if bhi is None else bhi
        b2j = self.b2j
        self.budget.charge(2 * (ahi - alo) + (bhi - blo)
                           + sum(len(b2j.get(t, ())) for t in self.a[alo:ahi]))
        return super().find_longest_match(alo, ahi, blo, bhi)


def counted_matching_blocks(a: Sequence, b: Sequence, budget: Budget, *, autojunk: bool = False):
    """difflib's matching blocks of ``a`` and ``b``, paid for from ``budget`` (raises OverBudget)."""
    return _Counted(a, b, budget, autojunk).get_matching_blocks()


def _difflib_opcodes(a: Sequence, b: Sequence, budget: Budget, autojunk: bool) -> list[Opcode] | None:
    gap = Budget(min(GAP_STEPS, budget.left))
    try:
        ops = _Counted(a, b, gap, autojunk).get_opcodes()
    except OverBudget:
        ops = None
    budget.charge(min(gap.spent, budget.left))
    return ops


def _pay_unmatched(la: int, lb: int, budget: Budget) -> None:
    """Charge ``budget`` what ``_difflib_opcodes`` spends on a gap of ``la`` and ``lb`` tokens with no
    token in common: the matcher's set-up (la + lb), then one longest-match search that finds nothing
    (2 la + lb, no positions to visit); a gap whose limit cannot pay both pays what was spent first."""
    limit = min(GAP_STEPS, budget.left)
    setup = la + lb
    if setup > limit:
        return
    budget.charge(setup + 2 * la + lb if setup + 2 * la + lb <= limit else setup)


def opcodes(a: Sequence[Hashable], b: Sequence[Hashable], budget: Budget, *,
            refine: bool = True, autojunk: bool = False) -> list[Opcode]:
    """difflib-style opcodes turning ``a`` into ``b``: patience diff, then (``refine``) difflib inside
    each replaced gap while the budget lasts. Adjacent equal runs are left as they come."""
    if a and b and set(a).isdisjoint(b):
        # No token in common (a changed word, a swapped line's number): both diffs can only answer
        # one replace, so neither is built; the budget is charged what difflib would have spent.
        if refine and budget.left > 0:
            _pay_unmatched(len(a), len(b), budget)
        return [("replace", 0, len(a), 0, len(b))]
    out: list[Opcode] = []
    for tag, i1, i2, j1, j2 in PatienceSequenceMatcher(None, a, b).get_opcodes():
        if tag != "replace" or not refine or budget.left <= 0:
            out.append((tag, i1, i2, j1, j2))
            continue
        if set(a[i1:i2]).isdisjoint(b[j1:j2]):
            _pay_unmatched(i2 - i1, j2 - j1, budget)
            out.append((tag, i1, i2, j1, j2))
            continue
        inner = _difflib_opcodes(a[i1:i2], b[j1:j2], budget, autojunk)
        if inner is None:
            out.append((tag, i1, i2, j1, j2))
            continue
        out += [(t, i1 + x1, i1 + x2, j1 + y1, j1 + y2) for t, x1, x2, y1, y2 in inner]
    return out
