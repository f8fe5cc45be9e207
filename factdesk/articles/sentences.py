"""Sentences of an article's canonical text with exact code-point offsets (text[start:end] == sentence).

A rule-based splitter, good enough for news prose: paragraphs and lines first, then a full stop,
question or exclamation mark (with any closing quote or bracket) followed by space and something that
can open a sentence. Abbreviations (U.S., Mr., Jan., e.g.) and initials do not end a sentence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

# Words that end with a full stop without ending the sentence.
ABBREVIATIONS = frozenset("""
mr mrs ms dr prof sr jr st mt ft no nos vs etc inc ltd co corp gov sen rep gen col lt sgt capt cmdr adm
jan feb mar apr jun jul aug sep sept oct nov dec approx est dept univ fig al e.g i.e u.s u.k u.n e.u
a.m p.m
""".split())

_LINE = re.compile(r"[^\n]+")
# A candidate boundary: terminal punctuation, optional closers, then whitespace.
# Tried only where a run of terminal marks begins, and without backtracking into it: a run of
# 100,000 full stops is one attempt, not 100,000 attempts each reading the rest of the run. The
# optional ``open`` group says whether something that can open a sentence follows the whitespace
# (looked at in place: no copy of the rest of the line per boundary).
_BOUNDARY = re.compile(r"(?<![.!?…])[.!?…]++[\"'”’)\]]*+(?=\s)"
                       r"(?P<open>(?=\s++[\"'“‘(\[]*+[A-Z0-9À-ÖØ-Þ]))?")
# Abbreviations and dotted initials are short: a longer run of word characters is a word.
MAX_ABBREVIATION = 64


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def _ends_with_abbreviation(body: str, cut: int, stop: int) -> bool:
    """Whether the full stop at ``body[stop - 1]`` belongs to an abbreviation or an initial (looking
    back no further than ``cut``, the sentence's start, nor than MAX_ABBREVIATION characters)."""
    j = stop - 1
    while j > cut and stop - 1 - j <= MAX_ABBREVIATION and (body[j - 1].isalnum() or body[j - 1] in "._"):
        j -= 1
    if stop - 1 - j > MAX_ABBREVIATION:
        return False
    word = body[j:stop - 1]
    if not word:
        return False
    if word.lower() in ABBREVIATIONS or word.lower().rstrip(".") in ABBREVIATIONS:
        return True
    # Single letters and dotted acronyms: "J. Smith", "U.S.", "D.C."
    return bool(re.fullmatch(r"(?:[A-Za-z]\.)*[A-Za-z]", word))


def split_sentences(text: str) -> list[Sentence]:
    """Every sentence of `text`, in order, trimmed of surrounding spaces, with its offsets."""
    return list(iter_sentences(text))


def iter_sentences(text: str) -> Iterator[Sentence]:
    """The sentences of `text` one by one, for a caller that may stop early."""
    for line in _LINE.finditer(text):
        out: list[Sentence] = []
        base = line.start()
        body = line.group()
        cut = 0
        for boundary in _BOUNDARY.finditer(body):
            stop = boundary.end()
            if boundary.group("open") is None:
                continue
            if body[boundary.start()] == "." and boundary.end() - boundary.start() == 1 \
                    and _ends_with_abbreviation(body, cut, stop):
                # "the U.S. Senior Official": an abbreviation, unless what follows clearly opens a sentence.
                continue
            _add(out, text, base + cut, base + stop)
            cut = stop
        _add(out, text, base + cut, base + len(body))
        yield from out


def _add(out: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(start, end, text[start:end]))
