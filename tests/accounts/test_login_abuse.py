"""Login and token abuse against real servers (DESIGN.md §10): throttling shared through Redis across
server processes, revoked tokens refused at once everywhere, no session fixation, logout ends the session.

Two gunicorn servers on 127.0.0.1 share one SQLite desk (and, where set, one real Redis started here);
attempts alternate between them, so a throttle kept in one process's memory could not hold.
"""
from __future__ import annotations

import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from factdesk.extensions import db

from tests.support.factories import PASSWORD
from tests.support.live import browser_login, csrf_from, desk_server, redis_server

pytestmark = pytest.mark.slow


@pytest.fixture
def database_url(app):
    return app.config["SQLALCHEMY_DATABASE_URI"]


@pytest.fixture
def shared_redis(tmp_path):
    with redis_server(tmp_path) as (url, client):
        yield url, client


def _wrong(session: requests.Session, base: str, email: str, attempt: int) -> int:
    return browser_login(session, base, email, f"wrong-password-{attempt}").status_code


def test_failed_logins_on_one_server_throttle_the_other_when_they_share_redis(database_url, editor, checker,
                                                                               shared_redis, tmp_path):
    redis_url, client = shared_redis
    with desk_server(database_url, redis_url=redis_url, log=tmp_path / "a.log") as (a, _), \
            desk_server(database_url, redis_url=redis_url, log=tmp_path / "b.log") as (b, _):
        sessions = {a: requests.Session(), b: requests.Session()}
        for attempt in range(10):
            base = (a, b)[attempt % 2]
            assert _wrong(sessions[base], base, editor.email, attempt) == 401
        # The eleventh try, on either server, with the right password even: throttled.
        for base in (a, b):
            response = browser_login(sessions[base], base, editor.email, PASSWORD)
            assert response.status_code == 429, (base, response.status_code)
            assert "Try again in" in response.text
            assert 0 < int(response.headers["Retry-After"]) <= 60
        assert any(b"login-account" in key for key in client.keys("*"))
        assert any(b"login-address" in key for key in client.keys("*"))


def test_without_shared_redis_each_server_counts_alone(database_url, editor, tmp_path):
    """The control: per-process memory cannot hold a throttle across servers (why REDIS_URL is needed)."""
    with desk_server(database_url, log=tmp_path / "a.log") as (a, _), \
            desk_server(database_url, log=tmp_path / "b.log") as (b, _):
        sessions = {a: requests.Session(), b: requests.Session()}
        for attempt in range(10):
            base = (a, b)[attempt % 2]
            assert _wrong(sessions[base], base, editor.email, attempt) == 401
        assert browser_login(sessions[a], a, editor.email, PASSWORD).status_code == 302


def _simultaneous_wrong_passwords(bases: list[str], email: str, count: int = 40) -> Counter:
    """`count` browsers, each with its login form open, send a wrong password at the same moment
    (spread over `bases`); the status codes they get."""
    browsers = [(requests.Session(), bases[i % len(bases)]) for i in range(count)]
    tokens = [csrf_from(session.get(f"{base}/login", timeout=10).text) for session, base in browsers]
    start = threading.Barrier(count)

    def attempt(i: int) -> int:
        session, base = browsers[i]
        start.wait(60)
        return session.post(f"{base}/login", data={"csrf_token": tokens[i], "email": email,
                                                   "password": f"wrong-password-{i}"},
                            allow_redirects=False, timeout=120).status_code

    with ThreadPoolExecutor(count) as pool:
        return Counter(pool.map(attempt, range(count)))


def test_forty_simultaneous_wrong_passwords_get_no_more_401s_than_the_limit(database_url, editor, tmp_path):
    """Each attempt is counted as it arrives, in one step: a burst cannot all pass the check before the
    first of them is counted (the limit is 10 per minute per account and per address)."""
    with desk_server(database_url, threads=40, log=tmp_path / "a.log") as (a, _):
        statuses = _simultaneous_wrong_passwords([a], editor.email)
        assert statuses == Counter({401: 10, 429: 30}), statuses
        assert browser_login(requests.Session(), a, editor.email, PASSWORD).status_code == 429


def test_forty_simultaneous_wrong_passwords_on_two_servers_sharing_redis(database_url, editor, shared_redis,
                                                                          tmp_path):
    redis_url, _ = shared_redis
    with desk_server(database_url, redis_url=redis_url, threads=20, log=tmp_path / "a.log") as (a, _), \
            desk_server(database_url, redis_url=redis_url, threads=20, log=tmp_path / "b.log") as (b, _):
        statuses = _simultaneous_wrong_passwords([a, b], editor.email)
        assert statuses == Counter({401: 10, 429: 30}), statuses


