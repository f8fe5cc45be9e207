"""Changing one's e-mail address: confirmed from the new address (a link, single use, a day), with a
notice to the old one, so a hijacked session cannot quietly move an account to another mailbox."""
from __future__ import annotations

from werkzeug.security import check_password_hash

from ..audit import audit
from ..errors import ValidationError
from ..mail import absolute, send
from ..models import LinkPurpose, User, email_key
from .links import make_link, open_link, use_link
from .users import EMAIL, find_by_email, normalise_email


def request_change(user: User, new_email: str, password: str) -> str:
    new_email = normalise_email(new_email)
    if user.has_password and not check_password_hash(user.password_hash, password or ""):
        raise ValidationError("That is not your current password.", fields={"password": "wrong"})
    if not EMAIL.match(new_email) or len(new_email) > 254:
        raise ValidationError(f"{new_email!r} is not an e-mail address.", fields={"new_email": "invalid"})
    if email_key(new_email) == user.email_key:
        raise ValidationError("That is your address already.", fields={"new_email": "same"})
    if find_by_email(new_email) is not None:
        raise ValidationError(f"{new_email} belongs to another account.", fields={"new_email": "taken"})
    raw = make_link(user, LinkPurpose.email_change, by=user, new_email=new_email)
    send(new_email, "Confirm your new e-mail address", "email_change", person=user, new_email=new_email,
         link=absolute("account.confirm_email", token=raw))
    send(user.email, "Your e-mail address is about to change", "email_change_notice", person=user,
         new_email=new_email)
    return new_email


def pending_change(raw: str):
    """The link's change while it can still be confirmed (for the confirmation page)."""
    return open_link(raw, LinkPurpose.email_change)


def confirm_change(raw: str) -> User:
    link = open_link(raw, LinkPurpose.email_change)
    user = link.user
    if find_by_email(link.new_email) is not None:
        raise ValidationError(f"{link.new_email} belongs to another account now.", fields={"token": "taken"})
    before, user.email = user.email, link.new_email
    use_link(link)
    audit(user, "email_changed", f"{user.name} changed their e-mail address from {before} to {user.email}",
          person=user, before=before, after=user.email)
    return user
