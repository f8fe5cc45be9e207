"""Notifications (DESIGN.md §3): assigned to you, sent back to you, mentioned, approved, published.

Nobody is notified of their own doing. Reading the unread count is one COUNT on the
(user_id, read_at, id) index, cheap enough for every page's navigation.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import func, select, update

from .extensions import db
from .models import Claim, Notification, User, utcnow

KINDS = {
    "assigned": "assigned you to",
    "sent_back": "sent back",
    "mentioned": "mentioned you on",
    "approved": "approved",
    "published": "published",
    "repeat": "found a repeat of",
}


def check_owners(claim: Claim) -> list[User | None]:
    """Who answers for a published check: its checker (the assignee, else who highlighted it) and the
    editor who last published it."""
    from .models import Publication

    publication = db.session.execute(
        select(Publication).where(Publication.claim_id == claim.id).order_by(Publication.number.desc()).limit(1)
    ).scalar_one_or_none()
    return [claim.assignee or claim.created_by, publication.published_by if publication else None]


def notify(recipients: Iterable[User | None], kind: str, claim: Claim | None, actor: User | None,
           message: str | None = None) -> list[Notification]:
    """One notification per distinct recipient, leaving out the actor and inactive people."""
    made, seen = [], set()
    for person in recipients:
        if person is None or person.id in seen or not person.active:
            continue
        seen.add(person.id)
        if actor is not None and person.id == actor.id:
            continue
        text = message or _default_message(kind, claim, actor)
        note = Notification(user_id=person.id, kind=kind, claim_id=claim.id if claim else None,
                            actor_id=actor.id if actor else None, message=text, created_at=utcnow())
        db.session.add(note)
        made.append(note)
    return made


def _default_message(kind: str, claim: Claim | None, actor: User | None) -> str:
    who = actor.name if actor else "Someone"
    what = KINDS.get(kind, kind)
    return f"{who} {what} claim {claim.id}" if claim else f"{who} {what}"


def unread_count(user: User) -> int:
    return db.session.execute(
        select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ).scalar_one()


def recent(user: User, limit: int = 100) -> list[Notification]:
    """The newest notifications of a person, unread first, with their claim and actor loaded."""
    from sqlalchemy.orm import joinedload

    return db.session.execute(
        select(Notification).where(Notification.user_id == user.id)
        .options(joinedload(Notification.actor), joinedload(Notification.claim))
        .order_by(Notification.read_at.is_not(None), Notification.id.desc()).limit(limit)
    ).scalars().all()


def mark_read(user: User, notification_id: int) -> bool:
    """Mark one of the person's own notifications read; False when it is not theirs or unknown."""
    result = db.session.execute(
        update(Notification).where(Notification.id == notification_id, Notification.user_id == user.id,
                                   Notification.read_at.is_(None)).values(read_at=utcnow())
    )
    return result.rowcount > 0


def mark_all_read(user: User) -> int:
    result = db.session.execute(
        update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount
