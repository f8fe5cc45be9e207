"""Two texts of an article side by side in one column: paragraphs matched, words marked inside them.

Paragraphs are matched by the revision diff's budgeted patience diff (``diff.opcodes``), so any two
revisions compare in time bounded by their size. Inside a stretch of changed paragraphs, old and new
ones are paired by the words they share (in order), and a pair is compared word by word; what pairs
with nothing is a removed or an added paragraph. Whitespace between two changed words joins the
change, so "a b" → "x y" reads as one replacement, not as two with a space kept between.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload, undefer

from ..errors import NotFound, ValidationError
from ..extensions import db
from ..models import Article, ArticleRevision
from ..text import canonicalize
from .diff import Budget, opcodes

SAME, REMOVED, ADDED, CHANGED = "same", "removed", "added", "changed"
_WORDS = re.compile(r"\s+|\S+")
_TERMS = re.compile(r"\w+")
# Two paragraphs are one paragraph edited when this share of their words is common to both.
PAIR_SIMILARITY = 0.3
# Pairing compares every old paragraph of a stretch with every new one; past this many comparisons the
# stretch is paired in order instead (a whole rewrite, where pairing by words would tell nothing more).
PAIRING_LIMIT = 2_500
# Unchanged paragraphs shown around a change; longer unchanged runs fold away.
CONTEXT = 1
FOLD_AT = 2  # folding a single paragraph away would save nothing


@dataclass(frozen=True)
class Piece:
    kind: str  # SAME, REMOVED or ADDED
    text: str


@dataclass
class Paragraph:
    """One paragraph of the comparison, with its number in the old and in the new text (None: not there)."""

    kind: str
    pieces: list[Piece]
    old_number: int | None
    new_number: int | None


@dataclass
class Comparison:
    paragraphs: list[Paragraph] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return all(p.kind == SAME for p in self.paragraphs)

    def count(self, kind: str) -> int:
        return sum(1 for p in self.paragraphs if p.kind == kind)

    def summary(self) -> str:
        if self.identical:
            return "The two texts are the same."
        parts = [(self.count(CHANGED), "changed"), (self.count(ADDED), "added"), (self.count(REMOVED), "removed")]
        said = [f"{n} paragraph{'s' if n != 1 else ''} {what}" for n, what in parts if n]
        return ", ".join(said) + "."

    def runs(self) -> list[tuple[bool, list[Paragraph]]]:
        """The paragraphs in runs, each with whether it folds away: a run of at least FOLD_AT unchanged
        paragraphs further than CONTEXT from any change folds, the rest is shown."""
        near = set()
        for i, p in enumerate(self.paragraphs):
            if p.kind != SAME:
                near.update(range(i - CONTEXT, i + CONTEXT + 1))
        runs: list[tuple[bool, list[Paragraph]]] = []
        for i, p in enumerate(self.paragraphs):
            folded = p.kind == SAME and i not in near
            if runs and runs[-1][0] == folded:
                runs[-1][1].append(p)
            else:
                runs.append((folded, [p]))
        shown: list[tuple[bool, list[Paragraph]]] = []
        for folded, run in runs:
            folded = folded and len(run) >= FOLD_AT
            if shown and not folded and not shown[-1][0]:
                shown[-1][1].extend(run)
            else:
                shown.append((folded, run))
        return shown


def _words(text: str) -> list[str]:
    return _WORDS.findall(text)


def _joined(ops: list[tuple[str, int, int, int, int]], a: list[str], b: list[str]):
    """Opcodes with an equal run of whitespace alone between two changes folded into the change."""
    out: list[list] = []
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        inner = 0 < k < len(ops) - 1
        if tag == "equal" and inner and not "".join(a[i1:i2]).strip():
            tag = "replace"
        if out and tag != "equal" and out[-1][0] != "equal":
            out[-1][2], out[-1][4] = i2, j2
            out[-1][0] = "replace"
        else:
            out.append([tag, i1, i2, j1, j2])
    return out


def _word_pieces(old: str, new: str, budget: Budget) -> list[Piece]:
    a, b = _words(old), _words(new)
    pieces: list[Piece] = []
    for tag, i1, i2, j1, j2 in _joined(opcodes(a, b, budget), a, b):
        if tag == "equal":
            pieces.append(Piece(SAME, "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(Piece(REMOVED, "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(Piece(ADDED, "".join(b[j1:j2])))
    return pieces


def _similarity(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def _pairs(old: list[str], new: list[str]) -> list[tuple[int | None, int | None]]:
    """Old and new paragraphs of one changed stretch, in order, each paired with its edited self or None."""
    if len(old) * len(new) > PAIRING_LIMIT:
        n = min(len(old), len(new))
        return ([(i, i) for i in range(n)] + [(i, None) for i in range(n, len(old))]
                + [(None, j) for j in range(n, len(new))])
    ow, nw = [set(_TERMS.findall(p.casefold())) for p in old], [set(_TERMS.findall(p.casefold())) for p in new]
    # best[i][j]: the most similarity one can gather pairing old[i:] with new[j:] in order
    best = [[0.0] * (len(new) + 1) for _ in range(len(old) + 1)]
    for i in range(len(old) - 1, -1, -1):
        for j in range(len(new) - 1, -1, -1):
            s = _similarity(ow[i], nw[j])
            paired = s + best[i + 1][j + 1] if s >= PAIR_SIMILARITY else -1.0
            best[i][j] = max(paired, best[i + 1][j], best[i][j + 1])
    out: list[tuple[int | None, int | None]] = []
    i = j = 0
    while i < len(old) and j < len(new):
        s = _similarity(ow[i], nw[j])
        if s >= PAIR_SIMILARITY and best[i][j] == s + best[i + 1][j + 1]:
            out.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            out.append((i, None))
            i += 1
        else:
            out.append((None, j))
            j += 1
    return out + [(k, None) for k in range(i, len(old))] + [(None, k) for k in range(j, len(new))]


def compare_texts(old: str, new: str) -> Comparison:
    """The comparison of two canonical texts (paragraphs separated by one blank line)."""
    a, b = old.split("\n\n"), new.split("\n\n")
    budget = Budget()
    out = Comparison()
    for tag, i1, i2, j1, j2 in opcodes(a, b, budget):
        if tag == "equal":
            out.paragraphs += [Paragraph(SAME, [Piece(SAME, a[i1 + k])], i1 + k + 1, j1 + k + 1)
                               for k in range(i2 - i1)]
            continue
        for i, j in _pairs(a[i1:i2], b[j1:j2]):
            if j is None:
                out.paragraphs.append(Paragraph(REMOVED, [Piece(REMOVED, a[i1 + i])], i1 + i + 1, None))
            elif i is None:
                out.paragraphs.append(Paragraph(ADDED, [Piece(ADDED, b[j1 + j])], None, j1 + j + 1))
            else:
                pieces = _word_pieces(a[i1 + i], b[j1 + j], budget)
                out.paragraphs.append(Paragraph(CHANGED, pieces, i1 + i + 1, j1 + j + 1))
    return out


def revision_of(article: Article, number: int) -> ArticleRevision:
    row = db.session.execute(
        select(ArticleRevision).options(undefer(ArticleRevision.text), joinedload(ArticleRevision.created_by))
        .where(ArticleRevision.article_id == article.id, ArticleRevision.number == number)).scalar()
    if row is None:
        raise NotFound(f"This article has no revision {number}; its revisions are 1 to {article.revision}.",
                       fields={"revision": "not_found"})
    return row


def compare_revisions(article: Article, old: int | None, new: int | None
                      ) -> tuple[ArticleRevision, ArticleRevision, Comparison]:
    """Two revisions of `article` and their comparison; by default the latest change (previous → current)."""
    new = article.revision if new is None else new
    old = max(new - 1, 1) if old is None else old
    if old > new:
        raise ValidationError("Compare an earlier revision with a later one: the first number is the older text.",
                              fields={"from": "after_to"})
    before, after = revision_of(article, old), revision_of(article, new)
    return before, after, compare_texts(before.text, after.text)



@dataclass
class StaleEdit:
    """An edit refused because the article was revised meanwhile: what to look at before saving again."""

    meanwhile: tuple[ArticleRevision, ArticleRevision, Comparison] | None  # others' changes since the base
    yours: Comparison  # the current text against the one being saved


def stale_edit(article: Article, base: int | None, text: str) -> StaleEdit:
    """The comparisons for a person whose `text` was written on revision `base`, now out of date."""
    changes = compare_revisions(article, base, article.revision) if base and 1 <= base < article.revision else None
    return StaleEdit(changes, compare_texts(article.text, canonicalize(text)))
