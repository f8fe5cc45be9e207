"""The review queue's table rows, built in one pass from `QueueLine`s (factdesk/claims/queue.py).

Fifty rows of a dozen cells each were most of the queue page's time as a template loop (an escape
and a lookup per value, a link built per tag); here each row is one f-string over plain values,
escaped like the article page's marks (factdesk/articles/marks.py). What the row shows and its
markup are those of the table in templates/desk/queue.html.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from markupsafe import Markup

from ..articles.marks import escape
from ..articles.panels import shorten
from ..claims.queue import DONE, QueueLine
from ..models import Priority

QUOTE_SHOWN = 140
TITLE_SHOWN = 60
PRIORITY_NAMES = {int(p): p.name for p in Priority}


def age(created: datetime, now: datetime | None = None) -> str:
    """How long a claim has been on the desk, in its largest whole unit."""
    seconds = ((now or datetime.now(timezone.utc)) - _utc(created)).total_seconds()
    if seconds < 3600:
        return f"{max(1, int(seconds // 60))} min"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h"
    return f"{int(seconds // 86400)} d"


def _utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc) if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def _due(line: QueueLine, today: date) -> str:
    if line.due is None:
        return '<span class="muted">—</span>'
    if line.due < today and line.status not in DONE:
        return f'<span class="nowrap overdue">{line.due.isoformat()} <span class="overdue-flag">overdue</span></span>'
    return f'<span class="nowrap">{line.due.isoformat()}</span>'


def _rating(line: QueueLine) -> str:
    if not line.rating_name:
        return '<span class="muted">—</span>'
    return ('<span class="rating-cell"><svg class="swatch" width="12" height="12" viewBox="0 0 12 12" '
            f'aria-hidden="true" focusable="false"><circle cx="6" cy="6" r="6" fill="{escape(line.rating_colour)}"/>'
            f'</svg> {escape(line.rating_name)}</span>')


def render_rows(lines: list[QueueLine], *, statuses: dict[str, str], claim_base: str, article_base: str,
                tag_links: dict[str, str], selectable: bool, selected: set[int], today: date) -> Markup:
    """One `<tr id="claim-N">` per line; `selectable` adds the bulk form's checkbox (editors)."""
    now = datetime.now(timezone.utc)
    out = []
    for line in lines:
        cid = line.id
        tick = ""
        if selectable:
            checked = " checked" if cid in selected else ""
            tick = (f'<td><input type="checkbox" name="ids" value="{cid}" id="select-{cid}"{checked}>'
                    f'<label for="select-{cid}" class="visually-hidden">Select claim {cid}</label></td>')
        tags = ""
        if line.tags:
            tags = '<span class="tags">' + "".join(
                f'<a class="tag" href="{escape(tag_links[tag])}">{escape(tag)}</a>' for tag in line.tags) + "</span>"
        status = line.status.value
        priority = PRIORITY_NAMES[line.priority]
        created = _utc(line.created_at)
        out.append(
            f'<tr id="claim-{cid}">{tick}<td class="quote-cell"><a href="{claim_base}{cid}">'
            f'{escape(shorten(line.quote, QUOTE_SHOWN))}</a> <span class="claim-id">#{cid}</span>{tags}</td>'
            f'<td class="article-cell"><a href="{article_base}{line.article_id}">'
            f'{escape(shorten(line.article_title, TITLE_SHOWN))}</a></td>'
            f'<td><span class="status status-{status}">{escape(statuses[status])}</span></td>'
            f'<td>{_rating(line)}</td>'
            f'<td data-label="Assignee">{escape(line.assignee_name or "unassigned")}</td>'
            f'<td data-label="Priority"><span class="priority priority-{priority}">{priority}</span></td>'
            f'<td data-label="Due">{_due(line, today)}</td>'
            f'<td class="nowrap" data-label="Age"><time datetime="{created.strftime("%Y-%m-%dT%H:%M:%SZ")}" '
            f'title="{created.strftime("%Y-%m-%d %H:%M")} UTC">{age(created, now)}</time></td>'
            f'<td class="num" data-label="Evidence">{line.evidence_count}</td>'
            f'<td class="num" data-label="Comments">{line.comment_count}</td></tr>')
    return Markup("".join(out))
