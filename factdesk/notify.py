"""Notifications (DESIGN.md §3): assigned to you, sent back to you, mentioned, approved, published.

Nobody is notified of their own doing. Reading the unread count is one COUNT on the
(user_id, read_at, id) index, cheap enough for every page's navigation; a signed-in request reads
it in the same statement that loads the person (`person_with_unread`), so the navigation's badge
costs no round trip of its own.

By e-mail too, as each person chooses (§14): at once (a mail per notification, sent after the
commit), a daily digest (what they would see unread on their notifications page, once per desk day
in DESK_TIMEZONE), or never. Each such mail carries an unsubscribe link (signed, no login needed).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable
from zoneinfo import ZoneInfo

from flask import current_app, g
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from .errors import ValidationError
from .extensions import db
from .jobs import job
from .mail import absolute, send
from .models import Claim, Notification, NotifyEmail, User, utcnow

# The digest goes out from this hour of the desk's day on (the worker looks every hour).
DIGEST_HOUR = 7
UNSUBSCRIBE_SALT = "factdesk.unsubscribe"

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
        if person.notify_email == NotifyEmail.instant:
            _mail_at_once(person, note, claim)
    return made


def _mail_at_once(person: User, note: Notification, claim: Claim | None) -> None:
    link = absolute("desk.claim", claim_id=claim.id) if claim is not None else absolute("desk.notifications")
    send(person.email, note.message[:150], "notification", person=person, note=note, link=link,
         unsubscribe=unsubscribe_link(person))


def unsubscribe_link(person: User) -> str:
    token = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT).dumps(person.id)
    return absolute("account.unsubscribe", token=token)


def person_to_unsubscribe(token: str) -> User:
    """The person an unsubscribe link names; a ValidationError for a link this desk did not sign."""
    try:
        person_id = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT).loads(token)
    except BadSignature:
        person_id = None
    person = db.session.get(User, person_id) if isinstance(person_id, int) else None
    if person is None:
        raise ValidationError("This unsubscribe link is not valid: check that the whole link was copied.",
                              code="link_invalid", fields={"token": "invalid"})
    return person


def set_mail_choice(person: User, choice: NotifyEmail | str) -> None:
    try:
        person.notify_email = NotifyEmail(choice)
    except ValueError:
        raise ValidationError("Choose at once, daily digest or never.", fields={"notify_email": "invalid"}) from None
    db.session.flush()


def desk_day(moment: datetime) -> datetime:
    """`moment` in the desk's time zone (DESK_TIMEZONE): what "today" means for digests."""
    return moment.astimezone(ZoneInfo(current_app.config["DESK_TIMEZONE"]))


def send_digests(now: datetime | None = None) -> int:
    """One digest per person who chose it, once per desk day from DIGEST_HOUR on: their unread
    notifications that no digest listed yet, and what monitoring found since their last digest (the
    most check-worthy sentences, the repeats waiting for a checker; a first digest looks back to the
    start of the day before). Returns how many were sent; the caller commits."""
    from .monitor.candidates import found_since, start_of

    now = now or utcnow()
    today = desk_day(now)
    if today.hour < DIGEST_HOUR:
        return 0
    sent = 0
    people = db.session.execute(
        select(User).where(User.notify_email == NotifyEmail.digest, User.active.is_(True)).order_by(User.id)
    ).scalars().all()
    for person in people:
        if person.digest_sent_at is not None and desk_day(person.digest_sent_at).date() == today.date():
            continue
        query = select(Notification).where(Notification.user_id == person.id, Notification.read_at.is_(None)) \
            .options(joinedload(Notification.claim), joinedload(Notification.actor)).order_by(Notification.id)
        if person.digest_sent_at is not None:
            query = query.where(Notification.created_at > person.digest_sent_at)
        notes = db.session.execute(query).scalars().all()
        candidates, repeats = found_since(person.digest_sent_at or start_of(today.date() - timedelta(days=1)))
        person.digest_sent_at = now
        if not notes and not candidates and not repeats:
            continue
        items = [(note, absolute("desk.claim", claim_id=note.claim_id) if note.claim_id else None) for note in notes]
        send(person.email, f"Your digest for {today:%A %-d %B %Y}: {_digest_counts(notes, candidates, repeats)}",
             "digest", person=person, items=items, candidates=candidates,
             repeats=[(a, absolute("desk.claim", claim_id=a.claim_id)) for a in repeats],
             monitor=absolute("desk.monitor"), notifications=absolute("desk.notifications"),
             unsubscribe=unsubscribe_link(person))
        sent += 1
    db.session.flush()
    return sent


def _digest_counts(notes: list, candidates: list, repeats: list) -> str:
    def counted(items: list, one: str, many: str) -> str | None:
        return f"{len(items)} {one if len(items) == 1 else many}" if items else None

    parts = [counted(notes, "notification", "notifications"),
             counted(candidates, "sentence worth checking", "sentences worth checking"),
             counted(repeats, "repeat to confirm", "repeats to confirm")]
    return ", ".join(p for p in parts if p)


def _default_message(kind: str, claim: Claim | None, actor: User | None) -> str:
    who = actor.name if actor else "Someone"
    what = KINDS.get(kind, kind)
    return f"{who} {what} claim {claim.id}" if claim else f"{who} {what}"


def _unread(user_id):
    return select(func.count(Notification.id)).where(Notification.user_id == user_id,
                                                      Notification.read_at.is_(None))


def person_with_unread(user_id: int) -> User | None:
    """The person of a session and, in the same statement, their unread count for this request's
    navigation (kept on `g`: a request that marks notifications read redirects before it renders)."""
    row = db.session.execute(select(User, _unread(User.id).scalar_subquery()).where(User.id == user_id)).first()
    if row is None:
        return None
    g.unread_notifications = (row[0].id, row[1])
    return row[0]


def unread_count(user: User) -> int:
    known = g.get("unread_notifications")
    if known is not None and known[0] == user.id:
        return known[1]
    return db.session.execute(_unread(user.id)).scalar_one()


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


@job("mail.digest", retries=3, retry_delay=300)
def digest_job() -> None:
    """The hourly look for digests due (scheduled by the worker); sending is idempotent per desk day."""
    send_digests()
    db.session.commit()
