"""Counting a regular expression's work in steps: a backtracking matcher like Python's own.

CPython's ``re`` runs in C and reports no step count, and a test must not time it. This matcher walks
the same parse tree (``re._parser``) the same way (leftmost, greedy or lazy, backtracking; possessive
and atomic groups do not backtrack) and counts one step per node tried, character consumed and
backtrack. Enough of the syntax for the desk's patterns; anything else raises NotImplementedError.
"""
from __future__ import annotations

import re
import sys
import threading
from re import _constants as C  # noqa: N812
from re import _parser

_SINGLE = {C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN}


def _category(cat, ch: str) -> bool:
    if cat in (C.CATEGORY_DIGIT, C.CATEGORY_UNI_DIGIT):
        return ch.isdecimal()
    if cat in (C.CATEGORY_NOT_DIGIT, C.CATEGORY_UNI_NOT_DIGIT):
        return not ch.isdecimal()
    if cat in (C.CATEGORY_SPACE, C.CATEGORY_UNI_SPACE):
        return ch.isspace()
    if cat in (C.CATEGORY_NOT_SPACE, C.CATEGORY_UNI_NOT_SPACE):
        return not ch.isspace()
    if cat in (C.CATEGORY_WORD, C.CATEGORY_UNI_WORD):
        return ch.isalnum() or ch == "_"
    if cat in (C.CATEGORY_NOT_WORD, C.CATEGORY_UNI_NOT_WORD):
        return not (ch.isalnum() or ch == "_")
    raise NotImplementedError(cat)


