"""Password reset by e-mail, read from a real SMTP server: the same answer whether or not the address
exists, throttled, a link that works once and expires, and every session ended after the change."""
from __future__ import annotations

from datetime import timedelta

from factdesk.extensions import db
from factdesk.models import AccountLink, AuditEntry, utcnow

from tests.conftest import login, post_form
from tests.support.factories import PASSWORD
from tests.support.mailkit import app_settings, inbox, links_in, mail_port, path_of, text_of  # noqa: F401

NEW_PASSWORD = "a-brand-new-password"


def _ask(client, address):
    return post_form(client, "/password/reset", {"email": address})


def _reset_path(inbox, address) -> str:
    return path_of(next(link for link in links_in(inbox.only(address)) if "/password/reset/" in link))


def test_the_same_answer_whether_or_not_the_address_exists(client, checker, inbox, run_jobs):
    answers = []
    for address in (checker.email.upper(), "nobody@desk.test"):
        response = _ask(client, address)
        assert response.status_code == 302 and response.headers["Location"] == "/login"
        page = client.get("/login").get_data(as_text=True)
        answers.append(page.split('<div class="flashes" role="status">', 1)[1].split("</div>", 1)[0])
    assert answers[0] == answers[1]
    assert "If an account on this desk has that address, a link to choose a new password" in answers[0]
    run_jobs()
    assert [m["X-Envelope-To"] for m in inbox.messages] == [checker.email]
    assert "asked for a new password for checker@desk.test" in text_of(inbox.messages[0])


def test_reset_completed_ends_every_session(client, app, checker, inbox, run_jobs):
    elsewhere = app.test_client()
    login(elsewhere, checker)  # a session on another machine (or a thief's)
    assert elsewhere.get("/desk").status_code == 200
    _ask(client, checker.email)
    run_jobs()
    path = _reset_path(inbox, checker.email)
    assert "choose a new password. Every session you have open ends." in client.get(path).get_data(as_text=True)
    done = post_form(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert "every session you had is ended" in client.get("/login").get_data(as_text=True)

    assert elsewhere.get("/desk").status_code == 302  # that session is over
    assert post_form(app.test_client(), "/login", {"email": checker.email, "password": PASSWORD}).status_code == 401
    login(app.test_client(), checker, NEW_PASSWORD)
    assert db.session.query(AuditEntry).filter_by(action="password_reset", person_id=checker.id).count() == 1
    run_jobs()
    assert [m["Subject"] for m in inbox.to(checker.email)] == ["Choose a new password", "Your password was changed"]


def test_a_reset_link_works_once(client, checker, inbox, run_jobs):
    _ask(client, checker.email)
    run_jobs()
    path = _reset_path(inbox, checker.email)
    assert post_form(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    again = post_form(client, path, {"password": "yet-another-password", "confirm": "yet-another-password"})
    assert again.status_code == 422
    assert "This password-reset link was used already" in again.get_data(as_text=True)
    login(client, checker, NEW_PASSWORD)


def test_an_expired_reset_link_is_refused(client, checker, inbox, run_jobs):
    _ask(client, checker.email)
    run_jobs()
    path = _reset_path(inbox, checker.email)
    db.session.execute(db.update(AccountLink).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    response = post_form(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 422
    assert "This password-reset link expired on" in response.get_data(as_text=True)
    login(client, checker)  # the old password still works


def test_a_newer_link_ends_the_older_one(client, checker, inbox, run_jobs):
    _ask(client, checker.email)
    _ask(client, checker.email)
    run_jobs()
    first, second = [path_of(next(link for link in links_in(m) if "/password/reset/" in link))
                     for m in inbox.to(checker.email)]
    assert client.get(first).status_code == 422
    assert client.get(second).status_code == 200


def test_two_different_passwords_are_refused(client, checker, inbox, run_jobs):
    _ask(client, checker.email)
    run_jobs()
    response = post_form(client, _reset_path(inbox, checker.email), {"password": NEW_PASSWORD,
                                                                     "confirm": "something else!"})
    assert response.status_code == 422
    assert "The two passwords differ." in response.get_data(as_text=True)


def test_reset_requests_are_throttled(client, checker, inbox):
    for _ in range(5):
        assert _ask(client, checker.email).status_code == 302
    throttled = _ask(client, checker.email)
    assert throttled.status_code == 429
    assert "Try again in" in throttled.get_data(as_text=True)
    # Per account too: asking from another network address does not get round it.
    other = post_form(client, "/password/reset", {"email": checker.email},
                      environ_base={"REMOTE_ADDR": "10.3.0.9"})
    assert other.status_code == 429
