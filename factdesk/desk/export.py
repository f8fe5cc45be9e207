"""Export of the queue as it is filtered, as CSV or JSON, for a desk's own reporting (DESIGN.md §6).

Who: checkers and up, the people who can see the queue page — an export holds nothing the page does
not show. What: the same query parameters as the page (`page`/`per_page` are ignored: an export is
the whole filtered queue in the queue's sort order), up to QUEUE_EXPORT_LIMIT rows (default 10,000;
`X-Export-Total` and `X-Export-Truncated` headers say how many matched and whether the file stops
short — filter further to get the rest). The body is streamed, 500 rows a query, so memory stays flat.
CSV cells that a spreadsheet would run as a formula (starting with = + - @, their full-width and small
forms ＝ ＋ － ＠ included, which spreadsheets read as the same signs) get a leading apostrophe.
"""
from __future__ import annotations

import csv
import io
import json
import unicodedata
from datetime import date, datetime, timezone

from flask import Response, current_app, stream_with_context

from ..access import current_actor, requires
from ..api.serialize import claim as claim_shape
from ..claims import queue as claim_queue
from ..models import Priority, Role, Status
from .blueprint import bp

DEFAULT_LIMIT = 10_000
COLUMNS = ["id", "status", "quote", "summary", "claimant", "claimed_at", "article_id", "article_title",
           "assignee", "rating", "priority", "due", "overdue", "tags", "evidence_count", "comment_count",
           "created_at", "updated_at", "published_at"]


def _limit() -> int:
    return int(current_app.config.get("QUEUE_EXPORT_LIMIT", DEFAULT_LIMIT))


def _query():
    from flask import request

    query = claim_queue.parse(request.args, actor=current_actor())
    return query, claim_queue.count(query)


def _safe(value) -> str:
    text = "" if value is None else str(value)
    # NFKC folds the full-width and small forms (＝, ﹢ …) onto the ASCII signs.
    first = unicodedata.normalize("NFKC", text[:1])[:1]
    return "'" + text if first in ("=", "+", "-", "@", "\t", "\r") else text


def _row(claim, today: date) -> list:
    done = (Status.published, Status.discarded, Status.withdrawn)
    overdue = claim.due is not None and claim.due < today and claim.status not in done
    return [claim.id, claim.status.value, claim.quote, claim.summary, claim.claimant,
            claim.claimed_at.isoformat() if claim.claimed_at else "", claim.article_id, claim.article.title,
            claim.assignee.name if claim.assignee else "", claim.rating.label if claim.rating else "",
            Priority(claim.priority).name, claim.due.isoformat() if claim.due else "", "yes" if overdue else "no",
            " ".join(claim.tags), claim.evidence_count, claim.comment_count, claim.created_at.isoformat(),
            claim.updated_at.isoformat(), claim.published_at.isoformat() if claim.published_at else ""]


def _headers(kind: str, total: int, limit: int) -> dict:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M")
    return {"Content-Disposition": f'attachment; filename="queue-{stamp}.{kind}"',
            "X-Export-Total": str(total), "X-Export-Truncated": "true" if total > limit else "false"}


@bp.route("/export.csv")
@requires(Role.checker)
def export_csv():
    query, total = _query()
    limit = _limit()

    def generate():
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        today = date.today()
        for n, claim in enumerate(claim_queue.rows(query, limit=limit), 1):
            writer.writerow([_safe(v) for v in _row(claim, today)])
            if n % 200 == 0:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()

    return Response(stream_with_context(generate()), mimetype="text/csv",
                    headers=_headers("csv", total, limit))


@bp.route("/export.json")
@requires(Role.checker)
def export_json():
    query, total = _query()
    limit = _limit()

    def generate():
        head = {"query": query.args(page=None, per_page=None), "total": total, "limit": limit,
                "truncated": total > limit}
        yield json.dumps(head)[:-1] + ', "items": ['
        for n, claim in enumerate(claim_queue.rows(query, limit=limit)):
            yield ("," if n else "") + json.dumps(claim_shape(claim, with_evidence=False))
        yield "]}"

    return Response(stream_with_context(generate()), mimetype="application/json",
                    headers=_headers("json", total, limit))
