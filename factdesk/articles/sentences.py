"""Sentences of an article's canonical text with exact code-point offsets (text[start:end] == sentence).

A rule-based splitter, good enough for news prose: paragraphs and lines first, then a full stop,
question or exclamation mark (with any closing quote or bracket) followed by space and something that
can open a sentence. Abbreviations (U.S., Mr., Jan., e.g.) and initials do not end a sentence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Words that end with a full stop without ending the sentence.
ABBREVIATIONS = frozenset("""
mr mrs ms dr prof sr jr st mt ft no nos vs etc inc ltd co corp gov sen rep gen col lt sgt capt cmdr adm
jan feb mar apr jun jul aug sep sept oct nov dec approx est dept univ fig al e.g i.e u.s u.k u.n e.u
a.m p.m
""".split())

_LINE = re.compile(r"[^\n]+")
# A candidate boundary: terminal punctuation, optional closers, then whitespace.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+)")
_OPENER = re.compile(r"[\"'“‘(\[]*[A-Z0-9À-ÖØ-Þ]")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def _ends_with_abbreviation(chunk: str) -> bool:
    """Whether the full stop that ends `chunk` belongs to an abbreviation or an initial."""
    match = re.search(r"([\w.]+)\.$", chunk)
    if not match:
        return False
    word = match.group(1)
    if word.lower() in ABBREVIATIONS or word.lower().rstrip(".") in ABBREVIATIONS:
        return True
    # Single letters and dotted acronyms: "J. Smith", "U.S.", "D.C."
    return bool(re.fullmatch(r"(?:[A-Za-z]\.)*[A-Za-z]", word))


def split_sentences(text: str) -> list[Sentence]:
    """Every sentence of `text`, in order, trimmed of surrounding spaces, with its offsets."""
    out: list[Sentence] = []
    for line in _LINE.finditer(text):
        base = line.start()
        body = line.group()
        cut = 0
        for boundary in _BOUNDARY.finditer(body):
            stop = boundary.end()
            rest = body[stop:].lstrip()
            if not rest or not _OPENER.match(rest):
                continue
            if body[boundary.start()] == "." and boundary.end() - boundary.start() == 1 \
                    and _ends_with_abbreviation(body[cut:boundary.end()]):
                # "the U.S. Senior Official": an abbreviation, unless what follows clearly opens a sentence.
                continue
            _add(out, text, base + cut, base + stop)
            cut = stop
        _add(out, text, base + cut, base + len(body))
    return out


def _add(out: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(start, end, text[start:end]))