def test_a_good_password_after_wrong_ones_is_not_counted(database_url, editor, tmp_path):
    """Counting at arrival, then giving a successful attempt back: nine wrong passwords and any number
    of good ones still leave the tenth wrong one its 401."""
    with desk_server(database_url, log=tmp_path / "a.log") as (a, _):
        for attempt in range(9):
            assert _wrong(requests.Session(), a, editor.email, attempt) == 401
        for _ in range(3):
            assert browser_login(requests.Session(), a, editor.email, PASSWORD).status_code == 302
        assert _wrong(requests.Session(), a, editor.email, 9) == 401
        assert _wrong(requests.Session(), a, editor.email, 10) == 429


def _issue_token_on_admin_page(session: requests.Session, base: str) -> str:
    page = session.get(f"{base}/admin/tokens", timeout=10).text
    response = session.post(f"{base}/admin/tokens", data={"csrf_token": csrf_from(page), "name": "abuse test"},
                            timeout=10)
    assert response.status_code == 200, response.text[:500]
    raw = re.search(r"fd_[A-Za-z0-9_\-]{20,}", response.text)
    assert raw, "the new token is not shown on the page"
    return raw.group(0)


def test_a_token_revoked_on_one_server_is_refused_by_the_other_at_once(database_url, admin, checker, tmp_path):
    from factdesk.models import ApiToken

    with desk_server(database_url, log=tmp_path / "a.log") as (a, _), \
            desk_server(database_url, log=tmp_path / "b.log") as (b, _):
        session = requests.Session()
        assert browser_login(session, a, admin.email, PASSWORD).status_code == 302
        raw = _issue_token_on_admin_page(session, a)
        bearer = {"Authorization": f"Bearer {raw}"}
        assert requests.get(f"{b}/api/v1/me", headers=bearer, timeout=10).json()["id"] == admin.id
        token = db.session.execute(db.select(ApiToken).where(ApiToken.prefix == raw[:10])).scalar_one()
        page = session.get(f"{a}/admin/tokens", timeout=10).text
        revoked = session.post(f"{a}/admin/tokens/{token.id}/revoke", data={"csrf_token": csrf_from(page)},
                               allow_redirects=False, timeout=10)
        assert revoked.status_code == 302
        for base in (b, a):
            response = requests.get(f"{base}/api/v1/me", headers=bearer, timeout=10)
            assert response.status_code == 401
            assert response.json()["error"]["code"] == "unauthorized"


def test_the_session_cookie_changes_at_login_and_the_old_one_stays_anonymous(database_url, editor, tmp_path):
    """Session fixation: a cookie planted before login never becomes a logged-in session."""
    with desk_server(database_url, log=tmp_path / "a.log") as (a, _):
        victim = requests.Session()
        victim.get(f"{a}/login", timeout=10)
        planted = victim.cookies.get("session")
        assert planted, "the login page sets a session cookie (it holds the CSRF token)"
        assert browser_login(victim, a, editor.email, PASSWORD).status_code == 302
        assert victim.cookies.get("session") != planted
        assert victim.get(f"{a}/desk", allow_redirects=False, timeout=10).status_code == 200
        attacker = requests.Session()
        attacker.cookies.set("session", planted, domain="127.0.0.1", path="/")
        response = attacker.get(f"{a}/desk", allow_redirects=False, timeout=10)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_logout_ends_the_session_even_for_a_copied_cookie(database_url, editor, tmp_path):
    with desk_server(database_url, log=tmp_path / "a.log") as (a, _):
        browser = requests.Session()
        assert browser_login(browser, a, editor.email, PASSWORD).status_code == 302
        stolen = browser.cookies.get("session")
        assert browser.get(f"{a}/desk", allow_redirects=False, timeout=10).status_code == 200
        page = browser.get(f"{a}/logout", timeout=10).text
        assert browser.post(f"{a}/logout", data={"csrf_token": csrf_from(page)}, allow_redirects=False,
                            timeout=10).status_code == 302
        assert browser.get(f"{a}/desk", allow_redirects=False, timeout=10).status_code == 302
        copy = requests.Session()
        copy.cookies.set("session", stolen, domain="127.0.0.1", path="/")
        response = copy.get(f"{a}/desk", allow_redirects=False, timeout=10)
        assert response.status_code == 302 and "/login" in response.headers["Location"], (
            "a copy of the session cookie taken before logout still opens the desk")


