"""API tokens: shown once, stored only as a hash, revocable, last use remembered."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from ..errors import ValidationError
from ..extensions import db
from ..models import ApiToken, User, utcnow

TOKEN_PREFIX = "fd_"
# Writing last_used_at on every call would turn each API read into a write; once a minute is plenty.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; the plain token is returned here and never again."""
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationError("A token needs a name of 1 to 120 characters.", fields={"name": "required"})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, token_hash=_digest(raw), prefix=raw[:10])
    db.session.add(token)
    db.session.flush()
    return token, raw


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()


def user_for_bearer(header: str | None) -> User | None:
    """The active user behind an `Authorization: Bearer …` header, or None."""
    if not header:
        return None
    scheme, _, raw = header.partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw or len(raw) > 200:
        return None
    token = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == _digest(raw), ApiToken.revoked_at.is_(None))
    ).scalar_one_or_none()
    if token is None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        # A separate statement keeps the request's own unit of work untouched.
        db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        db.session.commit()
    return token.user
