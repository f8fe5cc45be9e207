"""Evidence on a claim (DESIGN.md §3): links with stance and source type, added and removed with history.

Evidence is part of the verdict, so it is locked with it by the claim's state (claims/workflow.py
LOCKS) and changes, while unlocked, by an editor or the claim's assignee (or anyone while unassigned).
The claim's evidence_count moves in the same transaction; the counter is updated in SQL so that adding
evidence does not bump the claim's version (someone editing the rationale meanwhile is not refused).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import update

from ..errors import NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..models import Claim, Evidence, SourceType, Stance, User, utcnow
from ..urls import web_url
from .archive import archive_new_evidence
from .editing import may_edit_content
from .history import record
from .workflow import EVIDENCE, check_unlocked, locked

FIELDS = ("url", "title", "publisher", "excerpt", "stance", "source_type", "accessed_at", "archive_url")
LIMITS = {"url": 2000, "archive_url": 2000, "title": 500, "publisher": 300, "excerpt": 10_000}


def _parse(data: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - set(FIELDS))
    errors: dict[str, str] = {f: "Unknown field." for f in unknown}
    values: dict[str, Any] = {}
    for field in ("url", "archive_url"):
        try:
            values[field] = web_url(data.get(field), field, required=field == "url", limit=LIMITS[field])
        except ValidationError as exc:
            errors.update(exc.fields)
    for field in ("title", "publisher", "excerpt"):
        raw = data.get(field) or ""
        if not isinstance(raw, str):
            errors[field] = "must be text."
            continue
        raw = raw.replace("\r\n", "\n").strip()
        if len(raw) > LIMITS[field]:
            errors[field] = f"Limited to {LIMITS[field]:,} characters."
        values[field] = raw
    for field, enum_cls, default in (("stance", Stance, Stance.context), ("source_type", SourceType, SourceType.other)):
        raw = data.get(field) or default.value
        try:
            values[field] = enum_cls(raw)
        except ValueError:
            errors[field] = f"{raw!r} is not one of {', '.join(m.value for m in enum_cls)}."
    raw = data.get("accessed_at")
    if raw in (None, ""):
        values["accessed_at"] = date.today()
    elif isinstance(raw, date):
        values["accessed_at"] = raw
    else:
        try:
            values["accessed_at"] = date.fromisoformat(str(raw).strip())
        except ValueError:
            errors["accessed_at"] = f"{raw!r} is not a date: use YYYY-MM-DD."
    if values.get("accessed_at") and values["accessed_at"] > date.today():
        errors["accessed_at"] = "The accessed date cannot be in the future."
    if errors:
        first = next(iter(errors.items()))
        raise ValidationError(f"Evidence {first[0]}: {first[1]}", fields=errors)
    return values


def may_change(claim: Claim, user: User) -> bool:
    """Whether this person may add or remove evidence on this claim now."""
    return not locked(claim, EVIDENCE) and may_edit_content(claim, user)


def _check_open(claim: Claim, by: User) -> None:
    check_unlocked(claim, EVIDENCE)
    if not may_edit_content(claim, by):
        raise PermissionDenied(
            "This claim is assigned to someone else; only they or an editor can change its evidence.")


def summary_of(item: Evidence) -> dict:
    """What history keeps of an evidence link."""
    return {"id": item.id, "url": item.url, "title": item.title, "stance": item.stance.value,
            "source_type": item.source_type.value}


def add_evidence(claim: Claim, by: User, data: dict[str, Any]) -> Evidence:
    _check_open(claim, by)
    values = _parse(data)
    item = Evidence(claim_id=claim.id, created_by_id=by.id, created_at=utcnow(), **values)
    db.session.add(item)
    db.session.execute(update(Claim).where(Claim.id == claim.id).values(evidence_count=Claim.evidence_count + 1))
    db.session.flush()
    record(claim, by, "evidence_added", field="evidence", before=None, after=summary_of(item))
    archive_new_evidence(item)
    db.session.flush()
    db.session.expire(claim, ["evidence_count", "evidence"])
    return item


def remove_evidence(claim: Claim, by: User, evidence_id: int) -> None:
    item = db.session.get(Evidence, evidence_id)
    if item is None or item.claim_id != claim.id:
        raise NotFound(f"Claim {claim.id} has no evidence {evidence_id}.")
    _check_open(claim, by)
    snapshot = summary_of(item)
    db.session.delete(item)
    db.session.execute(update(Claim).where(Claim.id == claim.id).values(evidence_count=Claim.evidence_count - 1))
    record(claim, by, "evidence_removed", field="evidence", before=snapshot, after=None)
    db.session.flush()
    db.session.expire(claim, ["evidence_count", "evidence"])
