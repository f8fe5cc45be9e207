"""Admin pages: people, roles, deactivation, API tokens."""
from __future__ import annotations

from sqlalchemy import select

from factdesk.extensions import db
from factdesk.models import ApiToken, Role, User

from tests.conftest import login, post_form
from tests.support.factories import PASSWORD


def test_admin_creates_a_user_who_can_log_in(client, admin, app):
    login(client, admin)
    response = post_form(client, "/admin/users", {"email": "New.Person@desk.test", "name": "New Person",
                                                  "role": "editor", "password": "long-enough-pw"})
    assert response.status_code == 302
    user = db.session.execute(select(User).where(User.email == "New.Person@desk.test")).scalar_one()
    assert user.role is Role.editor
    other = app.test_client()
    login(other, user, "long-enough-pw")


def test_failed_user_form_keeps_every_field_as_typed(client, admin, editor):
    login(client, admin)
    response = post_form(client, "/admin/users", {"email": editor.email.upper(), "name": "Typed Name",
                                                  "role": "admin", "password": "long-enough-pw"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "already has an account" in page
    assert f'value="{editor.email.upper()}"' in page and 'value="Typed Name"' in page
    assert '<option selected value="admin">' in page or 'value="admin" selected' in page


def test_short_password_is_refused_with_a_message(client, admin):
    login(client, admin)
    response = post_form(client, "/admin/users", {"email": "x@desk.test", "name": "X", "role": "checker",
                                                  "password": "short"})
    assert response.status_code == 422
    assert "at least 10 characters" in response.get_data(as_text=True)
    assert db.session.execute(select(User).where(User.email == "x@desk.test")).scalar_one_or_none() is None


def test_admin_changes_a_role(client, admin, checker):
    login(client, admin)
    post_form(client, f"/admin/users/{checker.id}/role", {"role": "editor"})
    assert db.session.get(User, checker.id).role is Role.editor


def test_admin_cannot_demote_or_deactivate_themselves(client, admin):
    login(client, admin)
    post_form(client, f"/admin/users/{admin.id}/role", {"role": "checker"})
    response = post_form(client, f"/admin/users/{admin.id}/active", follow_redirects=True)
    assert "You cannot deactivate yourself." in response.get_data(as_text=True)
    user = db.session.get(User, admin.id)
    assert user.role is Role.admin and user.active


def test_deactivated_user_cannot_log_in(client, admin, checker, app):
    login(client, admin)
    post_form(client, f"/admin/users/{checker.id}/active")
    assert db.session.get(User, checker.id).active is False
    other = app.test_client()
    response = post_form(other, "/login", {"email": checker.email, "password": PASSWORD})
    assert response.status_code == 401


def test_token_is_shown_once_after_a_redirect_and_stored_as_a_hash(client, admin, checker):
    login(client, admin)
    made = post_form(client, "/admin/tokens", {"name": "newsroom CMS"})
    assert made.status_code == 302 and made.headers["Location"] == "/admin/tokens#new-token"
    assert "fd_" not in made.get_data(as_text=True)  # a refresh of the answer to the POST shows nothing, posts nothing
    page = client.get("/admin/tokens").get_data(as_text=True)
    assert "shown only once" in page and f"It is “newsroom CMS”, for {admin.name}." in page
    import re

    raw = re.search(r'<code class="token">(fd_[^<]+)</code>', page).group(1)
    token = db.session.execute(select(ApiToken)).scalar_one()
    assert token.token_hash != raw and raw not in token.token_hash
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).get_json()["id"] == admin.id
    again = client.get("/admin/tokens").get_data(as_text=True)
    assert raw not in again and token.prefix in again
    post_form(client, f"/admin/tokens/{token.id}/revoke")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    assert "revoked" in client.get("/admin/tokens").get_data(as_text=True)
