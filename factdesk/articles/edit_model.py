"""Revisions with known truth, for judging re-anchoring (``make anchor-score``; DESIGN §4).

An edit model that knows where every claim truly is after a revision, written apart from the anchoring
code it judges: it never calls it. A ``Draft`` is an article's text as paragraphs of characters, each
character remembering the old offset it came from (or that it is new, and which old span it
replaced); edits move, copy, insert, delete and rewrite paragraphs, sentences, words and whitespace.
A claim's true span in the new text covers its surviving characters and what replaced characters
inside it, without whitespace at its ends (a claim is whole words); a claim of which fewer than half
the characters survive is truly gone. Where a copy of the claim's words sits right beside them, so
that the new text reads ``u w w v`` (the claim in one ``w``), no reading of the two texts can tell
the original from the copy: the other copy is an equally true span (``Truth.also``). So is a copy
elsewhere in the same whole sentence when calling it the original gives the same text by a story
that moves, cuts in, splits and joins no more (``Draft._swaps``).
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

NEW = -1  # origin of a character that is new and replaced nothing
_SEP = "\n\n"
_WORDS = re.compile(r"\S+")
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"'”’)]*|$)")
# Below this share of its characters surviving in place, a claim's words count as gone.
MIN_SURVIVING = 0.5


@dataclass(frozen=True)
class Truth:
    """Where a claim truly is in the new text: ``span`` (start, end), or None when its words are gone.
    ``exact`` when the claim's characters all survived together, unchanged."""

    span: tuple[int, int] | None
    exact: bool
    also: tuple[tuple[int, int], ...] = ()


