"""The editors' dashboard figures and the audit log across claims.

Medians come from the append-only history (transition entries), not from claim columns, so a claim
reopened and published again counts from its creation to its first publication, and every review
round counts once (from the move into in_review to the verdict that ends it: approved or
changes_requested). Medians and the weekly chart look back WINDOW_WEEKS weeks, which keeps the
dashboard's cost bounded on a desk with years of history.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from statistics import median

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import selectinload

from ..errors import ValidationError
from ..extensions import db
from ..models import Claim, ClaimHistory, Publication, User
from ..params import MAX_ID, MAX_PAGE, whole_number
from . import queue as claim_queue

WINDOW_WEEKS = 12
VERDICTS = ("approved", "changes_requested")
AUDIT_PER_PAGE = 50


def _json_text(value: str) -> str:
    # History values are JSON: a state is stored as the JSON string "in_review" (quotes included).
    return f'"{value}"'


def _as_text(column):
    return cast(column, String)


@dataclass
class Dashboard:
    counts: dict[str, int]
    overdue_total: int
    overdue: list[Claim]
    overdue_by_person: list[tuple[str, int]]
    median_to_publish: timedelta | None
    publish_samples: int
    median_review: timedelta | None
    review_samples: int
    weeks: list[tuple[date, int]]
    since: datetime


def dashboard(now: datetime | None = None) -> Dashboard:
    now = now or datetime.now(timezone.utc)
    since = now - timedelta(weeks=WINDOW_WEEKS)
    counts = claim_queue.tab_counts(claim_queue.QueueQuery())
    overdue_query = claim_queue.QueueQuery(overdue=True, sort="due", per_page=10)
    overdue_page = claim_queue.page(overdue_query)
    by_person = db.session.execute(
        select(func.coalesce(User.name, "unassigned"), func.count(Claim.id))
        .select_from(Claim).outerjoin(User, User.id == Claim.assignee_id)
        .where(*claim_queue.conditions(overdue_query))
        .group_by(User.name).order_by(func.count(Claim.id).desc()).limit(10)).all()
    to_publish = _publish_durations(since)
    review = _review_durations(since)
    return Dashboard(
        counts=counts, overdue_total=overdue_page.total, overdue=overdue_page.items,
        overdue_by_person=[(name, n) for name, n in by_person],
        median_to_publish=_median(to_publish), publish_samples=len(to_publish),
        median_review=_median(review), review_samples=len(review),
        weeks=_published_per_week(now), since=since)


def _median(values: list[timedelta]) -> timedelta | None:
    return timedelta(seconds=median(v.total_seconds() for v in values)) if values else None


def _publish_durations(since: datetime) -> list[timedelta]:
    """For claims first published in the window: creation → first move to published."""
    first = (select(ClaimHistory.claim_id, func.min(ClaimHistory.at).label("at"))
             .where(ClaimHistory.action == "transition", ClaimHistory.field == "status",
                    _as_text(ClaimHistory.after) == _json_text("published"))
             .group_by(ClaimHistory.claim_id).subquery())
    rows = db.session.execute(select(Claim.created_at, first.c.at).join(first, first.c.claim_id == Claim.id)
                              .where(first.c.at >= since)).all()
    out = []
    for created, published in rows:
        published = _aware(published)
        if published >= created:
            out.append(published - created)
    return out


def _review_durations(since: datetime) -> list[timedelta]:
    """Each review round that ended in the window: move into in_review → approved or changes_requested."""
    rows = db.session.execute(
        select(ClaimHistory.claim_id, ClaimHistory.at, _as_text(ClaimHistory.before), _as_text(ClaimHistory.after))
        .where(ClaimHistory.action == "transition", ClaimHistory.field == "status",
               ClaimHistory.at >= since - timedelta(weeks=WINDOW_WEEKS),
               or_(_as_text(ClaimHistory.after) == _json_text("in_review"),
                   _as_text(ClaimHistory.before) == _json_text("in_review")))
        .order_by(ClaimHistory.claim_id, ClaimHistory.id)).all()
    started: dict[int, datetime] = {}
    out = []
    verdicts = {_json_text(v) for v in VERDICTS}
    for claim_id, at, before, after in rows:
        if after == _json_text("in_review"):
            started[claim_id] = at
        elif before == _json_text("in_review") and claim_id in started:
            begin = started.pop(claim_id)
            if after in verdicts and at >= since:
                out.append(at - begin)
    return out


def _aware(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _published_per_week(now: datetime) -> list[tuple[date, int]]:
    """Claims published for the first time per week (Monday first), the last WINDOW_WEEKS weeks, oldest first."""
    monday = (now.date() - timedelta(days=now.weekday()))
    weeks = [monday - timedelta(weeks=n) for n in range(WINDOW_WEEKS - 1, -1, -1)]
    start = datetime.combine(weeks[0], datetime.min.time(), tzinfo=timezone.utc)
    counts = {w: 0 for w in weeks}
    for (at,) in db.session.execute(select(Publication.published_at)
                                     .where(Publication.published_at >= start, Publication.number == 1)):
        day = _aware(at).date()
        counts[day - timedelta(days=day.weekday())] += 1
    return sorted(counts.items())


def human(delta: timedelta | None) -> str:
    if delta is None:
        return "—"
    hours = delta.total_seconds() / 3600
    if hours < 1:
        return f"{max(1, round(hours * 60))} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"


# ---------------------------------------------------------------- audit log


@dataclass(frozen=True)
class AuditQuery:
    person: int | None = None
    action: str | None = None
    claim: int | None = None
    start: date | None = None
    end: date | None = None
    page: int = 1

    def args(self, **changes) -> dict:
        current = {"person": self.person, "action": self.action, "claim": self.claim,
                   "from": self.start.isoformat() if self.start else None,
                   "to": self.end.isoformat() if self.end else None, "page": self.page if self.page > 1 else None}
        current.update(changes)
        return {k: v for k, v in current.items() if v not in (None, "")}


def _date(args, name: str) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(f"{name} must be a date like 2024-05-31.", fields={name: "not_a_date"}) from None


def _pos_int(args, name: str, hi: int = MAX_ID) -> int | None:
    return whole_number(args.get(name), name, hi=hi)


def parse_audit(args) -> AuditQuery:
    action = (args.get("action") or "").strip() or None
    if action and len(action) > 40:
        raise ValidationError("action is at most 40 characters.", fields={"action": "too_long"})
    query = AuditQuery(person=_pos_int(args, "person"), action=action, claim=_pos_int(args, "claim"),
                       start=_date(args, "from"), end=_date(args, "to"), page=_pos_int(args, "page", MAX_PAGE) or 1)
    if query.start and query.end and query.start > query.end:
        raise ValidationError("The start date is after the end date.", fields={"from": "after_to"})
    return query


def audit(query: AuditQuery) -> tuple[list[ClaimHistory], bool]:
    """One page of history entries across claims, newest first, and whether an older page exists."""
    where = []
    if query.person:
        where.append(ClaimHistory.by_id == query.person)
    if query.action:
        where.append(ClaimHistory.action == query.action)
    if query.claim:
        where.append(ClaimHistory.claim_id == query.claim)
    if query.start:
        where.append(ClaimHistory.at >= datetime.combine(query.start, datetime.min.time(), tzinfo=timezone.utc))
    if query.end:
        where.append(ClaimHistory.at < datetime.combine(query.end + timedelta(days=1), datetime.min.time(),
                                                        tzinfo=timezone.utc))
    stmt = (select(ClaimHistory).where(*where).options(selectinload(ClaimHistory.by))
            .order_by(ClaimHistory.id.desc()).limit(AUDIT_PER_PAGE + 1)
            .offset((query.page - 1) * AUDIT_PER_PAGE))
    entries = list(db.session.execute(stmt).scalars())
    return entries[:AUDIT_PER_PAGE], len(entries) > AUDIT_PER_PAGE


KNOWN_ACTIONS = ["created", "transition", "edit", "evidence_added", "evidence_removed", "comment",
                 "reanchored", "anchor_confirmed", "reattached"]
