"""Invitations by e-mail, read from a real SMTP server: the person chooses a password from a single-use,
expiring link; expired, reused and unknown links are refused with a clear message."""
from __future__ import annotations

from datetime import timedelta

from factdesk.extensions import db
from factdesk.models import AccountLink, AuditEntry, Role, User, utcnow

from tests.conftest import login, post_form
from tests.support.mailkit import app_settings, html_of, inbox, links_in, mail_port, path_of, text_of  # noqa: F401

NEW_PASSWORD = "a-password-of-my-own"


def _invite(client, admin, email="new.checker@desk.test", name="New Checker", role="checker"):
    login(client, admin)
    return post_form(client, "/admin/invitations", {"invite-email": email, "invite-name": name, "invite-role": role})


def test_invitation_is_mailed_and_accepted(client, app, admin, inbox, run_jobs):
    response = _invite(client, admin)
    assert response.status_code == 302
    assert "An invitation is on its way to new.checker@desk.test" in client.get("/admin/users").get_data(as_text=True)
    person = db.session.query(User).filter_by(email="new.checker@desk.test").one()
    assert person.role == Role.checker and not person.has_password
    assert inbox.messages == []  # sent after the commit, by the job queue, never inside the request

    assert run_jobs() >= 1
    message = inbox.only("new.checker@desk.test")
    assert message["Subject"] == "Admin Person invites you to the fact-checking desk"
    assert message["From"] == "Desk <desk@desk.test>"
    assert "invites you to Factdesk as checker" in text_of(message)
    [link] = [link for link in links_in(message) if "/invitation/" in link]
    assert link.startswith("http://localhost/invitation/")
    assert f'href="{link}"' in html_of(message)

    page = client.application.test_client()
    form = page.get(path_of(link))
    assert form.status_code == 200 and "you are invited as checker" in form.get_data(as_text=True)
    done = post_form(page, path_of(link), {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    login(page, person, NEW_PASSWORD)
    assert "Welcome, New Checker." in page.get("/desk").get_data(as_text=True)
    actions = [e.action for e in db.session.query(AuditEntry).filter_by(person_id=person.id).order_by(AuditEntry.id)]
    assert actions == ["invited", "invitation_accepted"]


def test_an_invitation_link_works_once(client, admin, inbox, run_jobs):
    _invite(client, admin)
    run_jobs()
    path = path_of(next(link for link in links_in(inbox.only("new.checker@desk.test")) if "/invitation/" in link))
    visitor = client.application.test_client()
    assert post_form(visitor, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    again = visitor.get(path)
    assert again.status_code == 422
    assert "This invitation was used already" in again.get_data(as_text=True)
    replay = post_form(visitor, path, {"password": "another-password!", "confirm": "another-password!"})
    assert replay.status_code == 422


def test_an_expired_invitation_is_refused(client, admin, inbox, run_jobs):
    _invite(client, admin)
    run_jobs()
    path = path_of(next(link for link in links_in(inbox.only("new.checker@desk.test")) if "/invitation/" in link))
    db.session.execute(db.update(AccountLink).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    response = client.application.test_client().get(path)
    assert response.status_code == 422
    assert "This invitation expired on" in response.get_data(as_text=True)
    assert "Ask for a new one." in response.get_data(as_text=True)


def test_an_unknown_link_is_refused(client):
    response = client.get("/invitation/not-a-real-token")
    assert response.status_code == 422
    assert "This invitation is not valid" in response.get_data(as_text=True)


def test_an_invited_person_cannot_log_in_before_choosing_a_password(client, admin, inbox):
    _invite(client, admin)
    visitor = client.application.test_client()
    response = post_form(visitor, "/login", {"email": "new.checker@desk.test", "password": ""})
    assert response.status_code == 401


def test_sending_again_ends_the_first_link(client, admin, inbox, run_jobs):
    _invite(client, admin)
    person = db.session.query(User).filter_by(email="new.checker@desk.test").one()
    assert post_form(client, f"/admin/users/{person.id}/invitation").status_code == 302
    run_jobs()
    first, second = [path_of(next(link for link in links_in(m) if "/invitation/" in link))
                     for m in inbox.to("new.checker@desk.test")]
    visitor = client.application.test_client()
    assert visitor.get(first).status_code == 422
    assert visitor.get(second).status_code == 200


def test_the_invitation_form_keeps_what_was_typed(client, admin, checker):
    response = _invite(client, admin, email=checker.email, name="Someone Else", role="editor")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"{checker.email} already has an account." in page
    assert 'value="Someone Else"' in page and f'value="{checker.email}"' in page
    bad = _invite(client, admin, email="not-an-address", name="Nobody")
    assert bad.status_code == 422 and "value=\"Nobody\"" in bad.get_data(as_text=True)