class Draft:
    """The text being revised: paragraphs of (character, origin) pairs.

    ``origin`` is the character's old offset (>= 0), ``NEW``, or ``-2 - k`` for a character that
    replaced the old span ``self.replaced[k]``.
    """

    def __init__(self, text: str):
        self.old = text
        self.paragraphs: list[list[tuple[str, int]]] = []
        offset = 0
        for para in text.split(_SEP):
            self.paragraphs.append([(ch, offset + i) for i, ch in enumerate(para)])
            offset += len(para) + len(_SEP)
        self.replaced: list[tuple[int, int]] = []

    # -- reading
    @property
    def text(self) -> str:
        return _SEP.join("".join(ch for ch, _ in p) for p in self.paragraphs)

    def _flat(self) -> tuple[str, list[int]]:
        chars: list[str] = []
        origins: list[int] = []
        for k, p in enumerate(self.paragraphs):
            if k:
                chars += _SEP
                origins += [NEW, NEW]
            chars += [ch for ch, _ in p]
            origins += [o for _, o in p]
        return "".join(chars), origins

    def truth(self, start: int, end: int) -> Truth:
        """Where the old span ``[start, end)`` is now (each claim's span is unique to it)."""
        new, origins = self._flat()
        truth = self._truth(new, origins, start, end)
        if truth.span is None:
            return truth
        also = list(truth.also)
        for slid in (_slid(new, origins, -1), _slid(new, origins, 1)):
            other = self._truth(new, slid, start, end, story=False)
            if other.span is not None and other.span != truth.span and other.span not in also:
                also.append(other.span)
        return Truth(truth.span, truth.exact, tuple(also))

    def _truth(self, new: str, origins: list[int], start: int, end: int, *, story: bool = True) -> Truth:
        inside = [i for i, o in enumerate(origins) if start <= o < end]
        if len(inside) < MIN_SURVIVING * (end - start):
            return Truth(None, False)
        lo, hi = inside[0], inside[-1] + 1
        # Characters that replaced old characters of the span, at either edge, belong to it.
        while lo > 0 and self._replaces_inside(origins[lo - 1], start, end):
            lo -= 1
        while hi < len(origins) and self._replaces_inside(origins[hi], start, end):
            hi += 1
        survived = [origins[i] for i in range(lo, hi)]
        exact = survived == list(range(start, end))
        if not exact and any(o >= 0 and not start <= o < end for o in survived):
            return Truth(None, False)  # torn apart: other text now sits inside it
        if not exact:  # a word deleted at the claim's edge leaves the space before it behind
            while lo < hi and new[lo].isspace() and not self.old[start].isspace():
                lo += 1
            while hi > lo and new[hi - 1].isspace() and not self.old[end - 1].isspace():
                hi -= 1
        if not story:
            return Truth((lo, hi), exact)
        also = _slides(new, lo, hi)
        also += tuple(sw for sw in self._swaps(new, origins, lo, hi) if sw not in also)
        return Truth((lo, hi), exact, also)

    def _swaps(self, new: str, origins: list[int], lo: int, hi: int) -> tuple[tuple[int, int], ...]:
        """The other copies of ``new[lo:hi]`` that an equally simple story of the edit places the claim on.

        Where a copy stands in the same whole sentence as the claim, and the two read alike character for
        character within their paragraphs, the two stretches can swap what they came from and the new
        text stays the same; when that other story keeps as many old characters in their old order and
        cuts in no more insertions, no reading of the texts can say the generator's is the true one.
        """
        quote = new[lo:hi]
        if new.count(quote) < 2:
            return ()
        para = _paragraph_ids(new)
        s0, s1 = _sentence_around(new, para, lo, hi)
        stretches = []
        k = new.find(quote)
        while k >= 0:
            if k != lo:
                a, b = _common_stretch(new, para, lo, hi, k)
                d = k - lo
                # the whole sentence alike at both places, and the two stretches apart (overlaps are slides)
                if a <= s0 and s1 <= b and (b <= a + d or b + d <= a):
                    stretches.append((k, a, b))
            k = new.find(quote, k + 1)
        if not stretches:
            return ()
        old_para = _paragraph_ids(self.old)
        cost = _story_cost(origins, para, old_para)
        out = []
        for k, a, b in stretches:
            d = k - lo
            swapped = origins[:]
            swapped[a:b], swapped[a + d:b + d] = origins[a + d:b + d], origins[a:b]
            if all(x <= y for x, y in zip(_story_cost(swapped, para, old_para), cost)):
                out.append((k, k + hi - lo))
        return tuple(out)

    def of_claim(self, origin: int, claim: tuple[int, int]) -> bool:
        """Does a character of this origin belong to the claim: one of its old characters, or what
        replaced some of them?"""
        return claim[0] <= origin < claim[1] or self._replaces_inside(origin, *claim)

    def _replaces_inside(self, origin: int, start: int, end: int) -> bool:
        if origin > NEW or origin == NEW:
            return False
        a, b = self.replaced[-2 - origin]
        return start <= a and b <= end

    # -- locating
    def find_old(self, old_offset: int) -> tuple[int, int] | None:
        """(paragraph, index) of the character that came from ``old_offset``."""
        for k, p in enumerate(self.paragraphs):
            for i, (_, o) in enumerate(p):
                if o == old_offset:
                    return k, i
        return None

    # -- editing
    def replace(self, k: int, i: int, j: int, new: str) -> None:
        """Paragraph k's characters [i, j) become ``new`` (which replaced their old span, if any)."""
        para = self.paragraphs[k]
        olds = [o for _, o in para[i:j] if o >= 0]
        for _, o in para[i:j]:  # what replaced old text, replaced again, still stands for that old text
            if o < NEW:
                olds += (self.replaced[-2 - o][0], self.replaced[-2 - o][1] - 1)
        if new and olds:
            self.replaced.append((min(olds), max(olds) + 1))
            tag = -2 - (len(self.replaced) - 1)
        else:
            tag = NEW
        para[i:j] = [(ch, tag) for ch in new]

    def insert_paragraph(self, at: int, text: str) -> None:
        self.paragraphs.insert(at, [(ch, NEW) for ch in text])

    def copy_paragraph_text(self, k: int) -> str:
        return "".join(ch for ch, _ in self.paragraphs[k])


