"""Appearances of a published check (DESIGN.md §15): the moves between their states, in one table.

A checker confirms or dismisses what monitoring found; only an editor makes a confirmed appearance
public, and never the person who confirmed it (four eyes, as for everything readers see, unless
ALLOW_SELF_APPROVAL). Readers see `public` appearances on the check page and in its ClaimReview.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..claims.history import record
from ..errors import ConflictError, NotFound, PermissionDenied
from ..extensions import db
from ..models import Appearance, AppearanceState, Claim, Role, User, utcnow

P, C, D, PUB = AppearanceState.pending, AppearanceState.confirmed, AppearanceState.dismissed, AppearanceState.public

# (from, to) → the least role that may make the move
MOVES: dict[tuple[AppearanceState, AppearanceState], Role] = {
    (P, C): Role.checker,
    (P, D): Role.checker,
    (C, D): Role.checker,
    (D, P): Role.checker,
    (C, PUB): Role.editor,
    (PUB, D): Role.editor,  # taken off the public page
}


def allowed_moves(appearance: Appearance, user: User) -> list[AppearanceState]:
    return [to for (frm, to), least in MOVES.items() if frm == appearance.state and user.has_role(least)]


def move(claim: Claim, appearance_id: int, to, by: User) -> Appearance:
    """Move one appearance of `claim` to state `to`; refusals name the moves allowed. Flushes."""
    appearance = db.session.get(Appearance, appearance_id)
    if appearance is None or appearance.claim_id != claim.id:
        raise NotFound(f"Claim {claim.id} has no appearance {appearance_id}.")
    try:
        to = AppearanceState(to)
    except ValueError:
        raise ConflictError(f"{to!r} is not a state of an appearance.", code="invalid_transition",
                            fields={"allowed": [s.value for s in allowed_moves(appearance, by)]}) from None
    least = MOVES.get((appearance.state, to))
    if least is None:
        allowed = allowed_moves(appearance, by)
        raise ConflictError(f"An appearance that is {appearance.state.value} cannot become {to.value}; allowed: "
                            f"{', '.join(s.value for s in allowed) or 'none'}.", code="invalid_transition",
                            fields={"allowed": [s.value for s in allowed]})
    if not by.has_role(least):
        raise PermissionDenied(f"Only an editor can make an appearance {to.value}.")
    if to == PUB and appearance.decided_by_id == by.id and not current_app.config.get("ALLOW_SELF_APPROVAL"):
        raise PermissionDenied("You confirmed this appearance: another editor makes it public (four eyes).",
                               code="four_eyes")
    before = appearance.state
    appearance.state = to
    now = utcnow()
    if to == PUB:
        appearance.approved_by_id, appearance.approved_at = by.id, now
    else:
        appearance.decided_by_id, appearance.decided_at = by.id, now
        appearance.approved_by_id = appearance.approved_at = None
    record(claim, by, "appearance", field="appearance", before={"id": appearance.id, "state": before.value},
           after={"id": appearance.id, "state": to.value, "url": appearance.url},
           comment=f"“{appearance.sentence[:200]}” — {appearance.said_by}")
    db.session.flush()
    return appearance


def of_claim(claim_id: int) -> list[Appearance]:
    """Every appearance of a claim, newest first."""
    return list(db.session.execute(
        select(Appearance).where(Appearance.claim_id == claim_id)
        .options(joinedload(Appearance.decided_by), joinedload(Appearance.approved_by))
        .order_by(Appearance.found_at.desc(), Appearance.id.desc())).scalars())


def public_of(claim_id: int) -> list[Appearance]:
    """What readers see: the appearances an editor approved, by when they were said."""
    return public_of_claims([claim_id]).get(claim_id, [])


def public_of_claims(claim_ids) -> dict[int, list[Appearance]]:
    """The public appearances of several claims in one statement, each claim's by when they were said."""
    found: dict[int, list[Appearance]] = {}
    if not claim_ids:
        return found
    for appearance in db.session.execute(
            select(Appearance).where(Appearance.claim_id.in_(list(claim_ids)), Appearance.state == PUB)
            .order_by(Appearance.said_at.desc(), Appearance.id.desc())).scalars():
        found.setdefault(appearance.claim_id, []).append(appearance)
    return found


def waiting() -> list[Appearance]:
    """Repeats waiting for a checker (pending) or an editor (confirmed), oldest first."""
    return list(db.session.execute(
        select(Appearance).where(Appearance.state.in_([P, C])).options(joinedload(Appearance.claim))
        .order_by(Appearance.found_at, Appearance.id).limit(200)).scalars())
