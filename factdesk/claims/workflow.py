"""The life of a claim (DESIGN.md §2) as one table: who may move a claim where, and what each move needs.

Pages, API and demo load all call `transition()`; `allowed_moves()` is what the UI offers and what a
refused move names. Role ranks: admin ≥ editor ≥ checker, so "editor" below includes admins.

Choices where §2 is silent:
- new → researching by a checker assigns the claim to them when nobody has it ("self-assigns"); a
  claim already assigned to someone else is theirs to start. An editor needs an assignee set first.
- researching → new unassigns the claim.
- Four eyes: the editor who last set the rating or rationale does not see "approved" among their
  moves, and trying it anyway is refused with code `four_eyes` (403), unless ALLOW_SELF_APPROVAL.
- `published_at` keeps the date of the first publication; every publication (and correction) has
  its own dated Publication row.
"""
from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from ..errors import ConflictError, PermissionDenied, ValidationError
from ..extensions import db
from ..models import Claim, ClaimHistory, Publication, Role, Status, User, utcnow
from .history import record

S = Status

# Who may make a move.
EDITOR = "editor"            # an editor or admin
ASSIGNEE = "assignee"        # the claim's assignee, whatever their role
SELF_ASSIGN = "self_assign"  # a checker taking an unassigned claim (or one assigned to them)

# What a move needs before it happens.
NEEDS_ASSIGNEE = "assignee"
NEEDS_VERDICT = "verdict"        # a rating, a rationale, at least one evidence link
NEEDS_FOUR_EYES = "four_eyes"
NEEDS_COMMENT = "comment"        # what to change, when sending back
NEEDS_REASON = "reason"          # why, when reopening or discarding
NEEDS_PUBLISHABLE = "publishable"


@dataclass(frozen=True)
class Move:
    source: Status
    to: Status
    who: frozenset[str]
    needs: tuple[str, ...] = ()


def _moves(sources, to, who, needs=()):
    return [Move(s, to, frozenset(who), tuple(needs)) for s in sources]


MOVES: list[Move] = [
    *_moves([S.new], S.researching, {SELF_ASSIGN, EDITOR}, [NEEDS_ASSIGNEE]),
    *_moves([S.researching], S.new, {ASSIGNEE, EDITOR}),
    *_moves([S.researching, S.changes_requested], S.in_review, {ASSIGNEE, EDITOR}, [NEEDS_VERDICT]),
    *_moves([S.in_review], S.approved, {EDITOR}, [NEEDS_FOUR_EYES]),
    *_moves([S.in_review], S.changes_requested, {EDITOR}, [NEEDS_COMMENT]),
    *_moves([S.approved], S.published, {EDITOR}, [NEEDS_PUBLISHABLE]),
    *_moves([S.approved, S.published], S.researching, {EDITOR}, [NEEDS_REASON]),
    *_moves([S.new, S.researching, S.changes_requested], S.discarded, {EDITOR}, [NEEDS_REASON]),
    *_moves([S.discarded], S.new, {EDITOR}),
]
TABLE: dict[tuple[Status, Status], Move] = {(m.source, m.to): m for m in MOVES}

LABELS = {
    S.new: "new", S.researching: "researching", S.in_review: "in review",
    S.changes_requested: "changes requested", S.approved: "approved", S.published: "published",
    S.discarded: "discarded",
}

# The words on a move's button, by (from, to).
ACTIONS = {
    (S.new, S.researching): "Start research",
    (S.researching, S.new): "Give back (unassign)",
    (S.researching, S.in_review): "Submit for review",
    (S.changes_requested, S.in_review): "Resubmit for review",
    (S.in_review, S.approved): "Approve",
    (S.in_review, S.changes_requested): "Send back",
    (S.approved, S.published): "Publish",
    (S.approved, S.researching): "Reopen",
    (S.published, S.researching): "Reopen for correction",
    (S.new, S.discarded): "Discard",
    (S.researching, S.discarded): "Discard",
    (S.changes_requested, S.discarded): "Discard",
    (S.discarded, S.new): "Restore",
}


