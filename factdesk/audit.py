"""The audit log of account and admin events (invitations, roles, deactivations, tokens, second
factors, rating-scale edits, withdrawals): one `audit()` every owner of such a rule calls.

Append-only like claim history: the ORM refuses edits (models.py) and database triggers refuse
UPDATE and DELETE (migration 0018).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .errors import ValidationError
from .extensions import db
from .models import AuditEntry, User, utcnow

PAGE = 100


def audit(actor: User | None, action: str, summary: str, *, person: User | None = None,
          **detail: Any) -> AuditEntry:
    """Record one event in the request's transaction; `detail` holds JSON-able facts (ids, before, after)."""
    entry = AuditEntry(actor_id=actor.id if actor is not None else None, action=action,
                       person_id=person.id if person is not None else None, summary=summary,
                       detail=detail, at=utcnow())
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass(frozen=True)
class AuditQuery:
    action: str | None = None
    person_id: int | None = None
    before_id: int | None = None


def parse_query(args) -> AuditQuery:
    """The page's filters from a query string; a bad number is a ValidationError naming the field."""
    values = {}
    for name, key in (("person", "person_id"), ("before", "before_id")):
        raw = (args.get(name) or "").strip()
        if raw:
            if not raw.isdigit() or len(raw) > 10:
                raise ValidationError(f"{name} must be a whole number.", fields={name: "invalid"})
            values[key] = int(raw)
    action = (args.get("action") or "").strip()[:40]
    return AuditQuery(action=action or None, **values)


def entries(query: AuditQuery) -> tuple[list[AuditEntry], bool]:
    """The newest entries matching `query`, and whether older ones remain."""
    statement = select(AuditEntry).options(joinedload(AuditEntry.actor), joinedload(AuditEntry.person)) \
        .order_by(AuditEntry.id.desc()).limit(PAGE + 1)
    if query.action:
        statement = statement.where(AuditEntry.action == query.action)
    if query.person_id is not None:
        statement = statement.where((AuditEntry.person_id == query.person_id)
                                    | (AuditEntry.actor_id == query.person_id))
    if query.before_id is not None:
        statement = statement.where(AuditEntry.id < query.before_id)
    rows = db.session.execute(statement).scalars().all()
    return rows[:PAGE], len(rows) > PAGE


def actions() -> list[str]:
    return db.session.execute(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).scalars().all()
