"""The append-only history of a claim (DESIGN.md §2): every move and every change, who, when, before → after."""
from __future__ import annotations

from typing import Any

from ..extensions import db
from ..models import Claim, ClaimHistory, User, utcnow


def record(claim: Claim, by: User | None, action: str, *, field: str | None = None, before: Any = None,
           after: Any = None, comment: str | None = None) -> ClaimHistory:
    entry = ClaimHistory(claim=claim, by=by, action=action, field=field, before=before, after=after,
                         comment=comment or None, at=utcnow())
    db.session.add(entry)
    return entry


def as_dict(entry: ClaimHistory) -> dict:
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "by": None if entry.by is None else {"id": entry.by.id, "name": entry.by.name},
        "action": entry.action,
        "field": entry.field,
        "before": entry.before,
        "after": entry.after,
        "comment": entry.comment,
    }


def last_move_to(entries: list[ClaimHistory], state: str) -> ClaimHistory | None:
    """The latest move into `state` among a claim's history entries (oldest first), e.g. why it was sent back."""
    return next((e for e in reversed(entries) if e.action == "transition" and e.after == state), None)
