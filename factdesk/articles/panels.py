"""The claims beside an article's text on the desk: loaded as plain values and rendered in one pass.

An article can carry hundreds of claims, and its page must cost no more than twice the same article
without any (DESIGN §9): ORM objects and a template loop per claim each cost more than the rest of
the page, so the claims come from one joined query as `ClaimLine`s and their list items are built
here, escaped like the marks of marks.py. Claims that need a form (a fuzzy re-anchor to confirm, an
orphan to re-attach) are few and stay in the template.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from markupsafe import Markup
from sqlalchemy import bindparam, select

from ..claims.workflow import LABELS
from ..extensions import db
from .marks import escape
from ..models import AnchorState, Claim, Rating, Status, User

GIST = 90  # characters of wording (or quote) a panel shows; the claim page has the rest


def shorten(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1].rstrip() + "…"


@dataclass(slots=True)
class ClaimLine:
    """What the article page shows of one claim."""

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

    @property
    def css_class(self) -> str:
        """The highlight's classes in the text (static/css/marks.css): short, as stretches repeat them."""
        classes = f"s-{self.status.value}"
        if self.rating_label:
            classes += f" r-{self.rating_label}"
        if self.anchor_state is AnchorState.fuzzy:
            classes += " a-fuzzy"  # moved onto changed wording: marked until a checker confirms it
        return classes

    @property
    def label(self) -> str:
        """The highlight's accessible name: short, since it is said where the claim starts (its panel,
        one link away, says the rating)."""
        return f"Claim {self.id}, {LABELS[self.status]}"

    @property
    def gist(self) -> str:
        """The panel's one line: the checkable wording, or else the quote."""
        return shorten(self.summary, GIST) if self.summary else f"“{shorten(self.quote, GIST)}”"

    @property
    def byline(self) -> str:
        return " · ".join(bit for bit in (self.claimant, self.assignee) if bit)

    def highlight(self) -> dict:
        """The claim as marks.render_marked_text takes it."""
        return {"id": self.id, "start": self.start, "end": self.end, "css_class": self.css_class,
                "start_class": f"s-{self.status.value}", "href": f"#claim-{self.id}", "label": self.label}


@cache
def _lines_statement():
    return (select(Claim.id, Claim.status, Claim.anchor_state, Claim.anchor_start, Claim.anchor_end, Claim.quote,
                   Claim.previous_quote, Claim.summary, Claim.claimant, Rating.label, Rating.name, User.name)
            .outerjoin(Rating, Claim.rating_id == Rating.id).outerjoin(User, Claim.assignee_id == User.id)
            .where(Claim.article_id == bindparam("article_id"))
            .order_by(Claim.anchor_start, Claim.anchor_end, Claim.id))


def claim_lines(article_id: int) -> list[ClaimLine]:
    """Every claim of the article, in text order, in one statement whatever their number: built once,
    and run on the session's connection (plain rows: the ORM's handling of 300 rows cost as much again
    as reading them)."""
    rows = db.session.connection().execute(_lines_statement(), {"article_id": article_id}).all()
    return [ClaimLine(*row) for row in rows]


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


def render_claim_list(lines: list[ClaimLine], claim_url: str) -> Markup:
    """One ``<li id="claim-N">`` per claim: its number linked to ``claim_url`` (which ends in the id,
    given as 0), its badges, its gist linked back to its highlight ``#hl-N`` (a block by the stylesheet, not
    a paragraph: 300 panels), claimant and assignee."""
    base = claim_url.removesuffix("0")
    out = []
    seen: dict[tuple, str] = {}  # a page's 300 claims have a handful of different badges
    for line in lines:
        byline = line.byline
        meta = f'<p class="meta">{escape(byline)}</p>' if byline else ""
        key = (line.status, line.rating_label, line.rating_name, line.anchor_state)
        shown = seen.get(key) or seen.setdefault(key, _badges(*key))
        out.append(f'<li id="claim-{line.id}"><h3><a href="{base}{line.id}">Claim {line.id}</a> {shown}</h3>'
                   f'<a href="#hl-{line.id}">{escape(line.gist)}</a>{meta}</li>')
    return Markup("".join(out))
