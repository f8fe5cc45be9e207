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
from itertools import accumulate
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

from factdesk.errors import ConflictError, ValidationError

from .diff import GAP_STEPS, Budget, OverBudget, counted_matching_blocks, opcodes

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
# A quote of at most this many words with one of them replaced is still the claim when its context
# agrees this many characters on each side (fewer at the text's edges).
SHORT_QUOTE_WORDS = 6
CONTEXT_SIDE = 12
# A quote with more copies than this in the new text is offered (fuzzy) only at one of the copies
# nearest to where the diff maps it: the work per claim stays bounded however often it repeats.
NEAREST_COPIES = 16
# Copies of a quote are told apart by this many characters of the old text on each side.
WIDE_CONTEXT = 400
# A claim's sentence is looked for this far around its quote.
SENTENCE_REACH = 600
# Cap on occurrences examined or reported for one quote (a one-word quote may occur very often).
MAX_OCCURRENCES = 1000
# A text searched whole this many times in one revision (each claim's checks search its quote,
# sentence and context) gets a word index, and a search then visits the copies of the rarest whole
# word of what it looks for, up to INDEX_CANDIDATES of them, not every character of the text.
INDEX_AFTER_SCANS = 32
INDEX_CANDIDATES = 256

# Diff granularity: sentence-ish chunks everywhere, words inside changed chunks, characters inside
# changed word runs up to CHAR_CAP a side. Larger changed blocks, and any the diff's budget cannot
# pay for, are left unrefined, which can only make a fuzzy re-anchor fail (orphan), never wrong.
CHAR_CAP = 400
# Text the ordered diff left unmatched on both sides (a moved paragraph) is matched again, run by
# run; a run this long is the same text moved, a shorter one ("the ", a line break) may be chance.
MIN_MOVE = 24
# The text both versions begin (end) with is cut back to a word's edge no further than this.
WORD_EDGE = 64
# A change of at most this many words or characters a side is diffed once per shape: which of its
# tokens equal which, and (words) their lengths and which are spaces, are all its diff depends on,
# and thousands of edited lines or figures share a few shapes. Only while the budget has this much
# more than a gap's limit left, so that each gap's limit is the same wherever the shape recurs
# (such a gap cannot spend more than MEMO_STEPS), and at most MEMO_SHAPES shapes per revision.
MEMO_TOKENS = 32
MEMO_STEPS = 64_000
MEMO_SHAPES = 4096


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
            "The selection is not inside the article's text (the text may have changed since the page was "
            "loaded): select the words again.",
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
_WS_SPLIT = re.compile(r"(\s+)")


def _fold(s: str) -> str:
    return s.translate(_FOLD)


def _squash(s: str) -> str:
    return _WS.sub(" ", _fold(s))


def _spaced(s: str) -> str:
    """Whitespace runs as one space, nothing else changed: a text "only respaced" compares equal."""
    return _WS.sub(" ", s)


