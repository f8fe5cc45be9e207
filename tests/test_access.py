"""Deny by default: every route declares its least role, and every role meets it as declared."""
from __future__ import annotations

import re

import pytest

from factdesk.access import READER, declared_role
from factdesk.models import ROLE_RANK, Role

from tests.conftest import login
from tests.support.factories import UserFactory, token_for

ROLES = [None, Role.checker, Role.editor, Role.admin]  # None: a reader without an account


def _routes(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method, view


def _concrete(rule) -> str:
    url = rule.rule
    url = re.sub(r"<int:[^>]+>", "1", url)
    url = re.sub(r"<path:[^>]+>", "css/desk.css", url)
    return re.sub(r"<[^>]+>", "x", url)


def test_every_route_declares_a_least_role(app):
    undeclared = [f"{rule.rule} ({rule.endpoint})" for rule, _, view in _routes(app) if declared_role(view) is None]
    assert undeclared == [], f"routes without a least role: {undeclared}"


def _rank(least) -> int:
    return 0 if least == READER else ROLE_RANK[least]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_every_route_meets_each_role_as_declared(app, role):
    client = app.test_client()
    headers = {}
    if role is not None:
        user = UserFactory(role=role, email=f"walk-{role.value}@desk.test")
        login(client, user)
        headers = token_for(user)
    rank = 0 if role is None else ROLE_RANK[role]
    checked = 0
    for rule, method, view in _routes(app):
        if rule.endpoint in {"auth.logout", "auth.login"}:
            continue
        least = declared_role(view)
        url = _concrete(rule)
        is_api = url.startswith("/api/")
        # Pages are asked as the logged-in browser; the API with the token. No CSRF token is sent, so a
        # permitted POST to a page answers 400 (CSRF) at worst, never a denial.
        response = client.open(url, method=method, headers=headers if is_api else {},
                               json={} if is_api and method != "GET" else None)
        allowed = rank >= _rank(least)
        status = response.status_code
        if allowed:
            assert status not in (401, 403), f"{role} refused {method} {url}: {status}"
            if not is_api and status == 302:
                assert "/login" not in response.headers["Location"], f"{role} sent to login by {url}"
        elif role is None and is_api:
            assert status == 401, f"anonymous {method} {url}: {status}"
            assert response.get_json()["error"]["code"] == "unauthorized"
        elif role is None:
            assert status == 302 and "/login?next=" in response.headers["Location"], \
                f"anonymous {method} {url}: {status}"
        else:
            assert status == 403, f"{role} {method} {url}: {status}"
        checked += 1
    assert checked > 10


def test_checker_gets_403_on_admin_pages(client, checker):
    login(client, checker)
    for url in ("/admin/users", "/admin/tokens"):
        response = client.get(url)
        assert response.status_code == 403
        assert "Your role does not allow this." in response.get_data(as_text=True)


def test_anonymous_desk_page_redirects_to_login_with_next(client):
    response = client.get("/desk?status=new")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/desk?status%3Dnew"


def test_deactivated_user_cannot_use_the_desk_or_the_api(client, app, checker):
    from factdesk.extensions import db

    headers = token_for(checker)
    login(client, checker)
    checker.active = False
    db.session.commit()
    assert client.get("/desk").status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401
