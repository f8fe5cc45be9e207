"""Single sign-on through a real OpenID Connect provider started by the test on 127.0.0.1
(tests/support/oidc_provider.py, Authlib's server side): discovery, PKCE, state and nonce, matched by
verified e-mail."""
from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from factdesk.extensions import db
from factdesk.models import Role, User

from tests.support.accountkit import code, enrol
from tests.support.oidc_provider import CLIENT_ID, CLIENT_SECRET, running_provider

CALLBACK = "http://localhost/login/sso/callback"


@pytest.fixture
def provider():
    with running_provider(CALLBACK) as running:
        yield running


@pytest.fixture
def app_settings(provider):
    return {"OIDC_ISSUER": provider.issuer, "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET}


def _to_provider(client, provider, next_path="/desk/articles") -> str:
    start = client.get(f"/login/sso?next={next_path}")
    assert start.status_code == 302
    location = start.headers["Location"]
    assert location.startswith(f"{provider.issuer}/authorize?")
    return location


def _provider_answer(location: str) -> str:
    """The browser at the provider: it signs the person in and sends them back with a code and the state."""
    answer = requests.get(location, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = answer.headers["Location"]
    assert back.startswith(CALLBACK)
    return back


def _callback(client, back: str, **change):
    parts = urlsplit(back)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(change)
    return client.get(f"{parts.path}?{urlencode(query)}")


def test_known_person_signs_in_and_keeps_their_desk_role(client, provider, editor):
    provider.sign_in_as("EDITOR@desk.test", name="Ed From The Provider")
    response = _callback(client, _provider_answer(_to_provider(client, provider)))
    assert response.status_code == 302 and response.headers["Location"] == "/desk/articles"
    assert "Welcome, Editor Person." in client.get("/desk").get_data(as_text=True)
    person = db.session.get(User, editor.id)
    assert person.role == Role.editor and person.name == "Editor Person"
    sent = provider.authorize_requests[-1]
    assert sent["code_challenge_method"] == "S256" and len(sent["code_challenge"]) >= 43
    assert sent["nonce"] and sent["state"] and sent["scope"] == "openid email profile"


def test_unknown_person_is_refused(client, provider, editor):
    provider.sign_in_as("stranger@elsewhere.test")
    response = _callback(client, _provider_answer(_to_provider(client, provider)))
    assert response.status_code == 403
    assert "stranger@elsewhere.test has no account on this desk. An admin must invite you first." in \
        response.get_data(as_text=True)
    assert client.get("/desk").status_code == 302
    assert db.session.query(User).filter_by(email="stranger@elsewhere.test").count() == 0


def test_an_unverified_address_is_refused(client, provider, editor):
    provider.sign_in_as(editor.email, verified=False)
    response = _callback(client, _provider_answer(_to_provider(client, provider)))
    assert response.status_code == 403
    assert "did not confirm an e-mail address" in response.get_data(as_text=True)
    assert client.get("/desk").status_code == 302


def test_a_tampered_state_is_refused(client, provider, editor):
    provider.sign_in_as(editor.email)
    back = _provider_answer(_to_provider(client, provider))
    response = _callback(client, back, state="forged-state-value")
    assert response.status_code == 403
    assert "Single sign-on did not complete" in response.get_data(as_text=True)
    assert client.get("/desk").status_code == 302


def test_an_answer_meant_for_another_browser_is_refused(client, app, provider, editor):
    provider.sign_in_as(editor.email)
    back = _provider_answer(_to_provider(client, provider))
    other = app.test_client()  # never started a sign-in: no state in its session
    response = _callback(other, back)
    assert response.status_code == 403
    assert other.get("/desk").status_code == 302


def test_a_callback_used_twice_is_refused_the_second_time(client, provider, editor):
    provider.sign_in_as(editor.email)
    back = _provider_answer(_to_provider(client, provider))
    assert _callback(client, back).status_code == 302
    # The same answer again, in the same browser: its state is spent.
    assert _callback(client, back).status_code == 403


def test_an_id_token_with_another_nonce_is_refused(client, provider, editor):
    provider.sign_in_as(editor.email)
    provider.forge_nonce = True
    response = _callback(client, _provider_answer(_to_provider(client, provider)))
    assert response.status_code == 403
    assert "Single sign-on did not complete" in response.get_data(as_text=True)
    assert client.get("/desk").status_code == 302


def test_provider_refusal_is_shown(client, provider, editor):
    provider.person = None  # the person declines at the provider
    response = _callback(client, _provider_answer(_to_provider(client, provider)))
    assert response.status_code == 403
    assert "Single sign-on did not complete" in response.get_data(as_text=True)


def test_a_person_with_a_second_factor_is_asked_for_it_after_sso(client, provider, checker):
    from tests.conftest import post_form

    secret, _ = enrol(checker)
    provider.sign_in_as(checker.email)
    response = _callback(client, _provider_answer(_to_provider(client, provider)))
    assert response.status_code == 302 and response.headers["Location"] == "/login/code"
    assert client.get("/desk").status_code == 302
    done = post_form(client, "/login/code", {"code": code(secret)})
    assert done.status_code == 302 and done.headers["Location"] == "/desk/articles"


def test_a_deactivated_person_is_refused(client, provider, checker):
    checker.active = False
    db.session.commit()
    provider.sign_in_as(checker.email)
    response = _callback(client, _provider_answer(_to_provider(client, provider)))
    assert response.status_code == 403 and "deactivated" in response.get_data(as_text=True)


def test_login_page_offers_single_sign_on(client, provider):
    assert "Sign in with your newsroom account" in client.get("/login").get_data(as_text=True)


def test_an_invited_person_signs_in_with_sso_and_the_invitation_ends(client, app, provider, admin):
    from factdesk.accounts.invitations import invite
    from factdesk.models import AccountLink

    invite("invited@desk.test", "Invited Person", "checker", admin)
    db.session.commit()
    provider.sign_in_as("invited@desk.test")
    response = _callback(client, _provider_answer(_to_provider(client, provider)))
    assert response.status_code == 302
    assert "Welcome, Invited Person." in client.get("/desk").get_data(as_text=True)
    link = db.session.query(AccountLink).one()
    assert link.used_at is not None  # the mailed link no longer sets a password
