"""Single sign-on with the newsroom's identity provider over OpenID Connect (Authlib's client).

Discovery from OIDC_ISSUER; the authorization code flow with PKCE (S256), and Authlib checks the state
(kept in the session), the ID token's signature against the provider's keys, its issuer, audience,
expiry and the nonce. The desk then matches the person by a *verified* e-mail address: people the desk
does not know (no account, no invitation) are refused, and the desk's role is kept — the provider says
who someone is, never what they may do here.
"""
from __future__ import annotations

import joserfc.errors
import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app

from ..errors import PermissionDenied
from ..models import User
from .users import find_by_email

CLIENT = "factdesk.oidc"


def init_app(app: Flask) -> None:
    """Register the provider's client on this app when OIDC_ISSUER is set (each app its own client)."""
    issuer = app.config.get("OIDC_ISSUER")
    if not issuer:
        return
    oauth = OAuth(app)
    app.extensions[CLIENT] = oauth.register(
        "newsroom", client_id=app.config["OIDC_CLIENT_ID"], client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"})


def enabled() -> bool:
    return CLIENT in current_app.extensions


def client():
    return current_app.extensions[CLIENT]


def start(redirect_uri: str):
    """The redirect to the provider; state, nonce and PKCE verifier are kept in the session."""
    try:
        return client().authorize_redirect(redirect_uri)
    except (AuthlibBaseError, requests.RequestException) as exc:
        current_app.logger.warning("single sign-on: the provider could not be reached: %s", exc)
        raise PermissionDenied("The newsroom's sign-in service cannot be reached just now; try again, or log "
                               "in with your password.", code="sso_unavailable") from exc


def finish() -> User:
    """The desk's person behind the provider's answer to this callback request, or PermissionDenied."""
    try:
        token = client().authorize_access_token()
    except (AuthlibBaseError, joserfc.errors.JoseError, requests.RequestException) as exc:
        current_app.logger.warning("single sign-on refused: %r", exc)
        raise PermissionDenied("Single sign-on did not complete (the answer did not match this browser's "
                               "sign-in, or the provider refused it). Start again from the login page.",
                               code="sso_failed") from exc
    claims = token.get("userinfo")
    if not claims:
        raise PermissionDenied("The provider sent no ID token; single sign-on needs OpenID Connect.", code="sso_failed")
    return person_for(claims)


def person_for(claims: dict) -> User:
    """Match by verified e-mail: an active account, or one an admin invited."""
    email = (claims.get("email") or "").strip()
    if not email or claims.get("email_verified") is not True:
        raise PermissionDenied("Your identity provider did not confirm an e-mail address for you, so the desk "
                               "cannot tell who you are. Ask your administrator.", code="sso_unverified")
    user = find_by_email(email)
    if user is None:
        raise PermissionDenied(f"{email} has no account on this desk. An admin must invite you first.",
                               code="sso_unknown")
    if not user.active:
        raise PermissionDenied(f"The account of {email} is deactivated.", code="sso_deactivated")
    return user
