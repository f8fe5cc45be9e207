"""Invitations: an admin invites someone by e-mail; the link (single use, 7 days) lets them set a password.

The person exists from the invitation on (with no password, so nobody can log in as them), which is
also what lets them sign in with the newsroom's single sign-on instead.
"""
from __future__ import annotations

from sqlalchemy import update

from ..audit import audit
from ..errors import ValidationError
from ..extensions import db
from ..mail import absolute, send
from ..models import AccountLink, LinkPurpose, Role, User, utcnow
from .links import LIFETIME, make_link, open_link, use_link
from .users import create_user, set_password


def invite(email: str, name: str, role: Role | str, by: User) -> User:
    user = create_user(email, name, role, None, by=by)
    _send(user, by)
    audit(by, "invited", f"{by.name} invited {user.name} <{user.email}> as {user.role.value}", person=user,
          role=user.role.value)
    return user


def resend(user: User, by: User) -> None:
    """A new invitation link (the earlier one stops working) for someone who has not accepted yet."""
    if user.has_password:
        raise ValidationError(f"{user.name} accepted the invitation already.", fields={"user": "accepted"})
    _send(user, by)
    audit(by, "invited", f"{by.name} sent {user.name} a new invitation", person=user, role=user.role.value)


def _send(user: User, by: User) -> None:
    raw = make_link(user, LinkPurpose.invitation, by=by)
    send(user.email, f"{by.name} invites you to the fact-checking desk", "invitation", person=user, by=by,
         link=absolute("auth.accept_invitation", token=raw), days=LIFETIME[LinkPurpose.invitation].days)


def invited_person(raw: str) -> User:
    """Who an invitation link is for, while it is usable (for the set-password page)."""
    return open_link(raw, LinkPurpose.invitation).user


def accept(raw: str, password: str) -> User:
    link = open_link(raw, LinkPurpose.invitation)
    set_password(link.user, password)
    use_link(link)
    audit(link.user, "invitation_accepted", f"{link.user.name} accepted the invitation", person=link.user)
    return link.user


def accept_by_single_sign_on(user: User) -> None:
    """An invited person who signs in with the newsroom's provider has accepted too: their link ends."""
    db.session.execute(update(AccountLink).where(
        AccountLink.user_id == user.id, AccountLink.purpose == LinkPurpose.invitation,
        AccountLink.used_at.is_(None)).values(used_at=utcnow()))
    audit(user, "invitation_accepted", f"{user.name} accepted the invitation by single sign-on", person=user)