def _may(move: Move, claim: Claim, user: User) -> bool:
    if user is None or not user.has_role(Role.checker):
        return False
    if EDITOR in move.who and user.has_role(Role.editor):
        return True
    if ASSIGNEE in move.who and claim.assignee_id == user.id:
        return True
    if SELF_ASSIGN in move.who and claim.assignee_id in (None, user.id):
        return True
    return False


def self_approval_allowed() -> bool:
    return bool(current_app.config.get("ALLOW_SELF_APPROVAL"))


def four_eyes_blocks(claim: Claim, user: User) -> bool:
    """True when this person last set the verdict and so may not approve it."""
    return (not self_approval_allowed()) and claim.verdict_by_id is not None and claim.verdict_by_id == user.id


def allowed_moves(claim: Claim, user: User) -> list[str]:
    """The states this user may move this claim to from its current state, in the order of §2."""
    allowed = []
    for move in MOVES:
        if move.source != claim.status or not _may(move, claim, user):
            continue
        if NEEDS_FOUR_EYES in move.needs and four_eyes_blocks(claim, user):
            continue
        allowed.append(move.to.value)
    return allowed


def needs(source: Status, to: Status) -> tuple[str, ...]:
    """What a move requires (for forms: whether to show a comment/reason field)."""
    move = TABLE.get((source, to))
    return move.needs if move else ()


def needs_text(source: Status, to: Status) -> str | None:
    """'comment' or 'reason' when the move requires written words, else None."""
    n = needs(source, to)
    if NEEDS_COMMENT in n:
        return "comment"
    if NEEDS_REASON in n:
        return "reason"
    return None


def _describe(states: list[str]) -> str:
    return ", ".join(LABELS[Status(s)] for s in states) if states else "none"


def _status(value: str | Status) -> Status:
    try:
        return Status(value)
    except ValueError:
        raise ValidationError(f"'{value}' is not a state; states are {', '.join(s.value for s in Status)}.",
                              fields={"to": "unknown state"}) from None


def transition(claim: Claim, to: str | Status, by: User, comment: str | None = None) -> Claim:
    """Move a claim to another state, or refuse with the moves allowed from here."""
    target = _status(to)
    db.session.flush()  # ids of anything set on the claim through relationships, for the checks below
    source = claim.status
    comment = (comment or "").strip() or None
    allowed = allowed_moves(claim, by)
    move = TABLE.get((source, target))

    if target.value not in allowed:
        if move is not None and _may(move, claim, by) and NEEDS_FOUR_EYES in move.needs:
            raise PermissionDenied(
                "Four eyes: you last set this claim's rating or rationale, so another editor must approve it."
                f" Moves allowed to you from {LABELS[source]}: {_describe(allowed)}.",
                code="four_eyes", fields={"allowed": allowed})
        raise ConflictError(
            f"Claim {claim.id} is {LABELS[source]}; it cannot move to {LABELS[target]}"
            f"{'' if move is None else ' by you'}. Moves allowed to you from here: {_describe(allowed)}.",
            code="invalid_transition", fields={"allowed": allowed})

    _check_requirements(move, claim, by, comment)

    if target == S.researching and source == S.new and claim.assignee_id is None:
        record(claim, by, "edit", field="assignee", before=None, after=_person(by))
        claim.assignee = by
    if target == S.new and source == S.researching and claim.assignee_id is not None:
        record(claim, by, "edit", field="assignee", before=_person(claim.assignee), after=None)
        claim.assignee = None

    now = utcnow()
    if target == S.published:
        _publish(claim, by, now)

    claim.status = target
    claim.updated_by = by
    claim.updated_at = now
    record(claim, by, "transition", field="status", before=source.value, after=target.value, comment=comment)
    _notify(claim, source, target, by, comment)
    db.session.flush()
    return claim