class Steps:
    """``Steps(pattern).finditer_steps(text)``: the steps a backtracking engine takes for finditer."""

    def __init__(self, pattern: re.Pattern):
        self.flags = pattern.flags
        self.tree = _parser.parse(pattern.pattern, pattern.flags)
        self.ignorecase = bool(self.flags & re.IGNORECASE)
        self.steps = 0
        self.text = ""

    # -- characters
    def _same(self, code: int, ch: str) -> bool:
        if ord(ch) == code:
            return True
        return self.ignorecase and chr(code).lower() == ch.lower()

    def _in(self, items, ch: str) -> bool:
        negate = False
        hit = False
        for op, av in items:
            if op is C.NEGATE:
                negate = True
            elif op is C.LITERAL:
                hit = hit or self._same(av, ch)
            elif op is C.RANGE:
                lo, hi = av
                hit = hit or lo <= ord(ch) <= hi or (self.ignorecase and any(
                    lo <= ord(c) <= hi for c in (ch.lower(), ch.upper()) if len(c) == 1))
            elif op is C.CATEGORY:
                hit = hit or _category(av, ch)
            else:
                raise NotImplementedError(op)
        return hit != negate

    def _one(self, op, av, pos: int) -> bool:
        if pos >= len(self.text):
            return False
        ch = self.text[pos]
        if op is C.LITERAL:
            return self._same(av, ch)
        if op is C.NOT_LITERAL:
            return not self._same(av, ch)
        if op is C.ANY:
            return ch != "\n" or bool(self.flags & re.DOTALL)
        return self._in(av, ch)

    def _word_at(self, pos: int) -> bool:
        return 0 <= pos < len(self.text) and (self.text[pos].isalnum() or self.text[pos] == "_")

    def _at(self, code, pos: int) -> bool:
        text, n = self.text, len(self.text)
        multiline = bool(self.flags & re.MULTILINE)
        if code is C.AT_BEGINNING:
            return pos == 0 or (multiline and text[pos - 1] == "\n")
        if code is C.AT_BEGINNING_STRING:
            return pos == 0
        if code is C.AT_END:
            return pos == n or (pos == n - 1 and text[pos] == "\n") or (multiline and text[pos] == "\n")
        if code is C.AT_END_STRING:
            return pos == n
        if code is C.AT_BOUNDARY:
            return self._word_at(pos - 1) != self._word_at(pos)
        if code is C.AT_NON_BOUNDARY:
            return self._word_at(pos - 1) == self._word_at(pos)
        raise NotImplementedError(code)

    # -- sequences, with a continuation called on every way the rest can match (True stops)
    def _seq(self, items, i: int, pos: int, k) -> bool:
        while True:
            self.steps += 1
            if i == len(items):
                return k(pos)
            op, av = items[i]
            if op in _SINGLE:
                if not self._one(op, av, pos):
                    return False
                i, pos = i + 1, pos + 1
                continue
            if op is C.AT:
                if not self._at(av, pos):
                    return False
                i += 1
                continue
            def rest(q, i=i):
                return self._seq(items, i + 1, q, k)

            if op is C.SUBPATTERN:
                return self._seq(av[3].data, 0, pos, rest)
            if op is C.BRANCH:
                return any(self._seq(alt.data, 0, pos, rest) for alt in av[1])
            if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
                return self._repeat(op, av, pos, rest)
            if op is C.ATOMIC_GROUP:
                end = self._first_end(av.data, pos)
                return end is not None and rest(end)
            if op in (C.ASSERT, C.ASSERT_NOT):
                direction, sub = av
                if direction == 1:
                    ok = self._first_end(sub.data, pos) is not None
                else:
                    width = sub.getwidth()[0]
                    ok = pos - width >= 0 and self._seq(sub.data, 0, pos - width, lambda q, pos=pos: q == pos)
                if ok != (op is C.ASSERT):
                    return False
                i += 1
                continue
            raise NotImplementedError(op)

    def _first_end(self, items, pos: int) -> int | None:
        found = []

        def k(q):
            found.append(q)
            return True
        self._seq(items, 0, pos, k)
        return found[0] if found else None

    def _repeat(self, op, av, pos: int, k) -> bool:
        lo, hi, sub = av
        items = sub.data
        if len(items) == 1 and items[0][0] in _SINGLE:
            sop, sav = items[0]
            run = 0
            while (hi is C.MAXREPEAT or run < hi) and self._one(sop, sav, pos + run):
                run += 1
                self.steps += 1
            if run < lo:
                return False
            if op is C.POSSESSIVE_REPEAT:
                return k(pos + run)
            counts = range(run, lo - 1, -1) if op is C.MAX_REPEAT else range(lo, run + 1)
            for c in counts:
                self.steps += 1
                if k(pos + c):
                    return True
            return False
        if op is C.POSSESSIVE_REPEAT:
            count, end = 0, pos
            while hi is C.MAXREPEAT or count < hi:
                nxt = self._first_end(items, end)
                if nxt is None or nxt == end:
                    break
                count, end = count + 1, nxt
            return count >= lo and k(end)

        def more(count: int, at: int) -> bool:
            self.steps += 1
            can_stop = count >= lo
            can_go = hi is C.MAXREPEAT or count < hi
            def go():
                return can_go and self._seq(items, 0, at, lambda q: q != at and more(count + 1, q))

            if op is C.MAX_REPEAT:
                return go() or (can_stop and k(at))
            return (can_stop and k(at)) or go()
        return more(0, pos)

    # -- what the desk calls
    def finditer_steps(self, text: str) -> int:
        """Steps for ``pattern.finditer(text)`` to the end (every match, every failed start)."""
        self.text, self.steps = text, 0
        pos = 0
        while pos <= len(text):
            end = self._first_end(self.tree.data, pos)
            pos = end if end is not None and end > pos else pos + 1
        return self.steps


def finditer_steps(pattern: re.Pattern, text: str) -> int:
    """Steps of a backtracking engine for ``pattern.finditer(text)``, on a thread with a deep stack."""
    out: list = []

    def run():
        try:
            out.append(Steps(pattern).finditer_steps(text))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below, who raises it
            out.append(exc)

    limit = sys.getrecursionlimit()
    size = threading.stack_size(512 * 1024 * 1024)
    sys.setrecursionlimit(1_000_000)
    try:
        worker = threading.Thread(target=run)
        worker.start()
        worker.join()
    finally:
        sys.setrecursionlimit(limit)
        threading.stack_size(size)
    if isinstance(out[0], BaseException):
        raise out[0]
    return out[0]