def _slides(text: str, s: int, e: int) -> tuple[tuple[int, int], ...]:
    """The copies of ``text[s:e]`` that a tandem repeat carries it onto: ``text`` reads ``u w w v``
    with ``[s, e)`` inside one ``w`` and the copy at the same place in the other, so deleting either
    ``w`` leaves the same text and no one can say which was inserted."""
    out = []
    for k in (text.rfind(text[s:e], 0, e - 1), text.find(text[s:e], s + 1)):
        if k < 0 or k == s:
            continue
        lo, d = min(s, k), abs(k - s)
        r0 = lo  # the stretch of i with text[i] == text[i + d], around the first copy
        while r0 > 0 and text[r0 - 1] == text[r0 - 1 + d]:
            r0 -= 1
        r1 = lo
        while r1 + d < len(text) and text[r1] == text[r1 + d]:
            r1 += 1
        if max(r0, lo + (e - s) - d) <= min(lo, r1 - d):  # a period-d block holding the first copy
            out.append((k, k + e - s))
    return tuple(out)


def _slid(text: str, origins: list[int], way: int) -> list[int]:
    """The origins with every insertion (new characters that replaced nothing) slid as far as it goes
    within its paragraph over the same characters (``way`` -1: towards the start): "for for" read as
    " for" inserted after the first word or "for " before the second is the same text and the same
    edit, so the claim's true span is either."""
    out, para = origins[:], _paragraph_ids(text)
    n, i = len(out), 0
    while i < n:
        if out[i] != NEW or para[i] < 0:
            i += 1
            continue
        j = i
        while j < n and out[j] == NEW and para[j] == para[i]:
            j += 1
        if way < 0:
            while i > 0 and out[i - 1] >= 0 and text[i - 1] == text[j - 1]:
                out[j - 1], out[i - 1] = out[i - 1], NEW
                i, j = i - 1, j - 1
        else:
            while j < n and out[j] >= 0 and text[i] == text[j]:
                out[i], out[j] = out[j], NEW
                i, j = i + 1, j + 1
        i = j
    return out


def _paragraph_ids(text: str) -> list[int]:
    """Each character's paragraph number; the separator between two paragraphs is -1."""
    out, k, i = [], 0, 0
    for part in text.split(_SEP):
        if i:
            out += [-1] * len(_SEP)
        out += [k] * len(part)
        k, i = k + 1, i + len(part) + len(_SEP)
    return out


def _sentence_around(text: str, para: list[int], lo: int, hi: int) -> tuple[int, int]:
    """The start of the sentence holding ``lo`` and the end of the one holding ``hi - 1``."""
    p0 = lo
    while p0 > 0 and para[p0 - 1] == para[lo]:
        p0 -= 1
    p1 = hi
    while p1 < len(text) and para[p1] == para[lo]:
        p1 += 1
    spans = [(p0 + s, p0 + e) for s, e in _sentence_spans(text[p0:p1])]
    start = next((s for s, e in spans if s <= lo < e), lo)
    end = next((e for s, e in spans if s < hi <= e), hi)
    return min(start, lo), max(end, hi)


def _common_stretch(text: str, para: list[int], lo: int, hi: int, k: int) -> tuple[int, int]:
    """The longest ``[a, b)`` around ``[lo, hi)`` that reads the same at distance ``k - lo``, both
    stretches each inside one paragraph."""
    d = k - lo
    a, b = lo, hi
    while (a > 0 and a + d > 0 and para[a - 1] == para[lo] and para[a - 1 + d] == para[k]
           and text[a - 1] == text[a - 1 + d]):
        a -= 1
    while (b < len(text) and b + d < len(text) and para[b] == para[lo] and para[b + d] == para[k]
           and text[b] == text[b + d]):
        b += 1
    return a, b


