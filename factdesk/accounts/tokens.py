"""API tokens: shown once, stored only as a hash, revocable, last use remembered.

A token acts only for the person who made it (DESIGN.md §13): in the app a person, admins included,
creates tokens for themselves only (refused with code `token_owner` otherwise); an admin may revoke
anyone's. The server's own CLI (`users token`, run by whoever operates the machine) may make one for
anyone; such a token is marked `issued_via="cli"`, and the tokens page says so.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from ..audit import audit
from ..errors import PermissionDenied, ValidationError
from ..extensions import db
from ..models import ApiToken, User, utcnow
from . import two_factor

TOKEN_PREFIX = "fd_"
# Writing last_used_at on every call would turn each API read into a write; once a minute is plenty.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def expiry_of(last_day: date | None) -> datetime | None:
    """A token given a last day works to the end of that day (UTC)."""
    if last_day is None:
        return None
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=timezone.utc)


def issue_own_token(by: User, name: str, for_user_id: int | None = None, *, expires_on: date | None = None,
                    code: str | None = None) -> tuple[ApiToken, str]:
    """A token made in the app: for the person signed in, never for anyone else."""
    if for_user_id is not None and for_user_id != by.id:
        raise PermissionDenied("API tokens act only for the person who made them: you can create tokens for "
                               "yourself only (and revoke anyone's). The server's operator can make one for "
                               "another person with `flask users token`.", code="token_owner",
                               fields={"user_id": "not_you"})
    return issue_token(by, name, by=by, expires_on=expires_on, code=code)


def issue_token(user: User, name: str, *, by: User | None = None, expires_on: date | None = None,
                code: str | None = None) -> tuple[ApiToken, str]:
    """Create a token for `user`; the plain token is returned here and never again.

    `by` is the person making it in the app (None: the server's own command line, and the token says
    so). A maker with a second factor proves it with `code` first: a token outlives any session.
    """
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationError("A token needs a name of 1 to 120 characters.", fields={"name": "required"})
    expires_at = expiry_of(expires_on)
    if expires_at is not None and expires_at <= utcnow():
        raise ValidationError("The last day of a token cannot be in the past.", fields={"expires_on": "past"})
    if by is not None and by.has_second_factor:
        if not (code or "").strip():
            raise ValidationError("Making a token needs your two-factor code.", code="code_required",
                                  fields={"code": "required"})
        two_factor.verify(by, code)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, token_hash=_digest(raw), prefix=raw[:10], expires_at=expires_at,
                     issued_via="cli" if by is None else "app")
    db.session.add(token)
    db.session.flush()
    until = f", until {expires_on.isoformat()}" if expires_on else ""
    made_by = by.name if by is not None else "The command line"
    audit(by, "token_created", f"{made_by} made the API token {name!r} ({token.prefix}…) for {user.name}{until}",
          person=user, token_id=token.id, expires_on=expires_on.isoformat() if expires_on else None)
    return token, raw


def revoke_token(token: ApiToken, by: User | None = None) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        who = by.name if by is not None else "The command line"
        audit(by, "token_revoked", f"{who} revoked the API token {token.name!r} ({token.prefix}…) of {token.user.name}",
              person=token.user, token_id=token.id)


# The token and its person in one row (`user_for_bearer`), built once: the driver helper compiles a
# statement once per app and knows it by identity.
_USER_COLUMNS = tuple(User.__mapper__.column_attrs)
_BEARER = (select(ApiToken.id, ApiToken.last_used_at, *(attr.columns[0] for attr in _USER_COLUMNS))
           .join(User, User.id == ApiToken.user_id)
           .where(ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None),
                  or_(ApiToken.expires_at.is_(None),
                      ApiToken.expires_at > bindparam("now", type_=ApiToken.expires_at.type))))


def user_for_bearer(header: str | None) -> User | None:
    """The active user behind an `Authorization: Bearer …` header, or None.

    The token and its person are one statement on a driver connection (public/caching.py
    `typed_rows`: on a database server an autocommit one, not pinged), and the person joins this
    request's session from that row (`_session_user`). Through the session the lookup was four
    round trips on PostgreSQL (ping, BEGIN, the SELECT, COMMIT) before a view that reads on a driver
    connection itself — desk search — did any work."""
    if not header:
        return None
    scheme, _, raw = header.partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw or len(raw) > 200:
        return None
    from ..public.caching import typed_rows

    found = typed_rows(_BEARER, digest=_digest(raw), now=utcnow())
    if not found:
        return None
    token_id, last_used_at, *values = found[0]
    user = _session_user(dict(zip((attr.key for attr in _USER_COLUMNS), values)))
    if not user.active:
        return None
    now = utcnow()
    if last_used_at is None or now - last_used_at > LAST_USED_RESOLUTION:
        # A separate statement keeps the request's own unit of work untouched.
        db.session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
        db.session.commit()
    return user


def _session_user(values: dict) -> User:
    """The person of `values` (every column, as read) as a persistent instance of this request's
    session, with no second SELECT: the one the session already holds, or one made from the row and
    attached as SQLAlchemy's `make_transient_to_detached` describes (its columns loaded, unchanged)."""
    session = db.session()
    held = session.identity_map.get(identity_key(User, values["id"]))
    if held is not None:
        return held
    user = User.__mapper__.class_manager.new_instance()
    for key, value in values.items():
        set_committed_value(user, key, value)
    make_transient_to_detached(user)
    session.add(user)
    return user