# --- e-mail addresses beyond ASCII -----------------------------------------------------------------

def _form_login(client, email: str, password: str = PASSWORD, address: str = "127.0.0.1"):
    from tests.conftest import post_form

    return post_form(client, "/login", {"email": email, "password": password},
                     environ_base={"REMOTE_ADDR": address})


@pytest.mark.parametrize("typed", ["Élodie@desk.test", "élodie@desk.test", "ÉLODIE@DESK.TEST",
                                   "E\u0301lodie@desk.test", "  élodie@Desk.Test "])
def test_an_address_with_non_ascii_letters_logs_in_in_any_case_and_form(client, typed):
    from tests.support.factories import UserFactory
    from factdesk.models import Role

    UserFactory(role=Role.checker, email="Élodie@desk.test", name="Élodie Martin")
    response = _form_login(client, typed)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert "Welcome, Élodie Martin." in client.get("/desk").get_data(as_text=True)


@pytest.mark.parametrize("lookalike", ["élodie@desk.test", "ÉLODIE@desk.test", "E\u0301lodie@desk.test",
                                       "Élodie@DESK.TEST"])
def test_an_account_cannot_be_created_beside_another_that_differs_only_in_case(app, lookalike):
    from factdesk.accounts.users import create_user
    from factdesk.errors import ValidationError
    from factdesk.models import Role, User

    from tests.support.factories import UserFactory

    UserFactory(role=Role.checker, email="Élodie@desk.test", name="Élodie Martin")
    with pytest.raises(ValidationError) as refused:
        create_user(lookalike, "Someone Else", Role.admin, PASSWORD)
    assert refused.value.code == "email_taken"
    db.session.rollback()
    assert db.session.execute(db.select(db.func.count(User.id))).scalar_one() == 1


def test_the_database_refuses_two_accounts_with_one_folded_address(app):
    """The unique index holds even for a writer that skips create_user."""
    from sqlalchemy.exc import IntegrityError

    from factdesk.models import Role, User

    db.session.add(User(email="Straße@desk.test", name="A", role=Role.checker, password_hash="x"))
    db.session.flush()
    db.session.add(User(email="STRASSE@desk.test", name="B", role=Role.checker, password_hash="x"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_admin_form_refuses_a_lookalike_address_and_keeps_what_was_typed(client, admin):
    from tests.conftest import login, post_form
    from tests.support.factories import UserFactory
    from factdesk.models import Role

    UserFactory(role=Role.checker, email="Élodie@desk.test", name="Élodie Martin")
    login(client, admin)
    response = post_form(client, "/admin/users", {"email": "élodie@desk.test", "name": "Impostor",
                                                  "role": "admin", "password": "long-enough-password"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "already has an account" in page
    assert 'value="Impostor"' in page and 'value="élodie@desk.test"' in page


def test_the_account_throttle_counts_an_address_in_any_case(client, app):
    """Ten wrong passwords spread over ÉLODIE@, élodie@ and É (decomposed) are one account's ten."""
    from tests.support.factories import UserFactory
    from factdesk.models import Role

    UserFactory(role=Role.checker, email="Élodie@desk.test", name="Élodie Martin")
    spellings = ["Élodie@desk.test", "élodie@desk.test", "ÉLODIE@DESK.TEST", "E\u0301lodie@desk.test"]
    for attempt in range(10):
        response = _form_login(client, spellings[attempt % 4], f"wrong-password-{attempt}", f"10.2.0.{attempt}")
        assert response.status_code == 401
    assert _form_login(client, "élodie@desk.test", address="10.2.0.99").status_code == 429


def test_a_limit_declared_on_a_readers_page_refuses_to_start_rather_than_never_applying():
    """Readers' pages skip the limiter (accounts/throttle.py); one that declared a limit would be unguarded."""
    from flask import Blueprint, Flask

    from factdesk.accounts.throttle import refuse_limits_on_readers_pages
    from factdesk.extensions import limiter

    app = Flask("readers")
    readers = Blueprint("public", "readers")

    @readers.route("/guess", methods=["POST"])
    @limiter.limit("1 per minute")
    def guess():
        return "no"

    app.register_blueprint(readers)
    with pytest.raises(RuntimeError, match="public.guess declares a rate limit"):
        refuse_limits_on_readers_pages(app)
