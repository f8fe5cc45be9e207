"""The life of a claim (DESIGN.md §2) as one table: who may move a claim where, and what each move needs.

Pages, API and demo load all call `transition()`; `allowed_moves()` is what the UI offers and what a
refused move names. Role ranks: admin ≥ editor ≥ checker, so "editor" below includes admins.

Choices where §2 is silent:
- new → researching by a checker assigns the claim to them when nobody has it ("self-assigns"); a
  claim already assigned to someone else is theirs to start. An editor needs an assignee set first.
- researching → new unassigns the claim.
- Four eyes (§13): nobody who set the rating or wrote the rationale since the claim last entered
  research sees "approved" among their moves; trying it anyway is refused with code `four_eyes`
  (403), unless ALLOW_SELF_APPROVAL. The contributors are read from the history, so a split verdict
  (one person rates, another writes) leaves neither of them to approve it.
- `published_at` keeps the date of the first publication; every publication (and correction) is
  its own frozen Publication (claims/publishing.py).
- A claim that was ever published is not discarded (readers have read it): it is withdrawn.
- The desk itself (no person) sends a claim in review or approved back when the words under it
  change in its article (`desk_sends_back`), with a note saying what changed.

Locks (§13), by state, in LOCKS below: what nobody may change on a claim in that state until it is
reopened, sent back or restored. Editing, evidence, tags, duplicates, re-attaching and confirming
an anchor all ask `check_unlocked()`, whichever page, API, bulk action or job calls them.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from ..errors import ConflictError, PermissionDenied, ValidationError
from ..extensions import db
from ..models import Claim, ClaimHistory, Publication, Role, Status, User, utcnow
from ..public.claimreview import publish_problems
from . import publishing
from .history import record

S = Status

# Who may make a move.
EDITOR = "editor"            # an editor or admin
ASSIGNEE = "assignee"        # the claim's assignee, whatever their role
SELF_ASSIGN = "self_assign"  # a checker taking an unassigned claim (or one assigned to them)
DESK = "desk"                # the desk itself, when the article changes under a claim (no person)

# What a move needs before it happens.
NEEDS_ASSIGNEE = "assignee"
NEEDS_VERDICT = "verdict"        # a rating, a rationale, at least one evidence link
NEEDS_FOUR_EYES = "four_eyes"
NEEDS_COMMENT = "comment"        # what to change, when sending back
NEEDS_REASON = "reason"          # why, when reopening or discarding
NEEDS_PUBLISHABLE = "publishable"
NEEDS_NEVER_PUBLISHED = "never_published"  # discarding: a check readers have read is withdrawn instead


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
    *_moves([S.in_review], S.changes_requested, {EDITOR, DESK}, [NEEDS_COMMENT]),
    *_moves([S.approved], S.changes_requested, {DESK}, [NEEDS_COMMENT]),
    *_moves([S.approved], S.published, {EDITOR}, [NEEDS_PUBLISHABLE]),
    *_moves([S.approved, S.published], S.researching, {EDITOR}, [NEEDS_REASON]),
    *_moves([S.new, S.researching, S.changes_requested], S.discarded, {EDITOR}, [NEEDS_REASON, NEEDS_NEVER_PUBLISHED]),
    *_moves([S.discarded], S.new, {EDITOR}),
    *_moves([S.published], S.withdrawn, {EDITOR}, [NEEDS_REASON]),
    *_moves([S.withdrawn], S.researching, {EDITOR}, [NEEDS_REASON]),
]
TABLE: dict[tuple[Status, Status], Move] = {(m.source, m.to): m for m in MOVES}

# What a claim's state locks (§13). The words of a claim (summary, claimant, when said), its verdict
# (rating, rationale), evidence, tags, anchor (re-attach, confirm a fuzzy match) and duplicate link.
WORDING, VERDICT, EVIDENCE, TAGS, ANCHOR, DUPLICATE = "wording", "verdict", "evidence", "tags", "anchor", "duplicate"
EVERYTHING = frozenset({WORDING, VERDICT, EVIDENCE, TAGS, ANCHOR, DUPLICATE})
LOCKS: dict[Status, frozenset[str]] = {
    S.in_review: EVERYTHING,
    S.approved: EVERYTHING,
    S.published: EVERYTHING,
    S.withdrawn: EVERYTHING,
    S.discarded: frozenset({WORDING, VERDICT, EVIDENCE}),
}
# How to unlock, by state.
UNLOCK = {
    S.in_review: "an editor sends it back first",
    S.approved: "an editor reopens it first, with a reason",
    S.published: "an editor reopens it for correction first, with a reason",
    S.withdrawn: "an editor reopens it first, with a reason",
    S.discarded: "an editor restores it first",
}
LOCK_WORDS = {WORDING: "wording", VERDICT: "rating and rationale", EVIDENCE: "evidence", TAGS: "tags",
              ANCHOR: "anchor (re-attaching or confirming new words)", DUPLICATE: "duplicate link"}

LABELS = {
    S.new: "new", S.researching: "researching", S.in_review: "in review",
    S.changes_requested: "changes requested", S.approved: "approved", S.published: "published",
    S.discarded: "discarded", S.withdrawn: "withdrawn",
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
    (S.published, S.withdrawn): "Withdraw",
    (S.withdrawn, S.researching): "Reopen",
}


def locked(claim: Claim, what: str) -> bool:
    """Whether the claim's state locks this part of it (WORDING, VERDICT, EVIDENCE, …)."""
    return what in LOCKS.get(claim.status, frozenset())


