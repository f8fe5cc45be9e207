"""Deny by default: every view declares the least role it needs, and one hook enforces it.

Pages and API share this. A view without a declaration is refused (and a test walks the URL map
so none ships that way). Readers have no account: `public` views are open to anyone.
"""
from __future__ import annotations

from typing import Callable

from flask import abort, current_app, redirect, request, session, url_for
from flask_login import current_user

from .models import Role, User

LEAST_ROLE = "_factdesk_least_role"
READER = "reader"


def requires(least: Role) -> Callable:
    """Declare the least role a view needs (checker < editor < admin)."""

    def mark(view: Callable) -> Callable:
        setattr(view, LEAST_ROLE, least)
        return view

    return mark


def public(view: Callable) -> Callable:
    """Declare a view open to readers without an account."""
    setattr(view, LEAST_ROLE, READER)
    return view


def declared_role(view: Callable) -> Role | str | None:
    return getattr(view, LEAST_ROLE, None)


def is_api_request() -> bool:
    return request.path == "/api/v1" or request.path.startswith("/api/v1/")


def current_actor() -> User | None:
    """The person behind this request: the bearer token's user on the API, the session's on pages."""
    # Cached on the request (not on g, which an outer app context may share between requests).
    key = "factdesk.actor"
    if key not in request.environ:
        if is_api_request():
            from .accounts.tokens import user_for_bearer

            request.environ[key] = user_for_bearer(request.headers.get("Authorization"))
        elif "_user_id" not in session and \
                current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") not in request.cookies:
            # Nobody logged in: skip Flask-Login's loader chain (a reader's request is the common case).
            request.environ[key] = None
        else:
            request.environ[key] = current_user._get_current_object() if current_user.is_authenticated else None
    return request.environ[key]


def enforce_least_role():
    """`before_request` hook: refuse before the view runs when the actor's role is too low."""
    if request.endpoint is None:
        return None  # no route: the 404/405 handlers answer
    view = current_app.view_functions[request.endpoint]
    least = declared_role(view)
    if least is None:
        current_app.logger.error("route %s declares no least role; refused", request.endpoint)
        abort(403)
    if least == READER:
        return None
    actor = current_actor()
    if actor is None:
        if is_api_request():
            abort(401)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if not actor.has_role(least):
        abort(403)
    return None


def role_at_least(user: User | None, least: Role) -> bool:
    return user is not None and user.has_role(least)
