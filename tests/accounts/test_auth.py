"""Logging in and out, throttling, cookies."""
from __future__ import annotations

import pytest

from tests.conftest import csrf_token, login, post_form
from tests.support.factories import PASSWORD


def test_login_with_email_in_any_case(client, editor):
    response = post_form(client, "/login", {"email": editor.email.upper(), "password": PASSWORD, "next": "/desk"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/desk"
    assert "Welcome, Editor Person." in client.get("/desk").get_data(as_text=True)


def test_wrong_password_keeps_email_and_says_why(client, editor):
    response = post_form(client, "/login", {"email": editor.email, "password": "nope-nope-nope"})
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Wrong e-mail or password" in page
    assert f'value="{editor.email}"' in page


def test_login_refuses_offsite_next(client, editor):
    response = post_form(client, "/login", {"email": editor.email, "password": PASSWORD, "next": "//evil.example/x"})
    assert response.headers["Location"] == "/desk"


def test_login_without_csrf_token_is_refused(client, editor):
    response = client.post("/login", data={"email": editor.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Reload the page and send it again." in response.get_data(as_text=True)
    assert client.get("/desk").status_code == 302


def test_eleventh_wrong_password_for_one_account_is_throttled(client, editor):
    for attempt in range(10):
        response = post_form(client, "/login", {"email": editor.email, "password": f"wrong-{attempt}-password"},
                             environ_base={"REMOTE_ADDR": f"10.1.0.{attempt}"})
        assert response.status_code == 401
    response = post_form(client, "/login", {"email": editor.email, "password": PASSWORD},
                         environ_base={"REMOTE_ADDR": "10.1.0.99"})
    assert response.status_code == 429
    assert "Try again in" in response.get_data(as_text=True)
    assert 0 < int(response.headers["Retry-After"]) <= 60


def test_one_address_is_throttled_across_accounts(client, editor, checker):
    for attempt in range(10):
        email = editor.email if attempt % 2 else checker.email
        assert post_form(client, "/login", {"email": email, "password": "wrong-password!"}).status_code == 401
    response = post_form(client, "/login", {"email": "someone@desk.test", "password": "wrong-password!"})
    assert response.status_code == 429


def _wrong_from(client, email: str, forwarded_for: str) -> int:
    """A wrong password sent through the proxy on 127.0.0.1 for the client at `forwarded_for`."""
    return post_form(client, "/login", {"email": email, "password": "wrong-password!"},
                     headers={"X-Forwarded-For": forwarded_for}, environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code


@pytest.mark.parametrize("app_settings", [{"TRUSTED_PROXIES": 1}])
def test_behind_a_trusted_proxy_each_client_address_counts_alone(client):
    """Behind the proxy everyone arrives from 127.0.0.1: the per-address count uses the address the proxy saw."""
    for attempt in range(10):
        assert _wrong_from(client, f"person{attempt}@desk.test", "203.0.113.7") == 401
    assert _wrong_from(client, "person10@desk.test", "203.0.113.7") == 429
    assert _wrong_from(client, "person11@desk.test", "198.51.100.20") == 401
    # What a client writes before the proxy's own hop is not believed: no way around the count.
    assert _wrong_from(client, "person12@desk.test", "192.0.2.1, 203.0.113.7") == 429


def test_without_trusted_proxies_a_forwarded_for_header_does_not_escape_the_count(client):
    for attempt in range(10):
        assert _wrong_from(client, f"person{attempt}@desk.test", f"203.0.113.{attempt}") == 401
    assert _wrong_from(client, "person10@desk.test", "198.51.100.20") == 429


def test_good_logins_do_not_count_towards_the_throttle(client, editor):
    for _ in range(12):
        login(client, editor)
        post_form(client, "/logout")


def test_logout_ends_the_session(client, editor):
    login(client, editor)
    assert client.get("/desk").status_code == 200
    response = post_form(client, "/logout")
    assert response.status_code == 302
    assert client.get("/desk").status_code == 302


def test_session_cookie_flags(client, editor):
    response = post_form(client, "/login", {"email": editor.email, "password": PASSWORD})
    cookie = response.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_cookies_are_secure(monkeypatch):
    import config

    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("PUBLIC_URL", "https://checks.example.org")
    monkeypatch.setenv("MAIL_URL", "smtp://mail.desk.test:25")
    settings = config.load({"FACTDESK_ENV": "production"})
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True


def test_session_is_renewed_at_login(client, editor):
    before = csrf_token(client)
    login(client, editor)
    assert csrf_token(client) != before
