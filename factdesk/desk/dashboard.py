"""The editors' dashboard (counts, overdue work, medians, publications per week) and the audit log.

Charts are SVG drawn by the server: geometry is computed here, the template only places shapes.
No script and no style attributes (CSP): colours are SVG presentation attributes (`fill=`) or classes.
Each chart has a <title>/<desc> and a data table beside it for screen readers and for copying.
"""
from __future__ import annotations

import json

from flask import render_template, request
from sqlalchemy import select

from ..access import requires
from ..claims import stats
from ..errors import ValidationError
from ..extensions import db
from ..models import Role, User
from .blueprint import bp
from .queue import STATUS_LABELS

STATUS_COLOURS = {"new": "#8c96a3", "researching": "#3d7fc1", "in_review": "#d9a400",
                  "changes_requested": "#d9733b", "approved": "#4c9a5f", "published": "#1e7b34",
                  "discarded": "#b7bcc2", "withdrawn": "#6b2a26"}


def hbars(rows: list[tuple[str, int, str]], *, width: int = 560, bar: int = 22, gap: int = 8, label_w: int = 150):
    """Horizontal bar chart geometry: (label, value, colour) → shapes with x/y/width and the view box."""
    top = max([v for _, v, _ in rows] + [1])
    span = width - label_w - 60
    shapes = []
    for i, (label, value, colour) in enumerate(rows):
        y = i * (bar + gap)
        shapes.append({"label": label, "value": value, "colour": colour, "y": y, "x": label_w,
                       "w": round(span * value / top, 1), "h": bar})
    return {"shapes": shapes, "width": width, "height": len(rows) * (bar + gap), "label_w": label_w}


def vbars(rows: list[tuple[str, int]], *, width: int = 560, height: int = 200, bottom: int = 34, left: int = 34):
    """Vertical bar chart geometry for a series (label, value), with a few grid lines."""
    top = max([v for _, v in rows] + [1])
    step = (width - left) / max(1, len(rows))
    plot = height - bottom - 10
    shapes = []
    for i, (label, value) in enumerate(rows):
        h = round(plot * value / top, 1)
        shapes.append({"label": label, "value": value, "x": round(left + i * step + step * 0.15, 1),
                       "w": round(step * 0.7, 1), "y": round(10 + plot - h, 1), "h": h,
                       "cx": round(left + i * step + step / 2, 1)})
    grid = [{"y": round(10 + plot - plot * f, 1), "value": round(top * f)} for f in (0, 0.5, 1)]
    return {"shapes": shapes, "width": width, "height": height, "base": 10 + plot, "left": left, "grid": grid}


@bp.route("/dashboard")
@requires(Role.editor)
def dashboard():
    data = stats.dashboard()
    state_chart = hbars([(STATUS_LABELS[s], n, STATUS_COLOURS[s]) for s, n in data.counts.items()])
    week_chart = vbars([(week.strftime("%d %b"), n) for week, n in data.weeks])
    return render_template("desk/dashboard.html", data=data, state_chart=state_chart, week_chart=week_chart,
                           human=stats.human, statuses=STATUS_LABELS, window=stats.WINDOW_WEEKS)


@bp.route("/audit")
@requires(Role.editor)
def audit():
    status, error = 200, None
    try:
        query = stats.parse_audit(request.args)
    except ValidationError as exc:
        status, error, query = 422, exc, stats.AuditQuery()
    entries, more = stats.audit(query) if error is None else ([], False)
    people = db.session.execute(select(User).order_by(User.name)).scalars().all()
    return render_template("desk/audit.html", entries=entries, more=more, query=query, error=error,
                           people=people, actions=stats.KNOWN_ACTIONS, raw=request.args, show=_show), status


def _show(value) -> str:
    """A history value as a person reads it: text as is, anything else as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"id", "name"}:
        return value["name"]
    return json.dumps(value, ensure_ascii=False)