def _person(user: User | None):
    return None if user is None else {"id": user.id, "name": user.name}


def _check_requirements(move: Move, claim: Claim, by: User, comment: str | None) -> None:
    n = move.needs
    if NEEDS_ASSIGNEE in n and claim.assignee_id is None and not (
            SELF_ASSIGN in move.who and not by.has_role(Role.editor)):
        raise ValidationError("Assign someone to this claim before research starts.", code="assignee_required",
                              fields={"assignee": "required"})
    if NEEDS_VERDICT in n:
        missing = {}
        if claim.rating_id is None:
            missing["rating"] = "Choose a rating."
        if not (claim.rationale or "").strip():
            missing["rationale"] = "Write the rationale."
        if not claim.evidence_count:
            missing["evidence"] = "Add at least one evidence link."
        if missing:
            raise ValidationError("Before review the claim needs: " + " ".join(missing.values()),
                                  code="verdict_incomplete", fields=missing)
    if NEEDS_COMMENT in n and not comment:
        raise ValidationError("Say what to change: sending a claim back needs a comment.",
                              code="comment_required", fields={"comment": "required"})
    if NEEDS_REASON in n and not comment:
        verb = "discarding" if move.to == S.discarded else "reopening"
        raise ValidationError(f"Give a reason for {verb} the claim.", code="reason_required",
                              fields={"comment": "required"})
    if NEEDS_PUBLISHABLE in n:
        problems = _publish_problems(claim)
        if problems:
            raise ValidationError("This claim cannot be published yet: " + "; ".join(problems),
                                  code="not_publishable", fields={"problems": problems})


def _publish_problems(claim: Claim) -> list[str]:
    """The public pages' own checks (factdesk/public/claimreview.py), when that module exists."""
    name = "factdesk.public.claimreview"
    if importlib.util.find_spec(name) is None:
        return []
    check = getattr(importlib.import_module(name), "publish_problems", None)
    return list(check(claim) or []) if callable(check) else []


def _publish(claim: Claim, by: User, now) -> Publication:
    last = db.session.execute(
        select(Publication).where(Publication.claim_id == claim.id).order_by(Publication.number.desc()).limit(1)
    ).scalar_one_or_none()
    number = (last.number if last else 0) + 1
    is_correction = last is not None and (last.rating_id != claim.rating_id or last.rationale != claim.rationale)
    reason = _reopen_reason(claim) if is_correction else None
    publication = Publication(claim_id=claim.id, number=number, summary=claim.summary or "",
                              rating_id=claim.rating_id, rationale=claim.rationale or "", published_at=now,
                              published_by_id=by.id, is_correction=is_correction, correction_reason=reason)
    db.session.add(publication)
    if claim.published_at is None:
        claim.published_at = now
    return publication


def _reopen_reason(claim: Claim) -> str | None:
    """The reason given when the claim was last reopened from published."""
    entries = db.session.execute(
        select(ClaimHistory).where(ClaimHistory.claim_id == claim.id, ClaimHistory.action == "transition",
                                   ClaimHistory.field == "status").order_by(ClaimHistory.id.desc())
    ).scalars()
    for entry in entries:
        if entry.before == S.published.value and entry.after == S.researching.value:
            return entry.comment
    return None


def _notify(claim: Claim, source: Status, target: Status, by: User, comment: str | None) -> None:
    from ..notify import notify

    if target == S.changes_requested:
        notify([claim.assignee, claim.verdict_by], "sent_back", claim, by,
               f"{by.name} sent claim {claim.id} back: {comment}")
    elif target == S.approved:
        notify([claim.assignee, claim.verdict_by], "approved", claim, by)
    elif target == S.published:
        notify([claim.assignee, claim.verdict_by], "published", claim, by)


def publication_count(claim: Claim) -> int:
    return db.session.execute(select(func.count(Publication.id)).where(Publication.claim_id == claim.id)).scalar_one()
