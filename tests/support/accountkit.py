"""Helpers for the account tests: a second factor set up as the enrolment page would, codes from its secret."""
from __future__ import annotations

import re
import time

import pyotp

from factdesk.accounts import two_factor
from factdesk.extensions import db

SECRET_ON_PAGE = re.compile(r'<code class="secret">([A-Z2-7]+)</code>')
RECOVERY_ON_PAGE = re.compile(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>")


def code(secret: str, steps: int = 0) -> str:
    """The authenticator app's code, `steps` 30-second steps from now."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps)


def enrol(user) -> tuple[str, list[str]]:
    """Turn the person's second factor on, confirmed with the previous step's code (so the current
    step stays unused for the sign-in that follows); the secret and the recovery codes."""
    secret = two_factor.new_secret()
    codes = two_factor.enable(user, secret, code(secret, -1))
    db.session.commit()
    return secret, codes
