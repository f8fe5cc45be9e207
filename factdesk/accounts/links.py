"""Links sent by e-mail — invitations, password resets, e-mail changes: single use, expiring.

The link carries a random token; the desk keeps only its SHA-256. A new link of the same purpose ends
the person's earlier ones, and using one ends it. Refusals say why (unknown, used, expired), so the
person knows whether to ask for a new one.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from ..errors import ValidationError
from ..extensions import db
from ..models import AccountLink, LinkPurpose, User, utcnow

LIFETIME = {
    LinkPurpose.invitation: timedelta(days=7),
    LinkPurpose.password_reset: timedelta(hours=1),
    LinkPurpose.email_change: timedelta(days=1),
}
WHAT = {
    LinkPurpose.invitation: "invitation",
    LinkPurpose.password_reset: "password-reset link",
    LinkPurpose.email_change: "confirmation link",
}


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def make_link(user: User, purpose: LinkPurpose, *, by: User | None = None, new_email: str | None = None) -> str:
    """A new link for `user` (its earlier unused ones of this purpose end now); the raw token, once."""
    now = utcnow()
    db.session.execute(update(AccountLink).where(
        AccountLink.user_id == user.id, AccountLink.purpose == purpose, AccountLink.used_at.is_(None),
        AccountLink.expires_at > now).values(expires_at=now))
    raw = secrets.token_urlsafe(32)
    db.session.add(AccountLink(user_id=user.id, purpose=purpose, token_hash=_digest(raw), new_email=new_email,
                               created_by_id=by.id if by is not None else None, created_at=now,
                               expires_at=now + LIFETIME[purpose]))
    db.session.flush()
    return raw


def open_link(raw: str, purpose: LinkPurpose) -> AccountLink:
    """The link behind `raw` while it can still be used; a ValidationError saying why not otherwise."""
    what = WHAT[purpose]
    link = None
    if raw and len(raw) <= 100:
        link = db.session.execute(
            select(AccountLink).where(AccountLink.token_hash == _digest(raw), AccountLink.purpose == purpose)
        ).scalar_one_or_none()
    if link is None:
        raise ValidationError(f"This {what} is not valid: check that the whole link was copied, or ask for a new one.",
                              code="link_invalid", fields={"token": "invalid"})
    if link.used_at is not None:
        raise ValidationError(f"This {what} was used already (on {link.used_at:%Y-%m-%d at %H:%M} UTC); each "
                              "link works once. Ask for a new one if you need it.", code="link_used",
                              fields={"token": "used"})
    if link.expires_at <= utcnow():
        raise ValidationError(f"This {what} expired on {link.expires_at:%Y-%m-%d at %H:%M} UTC. Ask for a new one.",
                              code="link_expired", fields={"token": "expired"})
    if not link.user.active:
        raise ValidationError("This account is deactivated.", code="link_invalid", fields={"token": "inactive"})
    return link


def use_link(link: AccountLink) -> None:
    link.used_at = utcnow()
    db.session.flush()
