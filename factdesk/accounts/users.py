"""Creating people, checking passwords and changing roles: the rules pages, admin and CLI share."""
from __future__ import annotations

import re
import unicodedata
from functools import cache

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit import audit
from ..errors import ValidationError
from ..extensions import db
from ..models import Role, User, email_key, utcnow

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@cache
def _dummy_hash(method: str) -> str:
    """A hash to check against when the account does not exist, made as real ones are, so timing
    does not reveal which e-mails exist."""
    return generate_password_hash("not-a-real-password", method=method)


def normalise_email(email: str) -> str:
    """The address as stored: trimmed, in NFC (so a composed and a decomposed É are one letter)."""
    return unicodedata.normalize("NFC", (email or "").strip())


def find_by_email(email: str) -> User | None:
    """The account of this address in any case, Unicode letters included (`ÉLODIE@` finds `élodie@`)."""
    return db.session.execute(select(User).where(User.email_key == email_key(email))).scalar_one_or_none()


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise ValidationError(
            f"Unknown role {value!r}: choose checker, editor or admin.", fields={"role": "invalid"}
        ) from None


def check_password_rules(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError(
            f"The password needs at least {MIN_PASSWORD} characters.", fields={"password": "too_short"}
        )
    if len(password) > 512:
        raise ValidationError("The password is longer than 512 characters.", fields={"password": "too_long"})


def create_user(email: str, name: str, role: Role | str, password: str | None, *, by: User | None = None) -> User:
    """A new person; `password` None for an invited person, who sets it from the invitation's link."""
    email = normalise_email(email)
    name = (name or "").strip()
    # Case folding may lengthen an address (ß becomes ss): the folded copy must fit its column too.
    if not EMAIL.match(email) or len(email) > 254 or len(email_key(email)) > 254:
        raise ValidationError(f"{email!r} is not an e-mail address.", fields={"email": "invalid"})
    if not name or len(name) > 120:
        raise ValidationError("A name of 1 to 120 characters is needed.", fields={"name": "required"})
    role = parse_role(role) if isinstance(role, str) else role
    if password is not None:
        check_password_rules(password)
    if find_by_email(email) is not None:
        raise ValidationError(f"{email} already has an account.", code="email_taken", fields={"email": "taken"})
    password_hash = hash_password(password) if password is not None else ""
    user = User(email=email, name=name, role=role, password_hash=password_hash)
    db.session.add(user)
    db.session.flush()
    if password is not None:
        audit(by, "person_added", f"{_who(by)} added {user.name} <{user.email}> as {role.value}", person=user,
              role=role.value)
    return user


def _who(by: User | None) -> str:
    return by.name if by is not None else "The command line"


def change_role(user: User, role: Role | str, by: User) -> None:
    role = parse_role(role) if isinstance(role, str) else role
    if user.id == by.id and role != Role.admin:
        raise ValidationError("You cannot take away your own admin role; ask another admin.", fields={"role": "own"})
    if user.role == role:
        return
    before, user.role = user.role, role
    db.session.flush()
    audit(by, "role_changed", f"{by.name} made {user.name} {role.value} (was {before.value})", person=user,
          before=before.value, after=role.value)


def set_active(user: User, active: bool, by: User) -> None:
    """Deactivate (every session ends, tokens stop working) or reactivate a person."""
    if user.id == by.id and not active:
        raise ValidationError("You cannot deactivate yourself.", fields={"active": "own"})
    if user.active == active:
        return
    user.active = active
    if not active:
        user.session_epoch = (user.session_epoch or 0) + 1
    db.session.flush()
    audit(by, "reactivated" if active else "deactivated",
          f"{by.name} {'reactivated' if active else 'deactivated'} {user.name}", person=user)


def set_password(user: User, password: str) -> None:
    check_password_rules(password)
    user.password_hash = hash_password(password)


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (same work either way)."""
    user = find_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password or "")
        return None
    if not user.has_password:  # invited, not yet accepted: same work as a wrong password
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def end_sessions(user) -> None:
    """End every session of this person: cookies naming the old session epoch no longer log in.

    Sessions are signed cookies, so logging out must leave a mark on the server or a copied cookie
    would outlive it. The cost: logging out in one browser logs the person out everywhere.
    """
    if getattr(user, "is_authenticated", False) and isinstance(user, User):
        user.session_epoch = (user.session_epoch or 0) + 1
        db.session.flush()