def check_unlocked(claim: Claim, *parts: str, fields: dict | None = None) -> None:
    """Refuse (409 `locked`) a change to parts of a claim its state locks, saying how to unlock them."""
    held = [p for p in parts if locked(claim, p)]
    if held:
        words = " and ".join(LOCK_WORDS[p] for p in held)
        raise ConflictError(
            f"Claim {claim.id} is {LABELS[claim.status]}: its {words} {'is' if len(held) == 1 else 'are'} locked "
            f"for everyone; {UNLOCK[claim.status]}.",
            code="locked", fields=fields or {p: "locked" for p in held})


def _may(move: Move, claim: Claim, user: User | None) -> bool:
    if user is None:
        return DESK in move.who
    if not user.has_role(Role.checker):
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


def verdict_contributors(claim: Claim) -> set[int]:
    """Everyone who set the rating or wrote the rationale since the claim last entered research."""
    rows = db.session.execute(
        select(ClaimHistory.action, ClaimHistory.field, ClaimHistory.after, ClaimHistory.by_id)
        .where(ClaimHistory.claim_id == claim.id,
               ((ClaimHistory.action == "transition") & (ClaimHistory.field == "status"))
               | ((ClaimHistory.action == "edit") & ClaimHistory.field.in_(("rating", "rationale"))))
        .order_by(ClaimHistory.id)).all()
    people: set[int] = set()
    for action, _field, after, by_id in rows:
        if action == "transition":
            if after == S.researching.value:
                people = set()
        elif by_id is not None:
            people.add(by_id)
    return people


def four_eyes_blocks(claim: Claim, user: User) -> bool:
    """True when this person contributed to the verdict and so may not approve it."""
    return (not self_approval_allowed()) and user.id in verdict_contributors(claim)


def allowed_moves(claim: Claim, user: User) -> list[str]:
    """The states this user may move this claim to from its current state, in the order of §2."""
    allowed = []
    for move in MOVES:
        if move.source != claim.status or not _may(move, claim, user):
            continue
        if NEEDS_NEVER_PUBLISHED in move.needs and claim.published_at is not None:
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


def transition(claim: Claim, to: str | Status, by: User | None, comment: str | None = None) -> Claim:
    """Move a claim to another state, or refuse with the moves allowed from here (`by` None: the desk)."""
    target = _status(to)
    db.session.flush()  # ids of anything set on the claim through relationships, for the checks below
    source = claim.status
    comment = (comment or "").strip() or None
    allowed = allowed_moves(claim, by)
    move = TABLE.get((source, target))

    if target.value not in allowed:
        if move is not None and _may(move, claim, by) and NEEDS_FOUR_EYES in move.needs:
            raise PermissionDenied(
                "Four eyes: you set this claim's rating or wrote its rationale since it last entered research, "
                "so another editor must approve it."
                f" Moves allowed to you from {LABELS[source]}: {_describe(allowed)}.",
                code="four_eyes", fields={"allowed": allowed})
        if move is not None and NEEDS_NEVER_PUBLISHED in move.needs and claim.published_at is not None:
            raise ConflictError(
                f"Claim {claim.id} has been published: readers have read it, so it is not discarded. Withdraw it "
                f"(from published, with a reason readers see) instead. Moves allowed to you from here: "
                f"{_describe(allowed)}.", code="invalid_transition", fields={"allowed": allowed})
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
        publishing.publish(claim, by, now)
    elif target == S.withdrawn:
        publishing.withdraw(claim, by, comment, now)
    elif source == S.published and target == S.researching:
        claim.under_review_since = now

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
        verb = {S.discarded: "discarding", S.withdrawn: "withdrawing"}.get(move.to, "reopening")
        raise ValidationError(f"Give a reason for {verb} the claim.", code="reason_required",
                              fields={"comment": "required"})
    if NEEDS_PUBLISHABLE in n:
        problems = _publish_problems(claim)
        if problems:
            raise ValidationError("This claim cannot be published yet: " + "; ".join(problems),
                                  code="not_publishable", fields={"problems": problems})


def _publish_problems(claim: Claim) -> list[str]:
    return list(publish_problems(claim))


def desk_sends_back(claim: Claim, note: str) -> Claim:
    """The desk's own move: a claim in review or approved whose words changed goes back to its checker."""
    return transition(claim, S.changes_requested, None, note)


def _notify(claim: Claim, source: Status, target: Status, by: User, comment: str | None) -> None:
    from ..notify import notify

    if target == S.changes_requested:
        notify([claim.assignee, claim.verdict_by], "sent_back", claim, by,
               f"{by.name if by else 'The desk'} sent claim {claim.id} back: {comment}")
    elif target == S.approved:
        notify([claim.assignee, claim.verdict_by], "approved", claim, by)
    elif target == S.published:
        notify([claim.assignee, claim.verdict_by], "published", claim, by)


def publication_count(claim: Claim) -> int:
    """How many times the claim has been published."""
    return db.session.execute(select(func.count(Publication.id)).where(Publication.claim_id == claim.id)).scalar_one()
