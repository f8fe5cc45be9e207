"""Password reset by an e-mailed link (/password/reset): the same answer whether or not the address has
an account, a link that works once within an hour, and every session of the person ended after it."""
from __future__ import annotations

from ..audit import audit
from ..mail import absolute, send
from ..models import LinkPurpose
from .links import LIFETIME, make_link, open_link, use_link
from .users import end_sessions, find_by_email, set_password

ANSWER = ("If an account on this desk has that address, a link to choose a new password is on its way "
          "to it. The link works once, within an hour.")


def request_reset(email: str) -> str:
    """Send a reset link when the address belongs to an active person; the same answer either way."""
    user = find_by_email(email)
    if user is not None and user.active:
        raw = make_link(user, LinkPurpose.password_reset)
        send(user.email, "Choose a new password", "password_reset", person=user,
             link=absolute("auth.reset_password", token=raw),
             minutes=int(LIFETIME[LinkPurpose.password_reset].total_seconds() // 60))
    return ANSWER


def person_for(raw: str):
    return open_link(raw, LinkPurpose.password_reset).user


def complete_reset(raw: str, password: str):
    """Set the new password, spend the link and end every session the person had (a thief's too)."""
    link = open_link(raw, LinkPurpose.password_reset)
    set_password(link.user, password)
    use_link(link)
    end_sessions(link.user)
    audit(link.user, "password_reset", f"{link.user.name} chose a new password with a reset link; "
          "every session was ended", person=link.user)
    send(link.user.email, "Your password was changed", "password_changed", person=link.user,
         link=absolute("auth.password_reset"))
    return link.user
