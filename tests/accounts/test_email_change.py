"""Changing one's e-mail address: confirmed from the new address (link read from a real SMTP server),
a notice to the old one, refused with a wrong password, a taken address or a used link."""
from __future__ import annotations

from factdesk.extensions import db
from factdesk.models import AuditEntry, User

from tests.conftest import login, post_form
from tests.support.factories import PASSWORD
from tests.support.mailkit import app_settings, inbox, links_in, mail_port, path_of, text_of  # noqa: F401

NEW = "checker.new@elsewhere.test"


def _confirm_path(inbox) -> str:
    return path_of(next(link for link in links_in(inbox.only(NEW)) if "/account/email/" in link))


def test_the_new_address_confirms_the_change(client, app, checker, inbox, run_jobs):
    old = checker.email
    login(client, checker)
    response = post_form(client, "/account/email", {"new_email": NEW, "password": PASSWORD})
    assert response.status_code == 302
    assert f"A confirmation link is on its way to {NEW}" in client.get("/account").get_data(as_text=True)
    assert db.session.get(User, checker.id).email == checker.email  # nothing changes before the confirmation
    run_jobs()
    assert "Confirm that checker.new@elsewhere.test is your new address" in text_of(inbox.only(NEW))
    notice = inbox.only(checker.email)
    assert "asked to move your account to checker.new@elsewhere.test" in text_of(notice)

    path = _confirm_path(inbox)
    page = client.get(path)
    assert page.status_code == 200 and f"to {NEW}?" in page.get_data(as_text=True)
    assert db.session.get(User, checker.id).email == checker.email  # opening the link alone changes nothing
    done = post_form(client, path)
    assert done.status_code == 302
    assert db.session.get(User, checker.id).email == NEW
    entry = db.session.query(AuditEntry).filter_by(action="email_changed").one()
    assert entry.detail == {"before": old, "after": NEW}
    fresh = app.test_client()
    assert post_form(fresh, "/login", {"email": NEW, "password": PASSWORD}).status_code == 302


def test_a_confirmation_link_works_once(client, checker, inbox, run_jobs):
    login(client, checker)
    post_form(client, "/account/email", {"new_email": NEW, "password": PASSWORD})
    run_jobs()
    path = _confirm_path(inbox)
    assert post_form(client, path).status_code == 302
    again = post_form(client, path)
    assert again.status_code == 422
    assert "This confirmation link was used already" in again.get_data(as_text=True)


def test_a_wrong_password_or_a_taken_address_is_refused_with_the_form_as_typed(client, checker, editor, inbox):
    login(client, checker)
    wrong = post_form(client, "/account/email", {"new_email": NEW, "password": "not-my-password"})
    assert wrong.status_code == 422
    assert "That is not your current password." in wrong.get_data(as_text=True)
    assert f'value="{NEW}"' in wrong.get_data(as_text=True)
    taken = post_form(client, "/account/email", {"new_email": editor.email.upper(), "password": PASSWORD})
    assert taken.status_code == 422
    assert "belongs to another account" in taken.get_data(as_text=True)
    assert inbox.messages == []
