"""Bulk assign / priority / discard from the queue (editors and admins, DESIGN.md §1 and §6).

Each selected claim goes through the same rule as a single edit or move: assignments and priorities
through `claims.editing.update_claim` (its checks, its history entry), discards through
`claims.workflow.transition`. Each claim runs in its own SAVEPOINT, so a refused claim leaves no
half-change behind while the others go through; the whole request is still one transaction that the
view commits. A refused claim is reported by id with the reason its rule gave.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import false, select, update

from ..errors import DomainError, PermissionDenied, ValidationError
from ..extensions import db
from ..models import Claim, Priority, Role, Status, User
from ..params import whole_number
from .workflow import transition

ACTIONS = ("assign", "priority", "discard")
MAX_BULK = 200


@dataclass
class BulkResult:
    action: str
    done: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        verb = {"assign": "assigned", "priority": "reprioritised", "discard": "discarded"}[self.action]
        text = f"{len(self.done)} claim{'s' if len(self.done) != 1 else ''} {verb}."
        if self.refused:
            text += " Refused: " + " ".join(f"claim {i}: {reason}" for i, reason in self.refused)
        return text


def _update(claim: Claim, by: User, changes: dict) -> None:
    from .editing import update_claim

    update_claim(claim, by, changes, claim.version)


def _open_transaction() -> None:
    """Make sure a real transaction is open before the first SAVEPOINT.

    Python's sqlite3 driver begins a transaction only before a write; a SAVEPOINT issued outside one
    starts its own, and RELEASE would then commit the first claim's change on the spot. A write that
    touches nothing opens the request's transaction, so the whole bulk action stays one transaction.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(update(Claim).where(false()).values(id=Claim.id))


def parse_value(action: str, value: str | None, comment: str | None):
    """The target of a bulk action, checked once before any claim is touched."""
    if action not in ACTIONS:
        raise ValidationError(f"Choose an action: {', '.join(ACTIONS)}.", fields={"action": "unknown action"})
    value = (value or "").strip()
    if action == "assign":
        if value in ("", "none"):
            return None
        person = db.session.get(User, whole_number(value, "assignee"))
        if person is None or not person.active:
            raise ValidationError("That person does not exist or is deactivated.",
                                  fields={"assignee": "unknown person"})
        return person
    if action == "priority":
        try:
            return Priority[value.lower()]
        except KeyError:
            raise ValidationError("Choose a priority: low, normal, high or urgent.",
                                  fields={"priority": "unknown priority"}) from None
    if not (comment or "").strip():
        raise ValidationError("Give a reason for discarding (e.g. not checkable, opinion, duplicate of claim N).",
                              fields={"comment": "required"})
    return Status.discarded


def apply(claim_ids: list[int], action: str, value: str | None, by: User, comment: str | None = None) -> BulkResult:
    """Apply one action to each selected claim; refusals are collected per claim, the rest go through."""
    if not by.has_role(Role.editor):
        raise PermissionDenied("Bulk actions are for editors.")
    ids = list(dict.fromkeys(claim_ids))
    if not ids:
        raise ValidationError("Select at least one claim.", fields={"ids": "required"})
    if len(ids) > MAX_BULK:
        raise ValidationError(f"Select at most {MAX_BULK} claims at once.", fields={"ids": "too_many"})
    target = parse_value(action, value, comment)
    _open_transaction()
    found = {c.id: c for c in db.session.execute(select(Claim).where(Claim.id.in_(ids))).scalars()}
    result = BulkResult(action)
    for claim_id in ids:
        claim = found.get(claim_id)
        if claim is None:
            result.refused.append((claim_id, "no such claim."))
            continue
        savepoint = db.session.begin_nested()
        try:
            if action == "assign":
                _update(claim, by, {"assignee": target.id if target else None})
            elif action == "priority":
                _update(claim, by, {"priority": target.name})
            else:
                transition(claim, Status.discarded, by, comment)
            savepoint.commit()
        except DomainError as exc:
            savepoint.rollback()
            result.refused.append((claim_id, exc.message))
        else:
            result.done.append(claim_id)
    db.session.flush()
    return result