class _SpacedIndex:
    """A text with each whitespace run as one space, and the original offset of each character kept:
    whitespace-tolerant search with ``str.find``, linear whatever the quote (built by C-level splits
    and sums, no Python loop per run)."""

    def __init__(self, text: str):
        parts = _WS_SPLIT.split(text)  # words at even indices, whitespace runs at odd ones
        self._origins = list(accumulate(map(len, parts), initial=0))
        parts[1::2] = [" "] * (len(parts) // 2)
        self._starts = list(accumulate(map(len, parts), initial=0))
        self.spaced = "".join(parts)

    def _original(self, k: int) -> int:
        i = bisect_right(self._starts, k) - 1
        return self._origins[i] + (k - self._starts[i])

    def find_all(self, quote: str, limit: int) -> list[tuple[int, int]]:
        """Spans of the original text that read as ``quote`` once whitespace runs are one space."""
        q = _spaced(quote.strip())
        spans, k = [], self.spaced.find(q) if q else -1
        while k != -1 and len(spans) < limit:
            spans.append((self._original(k), self._original(k + len(q) - 1) + 1))
            k = self.spaced.find(q, k + 1)
        return spans


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
    """Spans reading as ``quote`` up to whitespace and quote marks (folding is one for one)."""
    return _SpacedIndex(_fold(text)).find_all(_fold(quote), limit)


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

_NONSPACE = re.compile(r"\S+")
_CHUNK_END = re.compile(r"\n+|[.!?;:\u2026][\"'\u201d\u2019)\]]*[ \t]+")
_WORD = re.compile(r"\w+|[^\w\s]|\s+")


def _chunks(s: str) -> list[str]:
    """Sentence-ish chunks, each followed by the whitespace after it as a token of its own: a
    sentence that ends a paragraph in one text and not in the other is still the same chunk."""
    out, last = [], 0
    for m in _CHUNK_END.finditer(s):
        space = m.start() + len(m.group().rstrip())
        if space > last:
            out.append(s[last:space])
        out.append(s[space:m.end()])
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
        # The common ends stop at a word's edge: "...return|s." shared by chance with another
        # paragraph ending in "s." would cut a claim in two.
        if 0 < p < min(len(old), len(new)):
            p -= _word_tail(old[max(0, p - WORD_EDGE):p])
        if 0 < s < min(len(old), len(new)):
            s -= _word_tail(old[len(old) - s:len(old) - s + WORD_EDGE][::-1])
        segs: list[tuple[int, int, int]] = []
        self._weak: set[tuple[int, int, int]] = set()
        self._shapes: dict[tuple, tuple[int, list[tuple[bool, int, int, int, int, bool]]]] = {}
        if p:
            segs.append((0, 0, p))
        self._diff(old[p:len(old) - s], new[p:len(new) - s], p, p, 0, segs)
        if s:
            segs.append((len(old) - s, len(new) - s, s))
        for level in (0, 1):
            if self._moves(segs, level) is None:
                break  # no gap long enough: nothing changed, and the next level has the same gaps
        segs.sort()
        self.segments = segs
        self._old_starts = [o for o, _, _ in segs]
        self._by_new = sorted(range(len(segs)), key=lambda i: segs[i][1])
        self._new_rank = {i: r for r, i in enumerate(self._by_new)}
        self._new_starts = [segs[i][1] for i in self._by_new]

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
        if set(ta).isdisjoint(tb):
            # nothing in common (a swapped line's number): one change, paid for as any, refined a
            # level down; what follows would find the same
            opcodes(ta, tb, self.budget, autojunk=level == 0)
            if level < 2:
                self._diff(a, b, ao, bo, level + 1, out)
            return
        key = None
        if level and len(ta) <= MEMO_TOKENS and len(tb) <= MEMO_TOKENS \
                and self.budget.left >= GAP_STEPS + MEMO_STEPS:
            key = _shape(ta, tb, level)
            known = self._shapes.get(key)
            if known is not None:
                self.budget.charge(known[0])
                self._apply(known[1], a, b, ao, bo, level, out)
                return
        spent = self.budget.spent
        ops = self._ops(ta, tb, a, b, level)
        if key is not None and len(self._shapes) < MEMO_SHAPES:
            self._shapes[key] = (self.budget.spent - spent, ops)
        self._apply(ops, a, b, ao, bo, level, out)

    def _ops(self, ta: list, tb: list, a: str, b: str, level: int) -> list[tuple[bool, int, int, int, int, bool]]:
        """The diff of one level's tokens as (equal, a1, a2, b1, b2, weak), in characters."""
        pa, pb = _offsets(ta), _offsets(tb)
        # Chunks: difflib's autojunk keeps boilerplate repeated all over a long gap (a line that is
        # more than 1% of 200+ chunks) from seeding matches; words and characters are matched without.
        ops = [(tag == "equal", pa[i1], pa[i2], pb[j1], pb[j2])
               for tag, i1, i2, j1, j2 in opcodes(ta, tb, self.budget, autojunk=level == 0)]
        if level == 2:  # letters agreeing inside rewritten words are not the same text
            ops = _cleaned(ops)
        elif level == 0:  # nor are the spaces between rewritten sentences
            ops = _cleaned(ops, blank=a)
        # Words agreeing inside a rewritten sentence, and letters inside rewritten words, may be
        # chance: a moved run of text found later takes their place (they are weak), or they stand.
        weak = ({op for op in ops if op[0]} - set(_cleaned(ops)) - _respaced(ops, a, b) if level == 1
                else {op for op in ops if op[0]} if level == 2 else set())
        return [(*op, op in weak) for op in ops]

    def _apply(self, ops: list[tuple[bool, int, int, int, int, bool]], a: str, b: str, ao: int, bo: int,
               level: int, out: list[tuple[int, int, int]]) -> None:
        for equal, a1, a2, b1, b2, weak in ops:
            if equal:
                out.append((ao + a1, bo + b1, a2 - a1))
                if weak:
                    self._weak.add(out[-1])
            elif a2 > a1 and b2 > b1 and level < 2:
                self._diff(a[a1:a2], b[b1:b2], ao + a1, bo + b1, level + 1, out)

    def _moves(self, segs: list[tuple[int, int, int]], level: int) -> bool | None:
        """Match what the diff left unmatched on each side against each other (a paragraph taken
        elsewhere is a deletion and an insertion to a diff that keeps order): runs of at least
        MIN_MOVE characters count, and the changed tokens between two of them in one moved block are
        refined as any change is. Returns whether anything was found (None: no gap was long enough
        to look)."""
        strong = [seg for seg in segs if seg not in self._weak]
        old_gaps = _uncovered([(o, o + z) for o, _, z in strong], len(self.old))
        new_gaps = _uncovered([(n, n + z) for _, n, z in strong], len(self.new))
        # A moved run lies inside one gap of each side: when all of one side's gaps are shorter than
        # MIN_MOVE (thousands of small edits, no paragraph taken away), none can be found, and the
        # diff that would look for them is not run (nor paid for).
        if any(max((e - s for s, e in gaps), default=0) < MIN_MOVE for gaps in (old_gaps, new_gaps)):
            return None
        ta, pa = _gap_tokens(self.old, old_gaps, level, "old")
        tb, pb = _gap_tokens(self.new, new_gaps, level, "new")
        if not ta or not tb:
            return False
        ops = opcodes(ta, tb, self.budget, autojunk=level == 0)
        size = [_length(ta[i1:i2]) for _, i1, i2, _, _ in ops]
        kept = [tag == "equal" and (size[k] or 0) >= MIN_MOVE for k, (tag, *_) in enumerate(ops)]
        found: list[tuple[int, int, int]] = []
        runs = [op for k, op in enumerate(ops) if kept[k]]
        found += [(pa[i1], pb[j1], _length(ta[i1:i2])) for _, i1, i2, j1, j2 in runs]
        # the changed words beside a moved run, up to its paragraph's edge or the next moved run
        for n, (_, i1, i2, j1, j2) in enumerate(runs):
            nxt = runs[n + 1] if n + 1 < len(runs) else None
            for (a0, a1), (b0, b1) in _beside(ta, pa, tb, pb, (i2, j2), nxt and (nxt[1], nxt[3]),
                                              None if n else (i1, j1)):
                if a1 > a0 and b1 > b0:
                    self._diff(self.old[a0:a1], self.new[b0:b1], a0, b0, level + 1, found)
        if found:
            old_taken = _uncovered([(o, o + z) for o, _, z in found], len(self.old))
            new_taken = _uncovered([(n, n + z) for _, n, z in found], len(self.new))
            beaten = {seg for seg in self._weak
                      if not _inside(seg[0], seg[0] + seg[2], old_taken)
                      or not _inside(seg[1], seg[1] + seg[2], new_taken)}
            segs[:] = [seg for seg in segs if seg not in beaten] + found
            self._weak -= beaten
        return bool(found)

    def old_offset(self, y: int) -> int | None:
        """The old offset whose character became new offset ``y`` unchanged, if any."""
        r = bisect_right(self._new_starts, y) - 1
        if r >= 0:
            o, n, size = self.segments[self._by_new[r]]
            if y < n + size:
                return o + (y - n)
        return None

    def _locate(self, x: int) -> int:
        """Index of the last segment starting at or before old offset ``x`` (-1 if none)."""
        return bisect_right(self._old_starts, x) - 1

    def _starts(self, x: int) -> list[int]:
        """New offsets an old span start may map to: exact inside an equal run, else where the
        change begins, after the run before it or (a moved run follows) before the run after it."""
        segs, i = self.segments, self._locate(x)
        if i >= 0:
            o, n, size = segs[i]
            if x < o + size:
                return [n + (x - o)]
        out = [segs[i][1] + segs[i][2] if i >= 0 else 0]
        if i + 1 < len(segs):
            r = self._new_rank[i + 1] - 1
            before = self.segments[self._by_new[r]] if r >= 0 else None
            out.append(before[1] + before[2] if before else 0)
        return out

    def _ends(self, x: int) -> list[int]:
        """New offsets an old span end may map to (the mirror of ``_starts``)."""
        segs, i = self.segments, self._locate(x - 1)
        if i >= 0:
            o, n, size = segs[i]
            if x <= o + size:
                return [n + (x - o)]
        out = [segs[i + 1][1] if i + 1 < len(segs) else len(self.new)]
        if i >= 0:
            r = self._new_rank[i] + 1
            out.append(segs[self._by_new[r]][1] if r < len(segs) else len(self.new))
        return out

    def start(self, x: int) -> int:
        """New offset for an old span start: exact inside an equal run, else where the change begins."""
        return self._starts(x)[0]

    def end(self, x: int) -> int:
        """New offset for an old span end: exact inside an equal run, else where the change ends."""
        return self._ends(x)[0]

    def rewritten(self, x: int, y: int, reach: int) -> tuple[int, int] | None:
        """The new stretch between the images of the runs that are not chance (not weak) just before
        and just after the old span ``[x, y)``: what its rewritten surroundings became, when the two
        runs are still in order and no more than ``reach`` old characters from the span."""
        segs, i = self.segments, self._locate(x)
        while i >= 0 and (segs[i] in self._weak or segs[i][0] + segs[i][2] > x):
            if segs[i][0] + segs[i][2] < x - reach:
                return None
            i -= 1
        j = max(0, i + 1)
        while j < len(segs) and (segs[j] in self._weak or segs[j][0] < y):
            if segs[j][0] > y + reach:
                return None
            j += 1
        lo = segs[i][1] + segs[i][2] if i >= 0 else 0
        hi = segs[j][1] if j < len(segs) else len(self.new)
        return (lo, hi) if lo <= hi else None

    def by_chance(self, x: int, y: int) -> bool:
        """Whether every equal run holding characters of the old span ``[x, y)`` is weak (words or
        letters that agree inside rewritten text, nothing around them matched)."""
        i, any_run = max(0, self._locate(x)), False
        while i < len(self.segments) and self.segments[i][0] < y:
            o, n, size = self.segments[i]
            if min(y, o + size) > max(x, o):
                if self.segments[i] not in self._weak:
                    return False
                any_run = True
            i += 1
        return any_run

    def kept(self, x: int, y: int, *, weak: bool = False) -> list[tuple[int, int, int]]:
        """The runs of the old span ``[x, y)`` that the diff kept and that are not chance (not weak,
        unless ``weak``), as ``(old_start, new_start, size)`` in old order."""
        out, i = [], max(0, self._locate(x))
        while i < len(self.segments) and self.segments[i][0] < y:
            o, n, size = self.segments[i]
            lo, hi = max(x, o), min(y, o + size)
            if hi > lo and (weak or self.segments[i] not in self._weak):
                out.append((lo, n + lo - o, hi - lo))
            i += 1
        return out

    def lost_around(self, x: int, y: int, *, forward: bool) -> tuple[tuple[int, int], tuple[int, int]]:
        """The change the diff made at old offset ``x`` (lost, new offset ``y`` where it stands now),
        as the old and the new stretch between the runs kept (chance aside) on either side of it, up
        to the paragraph's edge: from ``x`` on when ``forward``, else up to it."""
        strong = [seg for seg in self.segments if seg not in self._weak]
        if forward:
            q = min((o for o, _, _ in strong if o >= x), default=len(self.old))
            r = min((n for _, n, _ in strong if n >= y), default=len(self.new))
            return (x, _paragraph_end(self.old, x, q)), (y, _paragraph_end(self.new, y, r))
        q = max((o + z for o, _, z in strong if o + z <= x), default=0)
        r = max((n + z for _, n, z in strong if n + z <= y), default=0)
        return (_paragraph_start(self.old, x, q), x), (_paragraph_start(self.new, y, r), y)

    def carried(self, x: int, y: int) -> list[int]:
        """Where the old span ``[x, y)`` starts in the new text by the equal runs holding most of
        its characters (a span the diff split between two copies goes with its larger part)."""
        votes: dict[int, int] = {}
        i = max(0, self._locate(x))
        while i < len(self.segments) and self.segments[i][0] < y:
            o, n, size = self.segments[i]
            overlap = min(y, o + size) - max(x, o)
            if overlap > 0:
                votes[x + n - o] = votes.get(x + n - o, 0) + overlap
            i += 1
        return [k for k in sorted(votes, key=lambda k: -votes[k]) if 2 * votes[k] > y - x]

    def span(self, x: int, y: int) -> tuple[int, int]:
        """New span for the old span ``[x, y)``: of the places its two ends may map to, the shortest
        span that is one (the ends of a span cut by a move stay on one side of it)."""
        starts, ends = self._starts(x), self._ends(y)
        pairs = [(e - s, s, e) for s in starts for e in ends if s <= e]
        if not pairs:
            return starts[0], ends[0]
        _, s, e = min(pairs)
        return s, e


def _shape(ta: Sequence[str], tb: Sequence[str], level: int) -> tuple:
    """What one level's diff of two short token lists depends on: which tokens equal which (the
    first occurrence's number for each), and for words their lengths and which are spaces."""
    ids: dict[str, int] = {}
    sa = tuple([ids.setdefault(t, len(ids)) for t in ta])
    sb = tuple([ids.setdefault(t, len(ids)) for t in tb])
    if level == 2:
        return sa, sb
    return sa, sb, tuple(map(len, ta)), tuple(map(len, tb)), tuple(map(str.isspace, ta)), tuple(map(str.isspace, tb))


def _cleaned(ops: list[tuple[bool, int, int, int, int]], blank: str | None = None
             ) -> list[tuple[bool, int, int, int, int]]:
    """Opcodes (equal, a1, a2, b1, b2) with each equal run no longer than the changes on both its
    sides taken into them (``blank``: each run of only whitespace in that text, between changes):
    letters that happen to agree inside rewritten words ("da " in two unrelated sentences) are not
    the same text, and left matched they would hide where it went."""
    def absorbed(run, before, after) -> bool:
        if blank is not None:
            return not blank[run[1]:run[2]].strip()
        return run[2] - run[1] <= min(_change_size(before), _change_size(after))

    out: list[list] = []
    for equal, a1, a2, b1, b2 in ops:
        if out and not equal and not out[-1][0]:
            out[-1][2], out[-1][4] = a2, b2
        else:
            out.append([equal, a1, a2, b1, b2])
        while (len(out) >= 3 and not out[-1][0] and out[-2][0] and not out[-3][0]
               and absorbed(out[-2], out[-3], out[-1])):
            last = out.pop()
            out.pop()
            out[-1][2], out[-1][4] = last[2], last[4]
    return [tuple(op) for op in out]


def _paragraph_end(text: str, x: int, limit: int) -> int:
    k = text.find("\n\n", x, limit)
    return limit if k < 0 else k


def _paragraph_start(text: str, x: int, limit: int) -> int:
    k = text.rfind("\n\n", limit, x)
    return limit if k < 0 else k + 2


def _chunk_end(text: str, x: int, reach: int) -> int:
    """Where the sentence-ish chunk holding offset ``x`` ends, looked for within ``reach``."""
    m = _CHUNK_END.search(text, x, min(len(text), x + reach))
    return m.start() + len(m.group().rstrip()) if m else min(len(text), x + reach)


def _chunk_start(text: str, x: int, reach: int) -> int:
    """Where the sentence-ish chunk holding offset ``x`` begins, looked for within ``reach``."""
    lo = max(0, x - reach)
    ends = [m.end() for m in _CHUNK_END.finditer(text, lo, x)]
    return ends[-1] if ends else lo


def _within(s: int, e: int, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether ``[s, e)`` lies inside one of ``spans`` (in any order)."""
    return any(a <= s and e <= b for a, b in spans)


def _inside(s: int, e: int, stretches: list[tuple[int, int]]) -> bool:
    """Whether ``[s, e)`` lies inside one of the sorted, disjoint ``stretches``."""
    k = bisect_right(stretches, (s, len(stretches) and stretches[-1][1] + 1)) - 1
    return k >= 0 and stretches[k][0] <= s and e <= stretches[k][1]


def _respaced(ops: list[tuple[bool, int, int, int, int]], a: str, b: str) -> set:
    """The equal runs of ``ops`` between two changes of whitespace only (words respaced)."""
    def blank(op) -> bool:
        return not a[op[1]:op[2]].strip() and not b[op[3]:op[4]].strip()
    return {op for k, op in enumerate(ops) if op[0] and 0 < k < len(ops) - 1
            and blank(ops[k - 1]) and blank(ops[k + 1])}


def _change_size(op) -> int:
    return max(op[2] - op[1], op[4] - op[3])


def _word_tail(s: str) -> int:
    """Length of the unbroken run of non-space characters ``s`` ends with (0 when it is all one
    run: no word that long to keep whole)."""
    k = len(s)
    while k and not s[k - 1].isspace():
        k -= 1
    return len(s) - k if k else 0


def _uncovered(covered: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """The stretches of ``[0, length)`` outside the given intervals."""
    out, at = [], 0
    for s, e in sorted(covered):
        if s > at:
            out.append((at, s))
        at = max(at, e)
    if at < length:
        out.append((at, length))
    return out


def _gap_tokens(text: str, gaps: list[tuple[int, int]], level: int, side: str) -> tuple[list, list[int]]:
    """The tokens of each gap (chunks or words) with a marker between two gaps that matches nothing
    (no run of matches spans two gaps), and the text offset where each token starts."""
    tokens: list = []
    starts: list[int] = []
    for k, (s, e) in enumerate(gaps):
        if k:
            tokens.append((side, k))
            starts.append(s)
        piece = text[s:e]
        for t in (_chunks(piece) if level == 0 else _WORD.findall(piece)):
            tokens.append(t)
            starts.append(s)
            s += len(t)
    return tokens, starts


def _beside(ta: list, pa: list[int], tb: list, pb: list[int], after: tuple[int, int],
            until: tuple[int, int] | None, before: tuple[int, int] | None):
    """The stretches of both texts beside a moved run, as (old, new) character ranges: from its end
    (token indices ``after``) to the next moved run (``until``) when nothing but one gap's tokens lie
    between, else each side up to its paragraph's edge; and (``before``: the first run's start)
    the stretch leading up to it."""
    if until is not None:
        between = (_length(ta[after[0]:until[0]]), _length(tb[after[1]:until[1]]))
        if None not in between:
            yield ((pa[after[0]], pa[after[0]] + between[0]), (pb[after[1]], pb[after[1]] + between[1]))
            return
        (a0, a1), (b0, b1) = _edge(ta, pa, after[0], forward=True), _edge(tb, pb, after[1], forward=True)
        (c0, c1), (d0, d1) = _edge(ta, pa, until[0], forward=False), _edge(tb, pb, until[1], forward=False)
        # one side's stretches may meet where the other's are cut by a gap: never pair text twice
        yield (a0, min(a1, c0) if c1 > c0 else a1), (b0, min(b1, d0) if d1 > d0 else b1)
        yield (max(c0, a1) if a1 > a0 else c0, c1), (max(d0, b1) if b1 > b0 else d0, d1)
    else:
        yield _edge(ta, pa, after[0], forward=True), _edge(tb, pb, after[1], forward=True)
    if before is not None:
        yield _edge(ta, pa, before[0], forward=False), _edge(tb, pb, before[1], forward=False)


def _edge(tokens: list, starts: list[int], at: int, *, forward: bool) -> tuple[int, int]:
    """Characters from token ``at`` on (or up to it) to the first gap marker or paragraph break."""
    if forward and at and isinstance(tokens[at - 1], str) and "\n\n" in tokens[at - 1]:
        return 0, 0  # the run ends its paragraph: the next one is not beside it
    order = range(at, len(tokens)) if forward else range(at - 1, -1, -1)
    lo = hi = None
    for i in order:
        t = tokens[i]
        if not isinstance(t, str) or "\n\n" in t:
            break
        lo = i if lo is None or i < lo else lo
        hi = i if hi is None or i > hi else hi
    if lo is None:
        return 0, 0
    return starts[lo], starts[hi] + len(tokens[hi])


def _length(tokens: Sequence) -> int | None:
    """Characters in a run of one gap's tokens (None when it spans a gap marker)."""
    if any(not isinstance(t, str) for t in tokens):
        return None
    return sum(map(len, tokens))


def _offsets(tokens: Sequence[str]) -> list[int]:
    return list(accumulate(map(len, tokens), initial=0))


class _Words:
    """A text's words (runs of non-space) and where each occurs: finding a short quote with one word
    changed costs the occurrences of its rarest kept word, not a scan of the text per variant."""

    def __init__(self, text: str):
        parts = _WS_SPLIT.split(text)  # words at even indices (the first and last may be empty)
        edges = list(accumulate(map(len, parts), initial=0))
        words = parts[0::2]
        first, last = int(not words[0]), len(words) - int(len(words) > 1 and not words[-1])
        # where each word starts and ends, as plain lists of numbers (no object per word to track)
        self.starts, self.ends = edges[0::2][first:last], edges[1::2][first:last]
        self.words = words[first:last]
        self.at: dict[str, list[int]] = {}
        for i, w in enumerate(self.words):
            self.at.setdefault(w, []).append(i)

    def find(self, pattern: Sequence[str | None], avoid: str | None, limit: int) -> list[tuple[int, int]] | None:
        """Spans of runs of words reading as ``pattern``, where None stands for any word but ``avoid``;
        None when even its rarest word occurs more than NEAREST_COPIES times (too common to say)."""
        k0, w0 = min(((k, w) for k, w in enumerate(pattern) if w is not None),
                     key=lambda kw: len(self.at.get(kw[1], ())))
        starts = self.at.get(w0, ())
        if len(starts) > NEAREST_COPIES:
            return None
        out, words, n = [], self.words, len(pattern)
        for i in starts:
            j = i - k0
            if 0 <= j and j + n <= len(words) and all(
                    words[j + k] == p if p is not None else words[j + k] != avoid for k, p in enumerate(pattern)):
                out.append((self.starts[j], self.ends[j + n - 1]))
                if len(out) >= limit:
                    break
        return out

    def occurrences(self, text: str, needle: str, limit: int) -> list[int] | None:
        """Where ``needle`` starts in ``text`` (the text of these words), the first ``limit``, as
        ``_occurrences`` finds them: every copy holds each word that has whitespace on both sides
        inside the needle as a word of the text, so the copies of the rarest such word are all the
        places to try. None when the needle has no such word or it occurs over INDEX_CANDIDATES times."""
        inner = [(m.group(), m.start()) for m in _NONSPACE.finditer(needle)
                 if m.start() > 0 and m.end() < len(needle)]
        if not inner or limit <= 0:
            return None
        word, at = min(inner, key=lambda wk: len(self.at.get(wk[0], ())))
        places = self.at.get(word, ())
        if len(places) > INDEX_CANDIDATES:
            return None
        out: list[int] = []
        for i in places:
            k = self.starts[i] - at
            if k >= 0 and text.startswith(needle, k):
                out.append(k)
                if len(out) >= limit:
                    break
        return out


def _one_word_variants(words: list[str]):
    """(pattern, avoid) for the quote's words with one replaced, dropped, or added between two,
    keeping at least two of them."""
    n = len(words)
    for k in range(n):
        if n - 1 >= 2:
            yield words[:k] + [None] + words[k + 1:], words[k]
            yield words[:k] + words[k + 1:], None
    for k in range(1, n):
        yield words[:k] + [None] + words[k:], None


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


def _shares_most_words(quote: str, other: str) -> bool:
    """Whether most of the quote's words (at least two) are still in ``other``, in any order."""
    words, there = quote.split(), set(other.split())
    return len(words) >= 2 and 2 * sum(w in there for w in words) > len(words)


def _close_words(quote: str, other: str) -> bool:
    """Whether ``other`` is the quote's words with one replaced, added or dropped, or shares most
    of them: the same words, edited."""
    words, there = quote.split(), other.split()
    return words != there and (_one_word_apart(words, there) or _shares_most_words(quote, other))


def _one_word_apart(a: list[str], b: list[str]) -> bool:
    """Whether two word lists differ by exactly one word replaced, added or dropped."""
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    if abs(len(a) - len(b)) != 1:
        return False
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    k = next((i for i, (x, y) in enumerate(zip(shorter, longer)) if x != y), len(shorter))
    return longer[:k] + longer[k + 1:] == shorter


def _context_agrees(stored: str, now: str, *, before: bool) -> bool:
    """Whether the stored context (prefix when ``before``, else suffix) still reads the same beside
    the span for CONTEXT_SIDE characters, or up to its paragraph's edge where that comes first (a
    moved paragraph keeps its own words, not its neighbours')."""
    if before:
        k = stored.rfind("\n\n")
        own, edged = (stored[k + 2:], True) if k >= 0 else (stored, len(stored) < PREFIX_LEN)
        k = now.rfind("\n\n")
        now_own = now[k + 2:] if k >= 0 else now
        agree = _common_suffix_len(_squash(own), _squash(now_own))
    else:
        k = stored.find("\n\n")
        own, edged = (stored[:k], True) if k >= 0 else (stored, len(stored) < PREFIX_LEN)
        k = now.find("\n\n")
        now_own = now[:k] if k >= 0 else now
        agree = _common_prefix_len(_squash(own), _squash(now_own))
    if agree >= CONTEXT_SIDE:
        return True
    # the whole of the claim's side of its paragraph agrees, and the paragraph (or text) ends there
    # (whitespace aside: a word deleted at the claim's edge leaves its space behind)
    return edged and _squash(own).strip() == _squash(now_own).strip() and \
        (k >= 0 or len(now) < 2 * PREFIX_LEN)


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


class _Reanchorer:
    """One revision's re-anchoring: the diff, the occurrences of each quote, and the rules of §4."""

    def __init__(self, old: str, new: str, budget: Budget | None = None):
        self.old, self.new = old, new
        self.budget = budget or Budget()
        self._mapping: _Mapping | None = None
        self._occ: dict[str, list[int]] = {}
        self._spaced: _SpacedIndex | None = None
        self._index: list[_Words | None] = [None, None]  # the old text's words, the new text's
        self._scans = [0, 0]

    def _positioned(self, a: Anchor) -> bool:
        """Whether the anchor's offsets still describe the old text (else only its quote is known)."""
        return (a.state != ORPHANED and 0 <= a.start < a.end <= len(self.old)
                and self.old[a.start:a.end] == a.quote and bool(a.quote))

    @property
    def mapping(self) -> _Mapping:
        if self._mapping is None:
            self._mapping = _Mapping(self.old, self.new, self.budget)
        return self._mapping

    def occurrences(self, quote: str) -> list[int]:
        """The first NEAREST_COPIES + 1 copies of the quote in the new text (enough to tell one from
        several, and to list a few): the work per claim stays bounded however often a quote repeats."""
        if quote not in self._occ:
            self._occ[quote] = self._find(self.new, quote, NEAREST_COPIES + 1)
        return self._occ[quote]

    def _words(self, text: str) -> _Words:
        """The words of the old or the new text, indexed once."""
        side = int(text is self.new)
        if self._index[side] is None:
            self._index[side] = _Words(text)
        return self._index[side]

    def _find(self, text: str, needle: str, limit: int = MAX_OCCURRENCES) -> list[int]:
        """``_occurrences`` in the old or the new text: the same answer, through the text's word
        index once the text has been searched whole INDEX_AFTER_SCANS times."""
        side = int(text is self.new)
        if text is not (self.old, self.new)[side]:
            return _occurrences(text, needle, limit)
        if self._index[side] is not None or self._scans[side] >= INDEX_AFTER_SCANS:
            found = self._words(text).occurrences(text, needle, limit)
            if found is not None:
                return found
        self._scans[side] += 1
        return _occurrences(text, needle, limit)

    def _copies_near(self, quote: str, at: int) -> list[int]:
        """Up to NEAREST_COPIES copies of the quote around new offset ``at``, in order."""
        new, half = self.new, NEAREST_COPIES // 2
        before, k = [], at + len(quote)
        while len(before) < half and (k := new.rfind(quote, 0, k + len(quote) - 1)) != -1:
            before.append(k)
        after, k = [], at
        while len(after) < half and (k := new.find(quote, k)) != -1:
            if not before or k > before[0]:
                after.append(k)
            k += 1
        return sorted(set(before) | set(after))

    def _mapped(self, start: int, end: int) -> tuple[int, int]:
        return self.mapping.span(start, end)

    def _rewritten_edges(self, a: Anchor, s: int, e: int) -> tuple[int, int, bool]:
        """The new span ``[s, e)`` cut back to the claim's words the diff kept, at an edge where the
        change that took its edge words took the words beside the claim with them (a rewrite of its
        surroundings reaching into it, not an edit of the claim): what replaced both is not the
        claim's. Also whether an edge was cut."""
        m, old = self.mapping, self.old
        # (runs that may be chance too, when nothing else of the claim is left: the span the diff
        # maps is made of them already, and is only ever cut back to them)
        kept = m.kept(a.start, a.end) or [k for k in m.kept(a.start, a.end, weak=True) if s <= k[1] < e]
        if not kept:
            return s, e, False
        cut = False

        def lost(x: int) -> bool:  # old offset x in no run the diff kept (chance aside)
            return not m.kept(x, x + 1)

        def rewritten(x: int, y: int, forward: bool) -> bool:  # not one word for one
            (o0, o1), (n0, n1) = m.lost_around(x, y, forward=forward)
            return len(old[o0:o1].split()) != len(self.new[n0:n1].split())

        o, n, size = kept[-1]
        after = _NONSPACE.search(old, a.end)
        if o + size < a.end and after and "\n\n" not in old[a.end:after.start()] and lost(after.start()) \
                and s < n + size < e and rewritten(o + size, n + size, True):
            e, cut = n + size, True
        o, n, size = kept[0]
        k = a.start
        while k > 0 and old[k - 1].isspace():
            k -= 1
        if o > a.start and k and "\n\n" not in old[k:a.start] and lost(k - 1) and s < n < e \
                and rewritten(o, n, False):
            s, cut = n, True
        return s, e, cut

    def _whole_words(self, a: Anchor, s: int, e: int) -> tuple[int, int]:
        """A span that began or ended on a word boundary does so again (a character diff inside a
        replaced word would otherwise cut "prices fell" to "prices fe")."""
        old, new = self.old, self.new
        if not (a.start > 0 and old[a.start - 1].isalnum() and old[a.start].isalnum()):
            while 0 < s < e and new[s - 1].isalnum() and new[s].isalnum():
                s -= 1
        if not (a.end < len(old) and old[a.end].isalnum() and old[a.end - 1].isalnum()):
            while s < e < len(new) and new[e].isalnum() and new[e - 1].isalnum():
                e += 1
        return s, e

    def _claimed_by_another(self, a: Anchor, spans: Sequence[tuple[int, int]], loose: bool) -> set:
        """Those of ``spans`` (in the new text) where the diff maps another old copy of the quote
        whose surroundings agree there at least as well as the claim's (else the diff crossed the
        two copies, and the span is the claim's to take)."""
        taken = set()
        for s, e in spans:
            o = self.mapping.old_offset(s)
            if o is None or o == a.start or not self.old.startswith(a.quote, o):
                continue
            image = self._mapped(o, o + len(a.quote))
            if (_trim(self.new, *image) if loose else image) == (s, e) and (
                    self._alike(a, o) or
                    sum(self._wide_context(o, o + len(a.quote), s, e)) >= self._context(a, s, e)):
                taken.add((s, e))
        return taken

    def _alike(self, a: Anchor, o: int) -> bool:
        """Whether the old copy of the quote at ``o`` has the claim's old surroundings (WIDE_CONTEXT
        a side): no new text can read more like one than the other."""
        old, w, n = self.old, WIDE_CONTEXT, len(a.quote)
        return old[max(0, o - w):o] == old[max(0, a.start - w):a.start] and old[o + n:o + n + w] == old[a.end:a.end + w]

    def _crossed(self, a: Anchor, s: int, e: int) -> bool:
        """Whether the new span ``[s, e)`` holding the quote is where the diff took another old copy."""
        o = self.mapping.old_offset(s)
        return o is not None and o != a.start and self.old.startswith(a.quote, o)

    def _free_or_crossed(self, a: Anchor, k: int) -> bool:
        """Whether the copy of the quote at new offset ``k`` came from no old text the diff could
        follow, or is where it took another old copy."""
        return self.mapping.old_offset(k) is None or self._crossed(a, k, k + len(a.quote))

    def place(self, a: Anchor) -> Anchor:
        placed = self._place(a)
        if placed.state not in (ANCHORED, MOVED) or not self._positioned(a):
            return placed
        words = self._whole_words(a, placed.start, placed.end)
        if words != (placed.start, placed.end):
            # the quote where an edge word of it is now part of a longer word ("make a" in "make
            # after"): the claim's words were edited, so it is offered, never moved; on the whole
            # words when the quote occurs once and they read close to it
            if len(self.occurrences(a.quote)) == 1 and self._close(a, *words):
                return _make(self.new, *words, FUZZY)
            return replace(placed, state=FUZZY)
        # a copy of the claim's sentence was pasted (whole, or with a word changed), and which one
        # is the claim's the text cannot tell: a checker confirms it, offered the one that reads
        # more like the claim's surroundings
        if self._sentence_copied(a, placed.start, placed.end):
            return replace(placed, state=FUZZY)
        here = (placed.start, placed.end)
        other = self._framed_elsewhere(a, *here)
        if other is None:
            if not self._sentence_reads_same(a, *here) and self._sentence_stands_elsewhere(a, *here):
                # the quote found stands in another version of its sentence, while the claim's own
                # sentence, its quote now other words, stands elsewhere: a copy with a word changed
                # may be all that is left of it (its own words edited away); a checker confirms it
                return replace(placed, state=FUZZY)
            return placed
        if self._sentence_reads_same(a, *here):
            # the placed quote stands in the claim's whole sentence: only surroundings that read
            # decisively better beside the edited words (two or more, so an edit and not any other
            # word in a sentence alike) make it doubtful
            doubtful = len(a.quote.split()) > 1 and self._outvotes(a, other, here)
            return _make(self.new, *other, FUZZY) if doubtful else placed
        if self._context(a, *other) > self._context(a, *here):
            return _make(self.new, *other, FUZZY)
        return replace(placed, state=FUZZY)

    def _close(self, a: Anchor, s: int, e: int) -> bool:
        """Whether the new span ``[s, e)`` reads close to the quote (difflib ratio, or a short quote
        with one word changed in its context)."""
        return _similar(a.quote, self.new[s:e], self.budget) or self._one_word_changed(a, s, e)

    def _sentence_halves(self, a: Anchor) -> tuple[str, str]:
        """The claim's old sentence before and after its quote."""
        old = self.old
        before = old[self._sentence_edge(a.start, forward=False):a.start]
        return before, old[a.end:self._sentence_edge(a.end, forward=True)]

    def _sentence_reads_same(self, a: Anchor, s: int, e: int) -> bool:
        """Whether the claim's old sentence reads the same around the new span ``[s, e)``."""
        before, after = self._sentence_halves(a)
        new = self.new
        return _spaced(new[max(0, s - 2 * len(before) - 8):s]).endswith(_spaced(before)) \
            and _spaced(new[e:e + 2 * len(after) + 8]).startswith(_spaced(after))

    def _sentence_stands_elsewhere(self, a: Anchor, s: int, e: int) -> bool:
        """Whether the longer half of the claim's old sentence (at least CONTEXT_SIDE characters,
        once in the old text) stands in the new text away from the new span ``[s, e)``."""
        before, after = self._sentence_halves(a)
        half = before if len(before.strip()) >= len(after.strip()) else after
        if len(half.strip()) < CONTEXT_SIDE or len(self._find(self.old, half, 2)) != 1:
            return False
        reach = 2 * len(a.quote) + PREFIX_LEN
        for k in self._find(self.new, half, NEAREST_COPIES + 1):
            beside = s - reach <= k + len(half) <= s if half is before else e <= k <= e + reach
            if not beside:
                return True
        return False

    def _framed_elsewhere(self, a: Anchor, s: int, e: int) -> tuple[int, int] | None:
        """Where else than the new span ``[s, e)`` the rest of the claim's sentence surrounds other
        words close to the quote (the claim may be there, edited, and this a copy pasted before
        the edit), if anywhere."""
        new = self.new
        before, after = self._sentence_halves(a)
        if len(before.strip()) + len(after.strip()) < CONTEXT_SIDE:
            return None
        reach = 2 * len(a.quote) + PREFIX_LEN

        def own(k: int, j: int) -> bool:  # the placed quote's own surroundings, respaced or edited
            gap = new[e:k] if k >= e else new[j:s] if j <= s else ""
            return s - reach <= k <= e + reach and "\n\n" not in gap

        # (a quote that ends or begins its sentence is looked for up to the sentence's edge there)
        if len(before) >= len(after):
            for k in self._find(new, before, NEAREST_COPIES + 1):
                k += len(before)
                j = new.find(after, k, k + reach + len(after)) if after else _chunk_end(new, k, reach)
                if j > k and not own(k, j) and _close_words(a.quote, new[k:j]):
                    return _trim(new, k, j)
        else:
            for j in self._find(new, after, NEAREST_COPIES + 1):
                k = new.rfind(before, max(0, j - reach - len(before)), j) + len(before) if before \
                    else _chunk_start(new, j, reach)
                if len(before) <= k < j and not own(k, j) and _close_words(a.quote, new[k:j]):
                    return _trim(new, k, j)
        return None

    def _sentence_copied(self, a: Anchor, s: int, e: int) -> bool:
        """Whether the quote occurs more often in the new text than in the old (counting up to
        NEAREST_COPIES + 1) and either the rest of its sentence came with it, or the new span
        ``[s, e)`` does not stand in the claim's whole sentence (the copy may carry another word
        changed, or the claim's own sentence be edited)."""
        limit = NEAREST_COPIES + 1
        if len(self.occurrences(a.quote)) <= len(self._find(self.old, a.quote, limit)):
            return False
        lo, hi = self._sentence_edge(a.start, forward=False), self._sentence_edge(a.end, forward=True)
        sentence = self.old[lo:hi]
        if len(self._find(self.new, sentence, limit)) > len(self._find(self.old, sentence, limit)):
            return True
        k = s - (a.start - lo)
        return self.new[k:k + len(sentence)] != sentence

    def _sentence_edge(self, x: int, *, forward: bool) -> int:
        """Where the sentence-ish chunk holding old offset ``x`` ends (``forward``) or begins, looked
        for within SENTENCE_REACH characters."""
        return (_chunk_end if forward else _chunk_start)(self.old, x, SENTENCE_REACH)

    def _place(self, a: Anchor) -> Anchor:
        new = self.new
        positioned = self._positioned(a)
        if not a.quote:
            return replace(a, state=ORPHANED)
        fuzzy_here, edited_in_place, one_word_edited, here = None, False, False, None
        if positioned:
            # 1. unchanged position, context and all
            if new[a.start:a.end] == a.quote and _context(new, a.start, a.end) == (a.prefix, a.suffix):
                return _make(new, a.start, a.end, ANCHORED)
            s, e = self._mapped(a.start, a.end)
            if new[s:e] != a.quote:
                s, e = next(((k, k + len(a.quote)) for k in self.mapping.carried(a.start, a.end)
                             if new.startswith(a.quote, k)), (s, e))
            # 2. the exact quote where the diff maps it (all of it, or the most of its characters);
            # where it has copies, the claim stays there, flagged, unless another copy reads
            # decisively more like its old surroundings (the diff may pair a copied sentence with
            # the wrong copy): then that one, flagged
            if new[s:e] == a.quote:
                better = self._better_copy(a, s)
                if better is not None:
                    there = (better, better + len(a.quote))
                    return _make(new, *(there if self._outvotes(a, there, (s, e)) else (s, e)), FUZZY)
                if len(a.quote.strip()) < MIN_UNIQUE_QUOTE and self.mapping.by_chance(a.start, a.end):
                    return _make(new, s, e, FUZZY)  # words agreeing by chance in a rewrite
                return _make(new, s, e, ANCHORED if (s, e) == (a.start, a.end) else MOVED)
            # 3. the same words where the diff maps them, only spacing changed: a move, not fuzzy
            ts, te = _trim(new, s, e)
            if te > ts and _spaced(new[ts:te]) == _spaced(a.quote):
                return _make(new, ts, te, MOVED)
            # (what the diff kept of the claim's words, where a rewrite around it took its edge words)
            cs, ce, cut = self._rewritten_edges(a, s, e)
            if cut:
                cs, ce = _trim(new, cs, ce)
                cut = self._fuzzy(a, *self._whole_words(a, cs, ce), cut=True) is not None
                if cut:
                    ts, te = cs, ce
            edited_in_place = _shares_most_words(a.quote, new[ts:te])
            # (or, of two words or more, one changed, where the claim reads at least as much like its
            # old surroundings as any copy does)
            one_word_edited = len(a.quote.split()) >= 2 and _one_word_apart(a.quote.split(), new[ts:te].split())
            fuzzy_here = self._fuzzy(a, *self._whole_words(a, ts, te), cut=cut)
            if fuzzy_here is not None and fuzzy_here.state == MOVED:
                return fuzzy_here
            here = (fuzzy_here.start, fuzzy_here.end) if fuzzy_here is not None else (ts, te)
        # 4. the exact quote anywhere while it occurs once (and is not another copy's image), then the
        # same with only its spacing changed; a close match where the diff maps it wins unless the
        # copy's context agrees better
        found = self._unique(a, self.occurrences(a.quote), len(a.quote), loose=False)
        if found is None:
            found = self._unique_spaced(a)
        if found is not None and (fuzzy_here is not None or edited_in_place) \
                and self._crossed(a, *found) and self._reads_better(a, found, here):
            # the diff crossed two old copies of the quote, pairing the claim with the other one,
            # edited: the unchanged copy, which reads more like the claim's surroundings, is the claim
            return _make(new, *found, MOVED)
        if found is not None and fuzzy_here is None:
            # the claim's own place holds its words edited (the diff maps it onto them): the copy
            # may be one pasted elsewhere before the edit, so it is offered, not moved (or the
            # edited words are, when they read more like the claim's surroundings)
            edited_in_place = edited_in_place or one_word_edited and self._context(a, *here) >= self._context(a, *found)
            words = self._whole_words(a, *here) if edited_in_place else None
            if words and words[1] - words[0] <= 2 * len(a.quote) \
                    and _close_words(a.quote, new[words[0]:words[1]]) \
                    and self._context(a, *words) > self._context(a, *found):
                return _make(new, *words, FUZZY)
            return _make(new, *found, FUZZY if edited_in_place else MOVED)
        if fuzzy_here is not None:
            # 5. fuzzy: the diff maps the old span and its text is still close to the quote, unless
            # the claim's surroundings stop there on one side and an unchanged copy the diff paired
            # with no other copy (or crossed) reads more like them: that one is offered instead
            if min(self._wide_context(a.start, a.end, *here)) < CONTEXT_SIDE and len(self.occurrences(a.quote)) > 1:
                best = self._best_copy(a)
                if best is not None and self._free_or_crossed(a, best) \
                        and self._reads_better(a, (best, best + len(a.quote)), here):
                    return _make(new, best, best + len(a.quote), FUZZY)
            return fuzzy_here
        if positioned:
            # 6. ... or where the claim's paragraph went, when the diff could not follow it
            placed = self._fuzzy_where_moved(a)
            if placed is not None:
                return placed
        if positioned:
            # ... or the exact quote once inside what the diff says its rewritten surroundings became
            placed = self._inside_rewrite(a)
            if placed is not None:
                return placed
        # 7. copies of the quote, none where the diff maps it: the one whose context agrees best is
        # offered, flagged for a checker to confirm; never moved there on context alone
        best = self._best_copy(a)
        if best is not None:
            return _make(new, best, best + len(a.quote), FUZZY)
        if positioned:
            # ... or a short quote with one word changed, wherever it went: offered where its words
            # now occur once and occurred nowhere in the old text
            edited = self._one_word_changed_anywhere(a)
            if edited is not None:
                return _make(new, *edited, FUZZY)
        # 8. orphaned: keep everything the claim knew
        return replace(a, state=ORPHANED)

    def _context(self, a: Anchor, s: int, e: int) -> int:
        """How many characters around the new span ``[s, e)`` read as around the claim: up to
        WIDE_CONTEXT a side of the old text while the claim's offsets still hold there (a copy
        pasted alone shares the sentence, the claim's own place its paragraph), else the stored
        prefix and suffix, whitespace aside."""
        if not self._positioned(a):
            return _loose_context_score(self.new, s, e, a.prefix, a.suffix)
        return sum(self._wide_context(a.start, a.end, s, e))

    def _wide_context(self, x: int, y: int, s: int, e: int) -> tuple[int, int]:
        """Characters of the old text before and after ``[x, y)`` (up to WIDE_CONTEXT a side) that
        read the same before and after the new span ``[s, e)``."""
        old, new = self.old, self.new
        before = _common_suffix(old[max(0, x - WIDE_CONTEXT):x], new[max(0, s - WIDE_CONTEXT):s], WIDE_CONTEXT)
        after = _common_prefix(old[y:y + WIDE_CONTEXT], new[e:e + WIDE_CONTEXT])
        return before, after

    def _reads_better(self, a: Anchor, there: tuple[int, int], here: tuple[int, int]) -> bool:
        """Whether the claim's old surroundings read at least as well on both sides of the new span
        ``there`` as of ``here``, and better on one."""
        b1, a1 = self._wide_context(a.start, a.end, *there)
        b0, a0 = self._wide_context(a.start, a.end, *here)
        return b1 >= b0 and a1 >= a0 and b1 + a1 > b0 + a0

    def _better_copy(self, a: Anchor, mapped: int) -> int | None:
        """Another copy of the quote whose context agrees strictly better than the diff's choice."""
        occ = self.occurrences(a.quote)
        if len(occ) < 2:
            return None
        best = self._best_copy(a)
        if best is None or best == mapped:
            return None
        return best if self._copy_context(a, best) > self._copy_context(a, mapped) else None

    def _outvotes(self, a: Anchor, there: tuple[int, int], here: tuple[int, int]) -> bool:
        """Whether the claim's old surroundings read so much better around ``there`` than around the
        diff's choice ``here`` that the diff is taken to have paired the claim with a copy: at
        least as well on both sides, and better by more than a stored context's length (a
        paragraph break or a few letters beside a copy are chance, not evidence)."""
        return self._reads_better(a, there, here) and self._context(a, *there) > self._context(a, *here) + PREFIX_LEN

    def _copy_context(self, a: Anchor, k: int) -> int:
        return self._context(a, k, k + len(a.quote))

    @property
    def spaced(self) -> _SpacedIndex:
        if self._spaced is None:
            self._spaced = _SpacedIndex(self.new)
        return self._spaced

    def _unique_spaced(self, a: Anchor):
        spans = self.spaced.find_all(a.quote, 2)
        return self._unique(a, [s for s, _ in spans], spans[0][1] - spans[0][0] if spans else 0, loose=True)

    def _unique(self, a: Anchor, starts: list[int], length: int, *, loose: bool):
        if len(starts) != 1:
            return None
        s, e = starts[0], starts[0] + length
        if self._positioned(a) and self._claimed_by_another(a, [(s, e)], loose):
            return None
        score = (_loose_context_score if loose else _context_score)(self.new, s, e, a.prefix, a.suffix)
        need = min(MIN_CONTEXT_MATCH, (len(a.prefix) + len(a.suffix)) // 2)
        if len(a.quote.strip()) >= MIN_UNIQUE_QUOTE or score >= need:
            return s, e
        return None

    def _fuzzy(self, a: Anchor, s: int, e: int, *, cut: bool = False) -> Anchor | None:
        """The span ``[s, e)`` where the diff maps the claim, offered when its text is still close to
        the quote (or, ``cut``: it is what the diff kept of the claim's own words, its edges taken by
        a rewrite around it, and at least half the quote)."""
        new = self.new
        if cut and e > s and new[s:e] in a.quote and 2 * len(new[s:e]) >= len(a.quote.strip()):
            return _make(new, s, e, FUZZY)
        if e > s and (_similar(a.quote, new[s:e], self.budget) or self._one_word_changed(a, s, e)):
            # The unchanged words overlapping the mapped span: the diff was merely off by a little.
            # (as whole words where the claim's were: "make a" in "make after" is another word)
            overlapping, k = [], max(0, s - len(a.quote) + 1)
            while len(overlapping) < 2 and (k := new.find(a.quote, k, e + len(a.quote) - 1)) != -1:
                if not self._positioned(a) or self._whole_words(a, k, k + len(a.quote)) == (k, k + len(a.quote)):
                    overlapping.append(k)
                k += 1
            if len(overlapping) == 1:
                k = overlapping[0]
                return _make(new, k, k + len(a.quote), MOVED)
            return _make(new, s, e, FUZZY)
        return None

    def _one_word_changed(self, a: Anchor, s: int, e: int) -> bool:
        """A short quote with one word replaced, added or dropped, its context intact on both sides
        (up to its paragraph's edge): the same claim (a character ratio cannot tell "prices rose"
        from "prices fell", the context can)."""
        words, now = a.quote.split(), self.new[s:e].split()
        if not 1 <= len(words) <= SHORT_QUOTE_WORDS or not _one_word_apart(words, now):
            return False
        new = self.new
        before = new[max(0, s - 2 * PREFIX_LEN):s]
        after = new[e:e + 2 * PREFIX_LEN]
        return (_context_agrees(a.prefix, before, before=True)
                and _context_agrees(a.suffix, after, before=False)
                and bool((a.prefix + a.suffix).strip()))

    def _inside_rewrite(self, a: Anchor) -> Anchor | None:
        """The quote, whole words, occurring once in the new stretch between the runs the diff kept
        around the claim (the words around it rewritten, its own left): offered, fuzzy."""
        stretch = self.mapping.rewritten(a.start, a.end, WIDE_CONTEXT)
        if stretch is None or stretch[1] - stretch[0] > 2 * (len(a.quote) + WIDE_CONTEXT):
            return None
        lo, hi = stretch
        n = len(a.quote)
        occ = [lo + k for k in _occurrences(self.new[lo:hi], a.quote, NEAREST_COPIES)
               if self._whole_words(a, lo + k, lo + k + n) == (lo + k, lo + k + n)]
        return _make(self.new, occ[0], occ[0] + n, FUZZY) if len(occ) == 1 else None

    def _one_word_changed_anywhere(self, a: Anchor) -> tuple[int, int] | None:
        """The one place in the new text reading as the quote (of at most SHORT_QUOTE_WORDS words)
        with one word replaced, dropped or added, within a paragraph, when the old text held such
        words nowhere but in the quote and its copies (the new text's copies are not edits)."""
        words = a.quote.split()
        if not 2 <= len(words) <= SHORT_QUOTE_WORDS:
            return None
        old, new = self._words(self.old), self._words(self.new)
        n = len(a.quote)
        old_copies = [(k, k + n) for k in self._find(self.old, a.quote, NEAREST_COPIES + 1)]
        new_copies = [(k, k + n) for k in self.occurrences(a.quote)]
        one_paragraph = "\n\n" not in a.quote
        found: list[tuple[int, int]] = []
        for pattern, avoid in _one_word_variants(words):
            before, after = old.find(pattern, avoid, NEAREST_COPIES), new.find(pattern, avoid, NEAREST_COPIES)
            if before is None or after is None or any(not _within(s, e, old_copies) for s, e in before):
                return None
            found += [(s, e) for s, e in after
                      if not _within(s, e, new_copies) and not (one_paragraph and "\n\n" in self.new[s:e])]
        if not found:
            return None
        widest = max(found, key=lambda span: span[1] - span[0])
        return widest if all(s < widest[1] and widest[0] < e for s, e in found) else None

    def _fuzzy_where_moved(self, a: Anchor) -> Anchor | None:
        """Diff the claim's old paragraph against where its context now is, and map the span there."""
        old, new = self.old, self.new
        ps = old.rfind("\n\n", 0, a.start)
        ps = 0 if ps < 0 else ps + 2
        pe = old.find("\n\n", a.end)
        pe = len(old) if pe < 0 else pe
        anchors = []  # (where the old paragraph would begin, where the found context meets the claim, which)
        if len(a.prefix) >= MIN_UNIQUE_QUOTE and len(self._find(new, a.prefix, 2)) == 1:
            at = new.find(a.prefix) + len(a.prefix)
            anchors.append((at - (a.start - ps), at, "prefix"))
        if len(a.suffix) >= MIN_UNIQUE_QUOTE and len(self._find(new, a.suffix, 2)) == 1:
            at = new.find(a.suffix)
            anchors.append((at - (a.end - ps), at, "suffix"))
        for base, at, side in anchors:
            slack = 64 + (pe - ps) // 4
            w0, w1 = max(0, base - slack), min(len(new), base + (pe - ps) + slack)
            # on the claim's far side from the context found, no further than the paragraph it is in
            # now: a paragraph moves whole, and a neighbour's words beyond its edge are no edit of
            # the claim's first or last word
            if side == "suffix" and (p0 := new.rfind("\n\n", w0, at)) >= 0:
                w0 = p0 + 2
            if side == "prefix" and (p1 := new.find("\n\n", at, w1)) >= 0:
                w1 = p1
            local = _Mapping(old[ps:pe], new[w0:w1], self.budget)
            s, e = self._whole_words(a, *_trim(new, w0 + local.start(a.start - ps), w0 + local.end(a.end - ps)))
            if e > s and (_similar(a.quote, new[s:e], self.budget) or self._one_word_changed(a, s, e)):
                return _make(new, s, e, FUZZY)
        return None

    def _best_copy(self, a: Anchor) -> int | None:
        """The copy of the quote whose context agrees best (uniquely, and enough), among the
        NEAREST_COPIES copies nearest to where the diff maps the claim (all of them, if that few)."""
        q = a.quote
        need = min(MIN_CONTEXT_MATCH, (len(a.prefix) + len(a.suffix)) // 2)
        occ = self.occurrences(q)
        if len(occ) > NEAREST_COPIES:
            if not self._positioned(a):
                return None
            occ = self._copies_near(q, self.mapping.start(a.start))
        free = set(occ)
        if self._positioned(a):
            free -= {s for s, _ in self._claimed_by_another(a, [(k, k + len(q)) for k in occ], False)}
        scored = sorted(((self._copy_context(a, k), k) for k in free), reverse=True)
        if not scored or scored[0][0] < max(need, 1) or (len(scored) > 1 and scored[1][0] == scored[0][0]):
            return None
        return scored[0][1]


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
