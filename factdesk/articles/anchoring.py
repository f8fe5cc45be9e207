"""Claim anchors in canonical article text: make them, find a quote, re-anchor after a revision (DESIGN §4).

An anchor is the W3C TextPositionSelector (``start``/``end``, code-point offsets into the canonical text)
plus the TextQuoteSelector (``quote``, up to ``PREFIX_LEN`` characters of ``prefix`` and ``suffix``).
Pure functions, no Flask, no database: pages, API and CLI all call these.

Invariant: for every anchor whose state is not ``orphaned``, ``text[start:end] == quote``.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

from factdesk.errors import ConflictError, ValidationError

from .diff import Budget, OverBudget, counted_matching_blocks, opcodes

PREFIX_LEN = 32
MAX_QUOTE = 2000

ANCHORED, MOVED, FUZZY, ORPHANED = "anchored", "moved", "fuzzy", "orphaned"
STATES = (ANCHORED, MOVED, FUZZY, ORPHANED)

# A fuzzy re-anchor is accepted when the new span's text is still this close to the old quote
# (difflib ratio 2*M/T over code points, M matched, T both lengths; this implies the shorter is at
# least 0.6 of the longer, which is checked first so a span swallowed by a big rewrite costs nothing).
FUZZY_MIN_RATIO = 0.75
# The exact quote found elsewhere counts as "the same claim moved" when its context still agrees
# this many characters (prefix end + suffix start; fewer when the stored context was shorter) ...
MIN_CONTEXT_MATCH = 16
# ... or, failing a fuzzy match in place, when it is the only occurrence of a quote this long.
MIN_UNIQUE_QUOTE = 12
# Cap on occurrences examined or reported for one quote (a one-word quote may occur very often).
MAX_OCCURRENCES = 1000

# Diff granularity: sentence-ish chunks everywhere, words inside changed chunks, characters inside
# changed word runs up to CHAR_CAP a side. Larger changed blocks, and any the diff's budget cannot
# pay for, are left unrefined, which can only make a fuzzy re-anchor fail (orphan), never wrong.
CHAR_CAP = 400


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a claim sits in an article's canonical text, and how its last re-anchor went."""

    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    state: str = ANCHORED

    def as_dict(self) -> dict:
        """The API's `anchor` object."""
        return {"start": self.start, "end": self.end, "quote": self.quote,
                "prefix": self.prefix, "suffix": self.suffix, "state": self.state}


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    return text[max(0, start - PREFIX_LEN):start], text[end:end + PREFIX_LEN]


def _make(text: str, start: int, end: int, state: str = ANCHORED) -> Anchor:
    prefix, suffix = _context(text, start, end)
    return Anchor(start, end, text[start:end], prefix, suffix, state)


def anchor_at(text: str, start: int, end: int, *, max_quote: int = MAX_QUOTE) -> Anchor:
    """Anchor the span ``text[start:end]`` (a browser selection or an API ``start``/``end``)."""
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
        raise ValidationError("start and end must be whole numbers.", code="invalid_anchor",
                              fields={"start": start, "end": end})
    if not 0 <= start < end <= len(text):
        raise ValidationError(
            f"The selection {start}–{end} is not inside the article text (0–{len(text)}).",
            code="invalid_anchor", fields={"start": start, "end": end, "length": len(text)})
    if end - start > max_quote:
        raise ValidationError(f"A quote can be at most {max_quote} characters long.",
                              code="invalid_anchor", fields={"max_quote": max_quote})
    if not text[start:end].strip():
        raise ValidationError("The selection holds only whitespace.", code="invalid_anchor",
                              fields={"start": start, "end": end})
    return _make(text, start, end)


# --- finding a quote -----------------------------------------------------------------------------

# One-for-one character folding, so offsets in the folded text are offsets in the original.
_FOLD = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-",
})
_WS = re.compile(r"\s+")


def _fold(s: str) -> str:
    return s.translate(_FOLD)


def _squash(s: str) -> str:
    return _WS.sub(" ", _fold(s))


