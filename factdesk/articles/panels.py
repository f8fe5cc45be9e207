"""The claims beside an article's text on the desk: loaded as plain values, their highlights and
panels made in one pass.

An article can carry hundreds of claims, and its page must cost no more than twice the same article
without any (DESIGN §9): ORM objects and a template loop per claim each cost more than the rest of
the page, so the claims come from one joined query as plain rows, and each one's highlight (ready
for marks.render_marks) and list item are built here from pieces made once per look (status,
rating, anchor state), escaped like the marks of marks.py. Claims that need a form (a fuzzy re-anchor
to confirm, an orphan to re-attach) are few and stay in the template, as `ClaimLine`s.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from markupsafe import Markup
from sqlalchemy import String, bindparam, select, type_coerce

from ..claims.workflow import LABELS
from .marks import escape, opening
from ..models import AnchorState, Claim, Rating, Status, User, plain_rows

GIST = 90  # characters of wording (or quote) a panel shows; the claim page has the rest


def shorten(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1].rstrip() + "…"


@dataclass(slots=True)
class ClaimLine:
    """What the article page shows of a claim that needs a form there (orphaned, or fuzzy to confirm)."""

    id: int
    status: Status
    anchor_state: AnchorState
    start: int
    end: int
    quote: str
    previous_quote: str | None
    summary: str
    claimant: str
    rating_label: str | None
    rating_name: str | None
    assignee: str | None


def _css_class(status: str, rating_label: str | None, anchor_state: str) -> str:
    """A highlight's classes in the text (static/css/marks.css): short, as stretches repeat them."""
    classes = f"s-{status}"
    if rating_label:
        classes += f" r-{rating_label}"
    if anchor_state == "fuzzy":
        classes += " a-fuzzy"  # moved onto changed wording: marked until a checker confirms it
    return classes


def _gist(summary: str, quote: str) -> str:
    """A panel's one line: the checkable wording, or else the quote."""
    return shorten(summary, GIST) if summary else f"“{shorten(quote, GIST)}”"


@cache
def _lines_statement():
    # Status and anchor state as their stored strings: most claims need only a string for their
    # classes, and the enum is looked up for the few shown with a form (orphaned, fuzzy).
    return (select(Claim.id, type_coerce(Claim.status, String), type_coerce(Claim.anchor_state, String),
                   Claim.anchor_start, Claim.anchor_end, Claim.quote, Claim.previous_quote, Claim.summary,
                   Claim.claimant, Rating.label, Rating.name, User.name)
            .outerjoin(Rating, Claim.rating_id == Rating.id).outerjoin(User, Claim.assignee_id == User.id)
            .where(Claim.article_id == bindparam("article_id"))
            .order_by(Claim.anchor_start, Claim.anchor_end, Claim.id))


@dataclass(slots=True)
class ArticleClaims:
    """What the article page shows of its claims, made in one pass over them (`article_claims`)."""

    count: int
    marks: list[tuple]  # the placed claims' highlights, prepared for marks.render_marks
    claim_list: Markup  # the panels of the placed claims not waiting for a checker's confirmation
    orphans: list[ClaimLine]
    fuzzy: list[ClaimLine]


@dataclass(slots=True)
class _Look:
    """The pieces of markup that claims with the same status, rating and anchor state share."""

    css_class: str  # in the text's marks
    opening: str  # the link where a highlight begins (marks.opening), its claim's number as _NUMBER
    badges: str


_NUMBER = "\x00"  # stands for the claim's number in a look's opening: no text or escape makes it


def _look(status: str, rating_label: str | None, rating_name: str | None, anchor_state: str) -> _Look:
    state = Status(status)
    # The accessible name is short, since it is said where the claim starts (its panel, one link
    # away, says the rating).
    start = opening(_NUMBER, f"s-{status}", f"#claim-{_NUMBER}", f"Claim {_NUMBER}, {LABELS[state]}")
    return _Look(escape(_css_class(status, rating_label, anchor_state)), start,
                 _badges(state, rating_label, rating_name, AnchorState(anchor_state)))


def article_claims(article_id: int, claim_url: str) -> ArticleClaims:
    """Every claim of the article, in text order, in one statement whatever their number (built
    once, run on the session's connection as plain rows), made into the text's highlights and the
    claims' panels in the same pass: what claims with the same status, rating and anchor state
    share is made once (`_Look`), each claim adds only its number and words.

    A panel is one ``<li id="claim-N">``: its number linked to ``claim_url`` (which ends in the id,
    given as 0), its badges, its gist linked back to its highlight ``#hl-N`` (a block by the
    stylesheet, not a paragraph: 300 panels), claimant and assignee. Claims that need a form (a fuzzy
    re-anchor to confirm, an orphan to re-attach) are few and left to the template as `ClaimLine`s."""
    rows = plain_rows(_lines_statement(), {"article_id": article_id})
    rows.sort(key=_text_order)
    base = claim_url.removesuffix("0")
    looks: dict[tuple, _Look] = {}  # a page's 300 claims have a handful of different looks
    marks, panels, orphans, fuzzy = [], [], [], []
    for row in rows:
        claim_id, status, anchor_state, start, end, quote, _, summary, claimant, rating, rating_name, assignee = row
        if anchor_state == "orphaned":
            orphans.append(_line(row))
            continue
        key = (status, rating, rating_name, anchor_state)
        look = looks.get(key) or looks.setdefault(key, _look(*key))
        ident = str(claim_id)
        marks.append((start, end, ident, look.css_class, look.opening.replace(_NUMBER, ident)))
        if anchor_state == "fuzzy":
            fuzzy.append(_line(row))
            continue
        byline = f"{claimant} · {assignee}" if claimant and assignee else claimant or assignee
        meta = f'<p class="meta">{escape(byline)}</p>' if byline else ""
        panels.append(f'<li id="claim-{ident}"><h3><a href="{base}{ident}">Claim {ident}</a> {look.badges}</h3>'
                      f'<a href="#hl-{ident}">{escape(_gist(summary, quote))}</a>{meta}</li>')
    return ArticleClaims(len(rows), marks, Markup("".join(panels)), orphans, fuzzy)


def _text_order(row) -> tuple[int, int, int]:
    return row[3], row[4], row[0]  # start, end, id: the statement's own ORDER BY


def _line(row) -> ClaimLine:
    claim_id, status, anchor_state, *rest = row
    return ClaimLine(claim_id, Status(status), AnchorState(anchor_state), *rest)


def badges(line: ClaimLine) -> Markup:
    """Status, rating and (unless plainly anchored) anchor state, each said in words, not only colour."""
    return Markup(_badges(line.status, line.rating_label, line.rating_name, line.anchor_state))


def _badges(status: Status, rating_label: str | None, rating_name: str | None, anchor_state: AnchorState) -> str:
    html = f'<span class="status status-{status.value}">{LABELS[status]}</span>'
    if rating_label:
        html += f' <span class="rating rating-{escape(rating_label)}">{escape(rating_name or "")}</span>'
    state = anchor_state.value
    if state != "anchored":
        html += f' <span class="anchor-state anchor-state-{state}">{state}</span>'
    return html
