"""Two-factor sign-in: TOTP codes from an authenticator app, and ten one-time recovery codes.

A code is accepted for its own 30-second step or one step either side (clocks drift), and never again:
the step of the last accepted code is kept, so a code read over a shoulder or out of a log is refused
even while it is still fresh. Recovery codes are random enough that a plain SHA-256 is a fit hash.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from flask import current_app
from sqlalchemy import delete, func, select

from ..audit import audit
from ..errors import ValidationError
from ..extensions import db
from ..models import RecoveryCode, Role, User, utcnow

RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
DRIFT_STEPS = 1


def required_for(user: User) -> bool:
    """Whether REQUIRE_2FA names this person's role (`editors` means editors and admins)."""
    rule = current_app.config["REQUIRE_2FA"]
    return rule == "all" or (rule == "editors" and user.role.rank >= Role.editor.rank)


def new_secret() -> str:
    return pyotp.random_base32()


def enrolment_qr(user: User, secret: str) -> str:
    """The otpauth:// link as an SVG data URI (an <img>, so the CSP needs nothing new)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["DESK_NAME"])
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _step_of(secret: str, code: str, now: float) -> int | None:
    totp = pyotp.TOTP(secret)
    current = int(now // totp.interval)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _clean(code: str | None) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def enable(user: User, secret: str, code: str) -> list[str]:
    """Turn the second factor on once the person shows a code from the new secret; the recovery codes."""
    step = _step_of(secret, _clean(code), time.time())
    if step is None:
        raise ValidationError("That code does not match: check the authenticator app's clock and type the "
                              "6-digit code it shows now.", code="wrong_code", fields={"code": "wrong"})
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    return new_recovery_codes(user)


def new_recovery_codes(user: User) -> list[str]:
    """Ten fresh one-time codes; the old ones stop working. Shown once, stored as hashes."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(code)) for code in codes)
    db.session.flush()
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def verify(user: User, code: str) -> str:
    """Check a second-factor code (TOTP, or a recovery code, used up); "totp" or "recovery", else refused."""
    cleaned = _clean(code)
    if not user.has_second_factor:
        raise ValidationError("Two-factor sign-in is not on for this account.", fields={"code": "invalid"})
    if cleaned.isdigit() and len(cleaned) == 6:
        step = _step_of(user.totp_secret, cleaned, time.time())
        if step is None:
            raise ValidationError("Wrong code: type the 6-digit code your authenticator app shows now.",
                                  code="wrong_code", fields={"code": "wrong"})
        if user.totp_last_step is not None and step <= user.totp_last_step:
            raise ValidationError("That code was used already: wait for the next one (codes change every "
                                  "30 seconds).", code="replayed_code", fields={"code": "replayed"})
        user.totp_last_step = step
        db.session.flush()
        return "totp"
    row = db.session.execute(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _digest(cleaned))
    ).scalar_one_or_none()
    if row is None or row.used_at is not None:
        raise ValidationError("Wrong code: type the 6-digit code from your authenticator app, or one of your "
                              "recovery codes not used before.", code="wrong_code", fields={"code": "wrong"})
    row.used_at = utcnow()
    db.session.flush()
    return "recovery"


def replace_recovery_codes(user: User, code: str) -> list[str]:
    """New recovery codes, proven with a current code (the old ones stop working)."""
    verify(user, code)
    return new_recovery_codes(user)


def recovery_codes_left(user: User) -> int:
    return db.session.execute(
        select(func.count(RecoveryCode.id)).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).scalar_one()


def turn_off(user: User) -> None:
    """Forget the secret and the recovery codes (the person's own choice, or an admin's reset)."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


def disable(user: User, code: str) -> bool:
    """The person turns their second factor off, proving it with a code; refused where it is required."""
    if required_for(user):
        raise ValidationError("This desk requires two-factor sign-in for your role: it cannot be turned off. "
                              "Make new recovery codes instead, or ask an admin to reset it.",
                              code="two_factor_required", fields={"code": "required"})
    verify(user, code)
    turn_off(user)
    return True


def reset(user: User, by: User) -> None:
    """An admin resets a person's second factor (a lost phone); they enrol again at their next sign-in."""
    if not user.has_second_factor:
        raise ValidationError(f"{user.name} has no second factor to reset.", fields={"user": "invalid"})
    turn_off(user)
    audit(by, "second_factor_reset", f"{by.name} reset the second factor of {user.name}", person=user)