def _common_prefix_len(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def _common_suffix_len(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[-1 - i] == b[-1 - i]:
        i += 1
    return i


def _context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> int:
    """How many characters of the stored context agree with the text around ``[start, end)``."""
    score = 0
    if prefix:
        score += _common_suffix_len(prefix, text[max(0, start - len(prefix)):start])
    if suffix:
        score += _common_prefix_len(suffix, text[end:end + len(suffix)])
    return score


def _loose_context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> int:
    score = 0
    if prefix:
        score += _common_suffix_len(_squash(prefix),
                                    _squash(text[max(0, start - 2 * len(prefix)):start]))
    if suffix:
        score += _common_prefix_len(_squash(suffix), _squash(text[end:end + 2 * len(suffix)]))
    return score


def _occurrences(text: str, quote: str, limit: int = MAX_OCCURRENCES) -> list[int]:
    found, i = [], text.find(quote)
    while i != -1 and len(found) < limit:
        found.append(i)
        i = text.find(quote, i + 1)
    return found


def _loose_spans(text: str, quote: str, limit: int = MAX_OCCURRENCES) -> list[tuple[int, int]]:
    words = _fold(quote).split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    spans = []
    for m in pattern.finditer(_fold(text)):
        spans.append(m.span())
        if len(spans) >= limit:
            break
    return spans


def _ambiguous(text: str, spans: Sequence[tuple[int, int]]) -> ConflictError:
    occurrences = []
    for s, e in spans:
        prefix, suffix = _context(text, s, e)
        occurrences.append({"start": s, "end": e, "prefix": prefix, "suffix": suffix})
    return ConflictError(
        f"The quote occurs {len(spans)} times in the article; say which one.",
        code="ambiguous_quote", fields={"occurrences": occurrences})


def find_quote(text: str, quote: str, prefix: str | None = None, suffix: str | None = None,
               *, max_quote: int = MAX_QUOTE) -> Anchor:
    """Anchor a typed or pasted quote: the exact text first, then whitespace- and quote-mark-tolerant.

    The quote is taken NFC and without leading or trailing whitespace; the anchor is always the
    canonical text's own span (its quote marks, its line breaks).

    Several occurrences are told apart by ``prefix``/``suffix`` (the one whose surroundings agree
    best, if it is the only best); otherwise ConflictError ``ambiguous_quote`` lists them all.
    """
    if not isinstance(quote, str) or not quote.strip():
        raise ValidationError("The quote is empty.", code="invalid_anchor", fields={"quote": quote})
    quote = unicodedata.normalize("NFC", quote).strip()
    if len(quote) > max_quote:
        raise ValidationError(f"A quote can be at most {max_quote} characters long.",
                              code="invalid_anchor", fields={"max_quote": max_quote})
    prefix = unicodedata.normalize("NFC", prefix or "")
    suffix = unicodedata.normalize("NFC", suffix or "")

    spans = [(s, s + len(quote)) for s in _occurrences(text, quote)]
    score = _context_score
    if not spans:
        spans = _loose_spans(text, quote)
        score = _loose_context_score
    if not spans:
        raise ValidationError("The quote does not occur in the article text.",
                              code="quote_not_found", fields={"quote": quote})
    if len(spans) > 1:
        if not (prefix or suffix):
            raise _ambiguous(text, spans)
        scored = sorted(((score(text, s, e, prefix, suffix), s, e) for s, e in spans), reverse=True)
        if scored[0][0] == 0 or scored[0][0] == scored[1][0]:
            raise _ambiguous(text, [(s, e) for sc, s, e in scored if sc == scored[0][0]]
                             if scored[0][0] else spans)
        spans = [scored[0][1:]]
    start, end = spans[0]
    if end - start > max_quote:
        raise ValidationError(f"A quote can be at most {max_quote} characters long.",
                              code="invalid_anchor", fields={"max_quote": max_quote})
    return _make(text, start, end)


# --- mapping old offsets to new through a diff ---------------------------------------------------

_CHUNK_END = re.compile(r"\n+|[.!?;:\u2026][\"'\u201d\u2019)\]]*[ \t]+")
_WORD = re.compile(r"\w+\s*|[^\w\s]\s*|\s+")


def _chunks(s: str) -> list[str]:
    out, last = [], 0
    for m in _CHUNK_END.finditer(s):
        out.append(s[last:m.end()])
        last = m.end()
    if last < len(s):
        out.append(s[last:])
    return out


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    lo, step = 0, 4096
    while lo < n:
        hi = min(n, lo + step)
        if a[lo:hi] != b[lo:hi]:
            break
        lo = hi
    else:
        return n
    hi = min(n, lo + step)
    while lo < hi:  # a[:lo] == b[:lo] and a[:hi] != b[:hi]
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    n = min(len(a), len(b), limit)
    return _common_prefix(a[len(a) - n:][::-1], b[len(b) - n:][::-1])


class _Mapping:
    """Runs of characters that are equal in the old and the new text, found by a layered diff.

    ``segments`` holds ``(old_start, new_start, size)`` in increasing order on both sides. A layered
    diff (common prefix and suffix, sentence-ish chunks, then words, then characters inside changed
    blocks), each layer a budgeted patience diff (factdesk.articles.diff), keeps the work near-linear
    on any 500k-character pair; a block the budget cannot refine stays one change.
    """

    def __init__(self, old: str, new: str, budget: Budget | None = None):
        self.old, self.new = old, new
        self.budget = budget or Budget()
        p = _common_prefix(old, new)
        s = _common_suffix(old, new, min(len(old), len(new)) - p)
        segs: list[tuple[int, int, int]] = []
        if p:
            segs.append((0, 0, p))
        self._diff(old[p:len(old) - s], new[p:len(new) - s], p, p, 0, segs)
        if s:
            segs.append((len(old) - s, len(new) - s, s))
        self.segments = segs
        self._old_starts = [o for o, _, _ in segs]

    def _diff(self, a: str, b: str, ao: int, bo: int, level: int,
              out: list[tuple[int, int, int]]) -> None:
        if not a or not b:
            return
        if level == 0:
            ta, tb = _chunks(a), _chunks(b)
        elif level == 1:
            ta, tb = _WORD.findall(a), _WORD.findall(b)
        else:
            if len(a) > CHAR_CAP or len(b) > CHAR_CAP:
                return
            ta, tb = a, b
        pa, pb = _offsets(ta), _offsets(tb)
        # Chunks: difflib's autojunk keeps boilerplate repeated all over a long gap (a line that is
        # more than 1% of 200+ chunks) from seeding matches; words and characters are matched without.
        for tag, i1, i2, j1, j2 in opcodes(ta, tb, self.budget, autojunk=level == 0):
            if tag == "equal":
                out.append((ao + pa[i1], bo + pb[j1], pa[i2] - pa[i1]))
            elif tag == "replace" and level < 2:
                self._diff(a[pa[i1]:pa[i2]], b[pb[j1]:pb[j2]], ao + pa[i1], bo + pb[j1],
                           level + 1, out)

    def _locate(self, x: int) -> int:
        """Index of the last segment starting at or before old offset ``x`` (-1 if none)."""
        return bisect_right(self._old_starts, x) - 1

    def start(self, x: int) -> int:
        """New offset for an old span start: exact inside an equal run, else where the change begins."""
        i = self._locate(x)
        if i >= 0:
            o, n, size = self.segments[i]
            if x < o + size:
                return n + (x - o)
            return n + size
        return 0

    def end(self, x: int) -> int:
        """New offset for an old span end: exact inside an equal run, else where the change ends."""
        i = self._locate(x - 1)
        if i >= 0:
            o, n, size = self.segments[i]
            if x <= o + size:
                return n + (x - o)
        if i + 1 < len(self.segments):
            return self.segments[i + 1][1]
        return len(self.new)


def _offsets(tokens: Sequence[str]) -> list[int]:
    out = [0]
    for t in tokens:
        out.append(out[-1] + len(t))
    return out


# --- re-anchoring --------------------------------------------------------------------------------

def _ratio(a: str, b: str, budget: Budget) -> float:
    """difflib's ratio 2*M/T over code points (word by word for long quotes), paid from ``budget``."""
    if len(a) + len(b) <= 2 * CHAR_CAP:
        matched = sum(blk.size for blk in counted_matching_blocks(a, b, budget))
        return 2.0 * matched / (len(a) + len(b))
    ta, tb = _WORD.findall(a), _WORD.findall(b)
    blocks = counted_matching_blocks(ta, tb, budget)
    matched = sum(len("".join(ta[blk.a:blk.a + blk.size])) for blk in blocks)
    return 2.0 * matched / (len(a) + len(b))


def _similar(quote: str, candidate: str, budget: Budget) -> bool:
    """Whether ``candidate`` is still close to ``quote``; False when the budget cannot say (a flag)."""
    # ratio >= r needs the shorter text to be at least r / (2 - r) of the longer (0.6 for 0.75)
    shorter, longer = sorted((len(quote), len(candidate)))
    if shorter < longer * FUZZY_MIN_RATIO / (2 - FUZZY_MIN_RATIO):
        return False
    try:
        return _ratio(quote, candidate, budget) >= FUZZY_MIN_RATIO
    except OverBudget:
        return False


class _Reanchorer:
    def __init__(self, old: str, new: str, budget: Budget | None = None):
        self.old, self.new = old, new
        self.budget = budget or Budget()
        self._mapping: _Mapping | None = None
        self._occ: dict[str, list[int]] = {}

    @property
    def mapping(self) -> _Mapping:
        if self._mapping is None:
            self._mapping = _Mapping(self.old, self.new, self.budget)
        return self._mapping

    def occurrences(self, quote: str) -> list[int]:
        if quote not in self._occ:
            self._occ[quote] = _occurrences(self.new, quote)
        return self._occ[quote]

    def place(self, a: Anchor) -> Anchor:
        old, new = self.old, self.new
        positioned = (a.state != ORPHANED and 0 <= a.start < a.end <= len(old)
                      and old[a.start:a.end] == a.quote and bool(a.quote))
        if positioned:
            # 1. unchanged position, context and all
            if new[a.start:a.end] == a.quote and _context(new, a.start, a.end) == (a.prefix, a.suffix):
                return _make(new, a.start, a.end, ANCHORED)
        if not a.quote:
            return replace(a, state=ORPHANED)
        # 2. the exact quote with its context, anywhere (nearest to where the diff maps it)
        found = self._exact(a, positioned)
        if found is not None:
            s = found
            e = s + len(a.quote)
            return _make(new, s, e, ANCHORED if positioned and (s, e) == (a.start, a.end) else MOVED)
        # 3. fuzzy: the diff maps the old span; keep it if its text is still close to the quote
        if positioned:
            s, e = self.mapping.start(a.start), self.mapping.end(a.end)
            while s < e and new[s].isspace():
                s += 1
            while e > s and new[e - 1].isspace():
                e -= 1
            if e > s and _similar(a.quote, new[s:e], self.budget):
                # The unchanged words overlapping the mapped span: the diff was merely off by a little.
                for k in self.occurrences(a.quote):
                    if k < e and k + len(a.quote) > s:
                        return _make(new, k, k + len(a.quote), MOVED)
                return _make(new, s, e, FUZZY)
        # 2b. the exact quote, without its context, when it occurs once and is long enough to be
        # telling (a paragraph-sized quote moved elsewhere has no context left to agree)
        occ = self.occurrences(a.quote)
        if len(occ) == 1 and len(a.quote.strip()) >= MIN_UNIQUE_QUOTE:
            return _make(new, occ[0], occ[0] + len(a.quote), MOVED)
        # 4. orphaned: keep everything the claim knew
        return replace(a, state=ORPHANED)

    def _exact(self, a: Anchor, positioned: bool) -> int | None:
        """The occurrence of the exact quote whose context agrees best; where the diff maps it wins ties.

        The diff's placement alone is not trusted for short quotes (a one-letter quote matches by
        chance wherever the diff lands), so it competes on context like every other occurrence, but
        is accepted even when its context was edited.
        """
        new, q = self.new, a.quote
        target = None
        at_target = False
        if positioned:
            target, target_end = self.mapping.start(a.start), self.mapping.end(a.end)
            at_target = target_end - target == len(q) and new.startswith(q, target)
        occ = self.occurrences(q)
        if at_target and target not in occ:
            occ = [*occ, target]
        need = min(MIN_CONTEXT_MATCH, (len(a.prefix) + len(a.suffix)) // 2)
        best: tuple | None = None
        for s in occ:
            score = _context_score(new, s, s + len(q), a.prefix, a.suffix)
            is_target = at_target and s == target
            if score < need and not is_target:
                continue
            key = (score, is_target, -abs(s - target) if target is not None else 0, -s)
            if best is None or key > best[0]:
                best = (key, s)
        return None if best is None else best[1]


def reanchor(old_text: str, new_text: str, anchors: Iterable[Anchor], *,
             budget: Budget | None = None) -> list[Anchor]:
    """Re-anchor every claim of ``old_text`` in ``new_text``: one result per anchor, in order.

    Steps (DESIGN §4): the same offsets with the same quote and context -> ``anchored``; the exact
    quote where the diff maps it, or with agreeing context (``MIN_CONTEXT_MATCH``) anywhere, nearest
    to the diff-mapped position -> ``moved`` (``anchored`` at the same offsets); the diff-mapped span
    whose text is still close to the quote (``FUZZY_MIN_RATIO``) -> ``fuzzy`` with the new wording
    as quote; the exact quote occurring just once, if at least ``MIN_UNIQUE_QUOTE`` long ->
    ``moved``; else ``orphaned`` with quote, prefix, suffix and offsets kept as they were.

    An orphaned anchor (its offsets no longer meaningful) is only ever re-placed by its exact quote
    (step 2), so restoring the wording brings the claim back as ``moved``. An anchor that comes in
    ``fuzzy`` stays ``fuzzy`` while it is placed, because a fuzzy move waits for a checker to confirm
    it: confirming is the caller setting the state to ``anchored``.
    """
    r = _Reanchorer(old_text, new_text, budget)
    out = []
    for a in anchors:
        placed = r.place(a)
        if a.state == FUZZY and placed.state in (ANCHORED, MOVED):
            placed = replace(placed, state=FUZZY)
        out.append(placed)
    return out