def _story_cost(origins: list[int], para: list[int], old_para: list[int]) -> tuple[int, int, int]:
    """What a story that labels the new text this way must do: the fewest old characters it moves (all
    but the heaviest run of old characters kept in their old order), the stretches of new text it cuts
    in (paragraph breaks counting as neither), and the old paragraphs it splits or joins."""
    runs: list[list[int]] = []  # [first old offset, length] of each stretch of consecutive old offsets
    inserts, inserting, last, last_p = 0, False, -2, -1
    held: dict[int, set[int]] = {}  # new paragraph -> the old paragraphs its old characters came from
    for o, p in zip(origins, para):
        if p < 0:
            continue
        if o < 0:
            if not inserting:
                inserts, inserting, last = inserts + 1, True, -2
        elif o == last + 1 and p == last_p:
            runs[-1][1] += 1
            last = o
        else:
            runs.append([o, 1])
            held.setdefault(p, set()).add(old_para[o])
            inserting, last, last_p = False, o, p
    kept = _heaviest_increasing(runs)
    spread: dict[int, int] = {}  # old paragraph -> how many new paragraphs hold its characters
    for olds in held.values():
        for q in olds:
            spread[q] = spread.get(q, 0) + 1
    rejoined = sum(len(olds) - 1 for olds in held.values()) + sum(n - 1 for n in spread.values())
    return sum(n for _, n in runs) - kept, inserts, rejoined


def _heaviest_increasing(runs: list[list[int]]) -> int:
    """The most characters in runs taken in text order with their old offsets increasing."""
    order = {start: r for r, start in enumerate(sorted(start for start, _ in runs))}
    tree = [0] * (len(runs) + 1)  # Fenwick tree of the best total ending at each rank
    best = 0
    for start, n in runs:
        r, top = order[start], 0
        i = r
        while i > 0:
            top = max(top, tree[i])
            i -= i & -i
        total = top + n
        best = max(best, total)
        i = r + 1
        while i <= len(runs):
            tree[i] = max(tree[i], total)
            i += i & -i
    return best


# --- the kinds of edit ---------------------------------------------------------------------------

def _word_spans(para: str) -> list[tuple[int, int]]:
    return [m.span() for m in _WORDS.finditer(para)]


def _sentence_spans(para: str) -> list[tuple[int, int]]:
    out = []
    for m in _SENTENCE.finditer(para):
        s, e = m.span()
        while s < e and para[s].isspace():
            s += 1
        if e > s:
            out.append((s, e))
    return out


def _other_word(rng: random.Random, word: str, pool: list[str]) -> str:
    if any(ch.isdigit() for ch in word):
        digits = [i for i, ch in enumerate(word) if ch.isdigit()]
        i = rng.choice(digits)
        return word[:i] + str((int(word[i]) + rng.randint(1, 8)) % 10) + word[i + 1:]
    for _ in range(20):
        other = rng.choice(pool)
        if other != word:
            return other
    return word + "s"


def edit_in_quote(draft: Draft, rng: random.Random, claim: tuple[int, int], pool: list[str]) -> None:
    """One word of the claim replaced, inserted or deleted."""
    where = draft.find_old(claim[0])
    if where is None:
        return
    k, i0 = where
    para = draft.copy_paragraph_text(k)
    words = [(s, e) for s, e in _word_spans(para) if s >= i0 and draft.of_claim(draft.paragraphs[k][s][1], claim)]
    if not words:
        return
    s, e = rng.choice(words)
    action = rng.choice(["replace", "replace", "insert", "delete"]) if len(words) >= 3 else "replace"
    if action == "replace":
        draft.replace(k, s, e, _other_word(rng, para[s:e], pool))
    elif action == "insert":
        draft.replace(k, e, e, " " + rng.choice(pool))
    else:
        draft.replace(k, s, min(len(para), e + 1), "")


def whitespace_in_quote(draft: Draft, rng: random.Random, claim: tuple[int, int]) -> None:
    """Spaces inside (or at the edge of) the claim doubled, turned into a line break, or tabs."""
    where = draft.find_old(claim[0])
    if where is None:
        return
    k, _ = where
    para = draft.paragraphs[k]
    spaces = [i for i, (ch, o) in enumerate(para) if ch == " " and claim[0] - 1 <= o <= claim[1]]
    for i in sorted(rng.sample(spaces, min(len(spaces), rng.randint(1, 3))), reverse=True):
        draft.replace(k, i, i + 1, rng.choice(["  ", "\n", " \n", "\t", "   "]))


def move_paragraph(draft: Draft, rng: random.Random, k: int | None = None) -> None:
    if len(draft.paragraphs) < 2:
        return
    k = rng.randrange(len(draft.paragraphs)) if k is None else k
    para = draft.paragraphs.pop(k)
    draft.paragraphs.insert(rng.randrange(len(draft.paragraphs) + 1), para)


def paragraph_of(draft: Draft, old_offset: int) -> int | None:
    where = draft.find_old(old_offset)
    return None if where is None else where[0]


def duplicate_sentence(draft: Draft, rng: random.Random, claim: tuple[int, int], pool: list[str],
                       *, near: bool) -> None:
    """The claim's sentence copied into another paragraph (``near``: with one word changed)."""
    where = draft.find_old(claim[0])
    if where is None:
        return
    k, i0 = where
    para = draft.copy_paragraph_text(k)
    sentence = next(((s, e) for s, e in _sentence_spans(para) if s <= i0 < e), None)
    if sentence is None:
        return
    copy = para[sentence[0]:sentence[1]]
    if near:
        words = _word_spans(copy)
        s, e = rng.choice(words)
        copy = copy[:s] + _other_word(rng, copy[s:e], pool) + copy[e:]
    target = rng.randrange(len(draft.paragraphs) + 1)
    if rng.random() < 0.5 or not draft.paragraphs:
        draft.insert_paragraph(target, copy)  # a pull-quote of its own
    else:
        target = min(target, len(draft.paragraphs) - 1)
        end = len(draft.paragraphs[target])
        draft.replace(target, end, end, " " + copy)


def rewrite_sentence(draft: Draft, rng: random.Random, claim: tuple[int, int], foreign: list[str]) -> None:
    """The claim's sentence rewritten as another one: its words are gone."""
    where = draft.find_old(claim[0])
    if where is None:
        return
    k, i0 = where
    para = draft.copy_paragraph_text(k)
    for s, e in _sentence_spans(para):
        if s <= i0 < e:
            draft.replace(k, s, max(e, _end_in(draft, k, claim[1])), rng.choice(foreign))
            return


def _end_in(draft: Draft, k: int, old_end: int) -> int:
    para = draft.paragraphs[k]
    ends = [i + 1 for i, (_, o) in enumerate(para) if 0 <= o < old_end]
    return ends[-1] if ends else 0


def rewrite_context(draft: Draft, rng: random.Random, claim: tuple[int, int], foreign: list[str]) -> None:
    """The sentences around the claim rewritten; the claim's own words stay."""
    where = draft.find_old(claim[0])
    if where is None:
        return
    k, i0 = where
    para = draft.copy_paragraph_text(k)
    end = _end_in(draft, k, claim[1])
    # words just before and just after the claim, not the claim
    before = [(s, e) for s, e in _word_spans(para) if e < i0][-3:]
    after = [(s, e) for s, e in _word_spans(para) if s > end][:3]
    if after:
        draft.replace(k, after[0][0], after[-1][1], rng.choice(foreign).rstrip(".!?"))
    if before:
        draft.replace(k, before[0][0], before[-1][1], rng.choice(foreign).rstrip(".!?"))


def sentences_of(text: str) -> list[str]:
    """Sentences of a text, for inserting as foreign material."""
    out = []
    for para in text.split(_SEP):
        out += [para[s:e] for s, e in _sentence_spans(para) if 20 <= e - s <= 300]
    return out


def pick_claims(text: str, rng: random.Random, count: int) -> list[tuple[int, int]]:
    """Claim spans a checker might select: 1 to 14 whole words inside one paragraph, not overlapping."""
    spans: list[tuple[int, int]] = []
    offset = 0
    candidates = []
    for para in text.split(_SEP):
        words = _word_spans(para)
        for i in range(len(words)):
            candidates.append((offset, words, i))
        offset += len(para) + len(_SEP)
    rng.shuffle(candidates)
    taken: list[tuple[int, int]] = []
    for base, words, i in candidates:
        if len(spans) >= count:
            break
        n = rng.choice([1, 2, 3, 4, 6, 8, 10, 14])
        j = min(len(words) - 1, i + n - 1)
        s, e = base + words[i][0], base + words[j][1]
        if any(s < te and ts < e for ts, te in taken) or e - s > 2000:
            continue
        taken.append((s, e))
        spans.append((s, e))
    return spans
