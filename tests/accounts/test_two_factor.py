"""Two-factor sign-in: enrolment with a QR code, TOTP codes computed from the secret, recovery codes,
replayed and wrong codes, throttling, REQUIRE_2FA at login, an admin's reset (in the audit log)."""
from __future__ import annotations

import pyotp
import pytest

from factdesk.extensions import db
from factdesk.models import AuditEntry, RecoveryCode, Role, User

from tests.conftest import login, post_form
from tests.support.accountkit import RECOVERY_ON_PAGE, SECRET_ON_PAGE, code, enrol
from tests.support.factories import PASSWORD, UserFactory


def _password_step(client, user):
    response = post_form(client, "/login", {"email": user.email, "password": PASSWORD, "next": "/desk/articles"})
    assert response.status_code == 302
    return response.headers["Location"]


def test_person_enrols_on_the_security_page_and_gets_ten_recovery_codes(client, checker):
    login(client, checker)
    page = client.get("/account/security").get_data(as_text=True)
    assert "Two-factor sign-in is <strong>off</strong>" in page
    assert 'src="data:image/svg+xml' in page  # the QR code is an SVG image, nothing the CSP must allow
    secret = SECRET_ON_PAGE.search(page).group(1)

    wrong = post_form(client, "/account/security/enable", {"code": "000000" if code(secret) != "000000" else "111111"})
    assert wrong.status_code == 422
    assert "That code does not match" in wrong.get_data(as_text=True)
    assert SECRET_ON_PAGE.search(wrong.get_data(as_text=True)).group(1) == secret  # the same secret to retry

    done = post_form(client, "/account/security/enable", {"code": code(secret)})
    assert done.status_code == 200
    codes = RECOVERY_ON_PAGE.findall(done.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    person = db.session.get(User, checker.id)
    assert person.totp_secret == secret and person.has_second_factor
    assert db.session.query(RecoveryCode).filter_by(user_id=checker.id).count() == 10
    assert "Two-factor sign-in is <strong>on</strong>" in client.get("/account/security").get_data(as_text=True)


def test_sign_in_asks_for_the_code_and_opens_the_desk_only_after_it(client, checker):
    secret, _ = enrol(checker)
    assert _password_step(client, checker) == "/login/code"
    assert client.get("/desk").status_code == 302  # not signed in yet: the password alone is not enough
    page = client.get("/login/code")
    assert page.status_code == 200 and "authenticator app" in page.get_data(as_text=True)
    response = post_form(client, "/login/code", {"code": code(secret)})
    assert response.status_code == 302 and response.headers["Location"] == "/desk/articles"
    assert client.get("/desk").status_code == 200


def test_wrong_code_is_refused_with_a_message(client, checker):
    secret, _ = enrol(checker)
    _password_step(client, checker)
    wrong = next(c for c in ("123456", "654321") if c not in {code(secret, s) for s in (-1, 0, 1)})
    response = post_form(client, "/login/code", {"code": wrong})
    assert response.status_code == 401
    assert "Wrong code" in response.get_data(as_text=True)
    assert client.get("/desk").status_code == 302


def test_a_code_used_once_is_refused_the_second_time(client, app, checker):
    secret, _ = enrol(checker)
    used = code(secret)
    _password_step(client, checker)
    assert post_form(client, "/login/code", {"code": used}).status_code == 302
    post_form(client, "/logout")

    _password_step(client, checker)
    response = post_form(client, "/login/code", {"code": used})
    assert response.status_code == 401
    assert "That code was used already" in response.get_data(as_text=True)
    # The next step's code (the app shows it 30 seconds later) works.
    assert post_form(client, "/login/code", {"code": code(secret, 1)}).status_code == 302


def test_recovery_code_signs_in_once_only(client, checker):
    _, codes = enrol(checker)
    _password_step(client, checker)
    response = post_form(client, "/login/code", {"code": codes[3].upper()})
    assert response.status_code == 302
    assert "You used a recovery code; 9 left" in client.get("/desk").get_data(as_text=True)
    post_form(client, "/logout")

    _password_step(client, checker)
    again = post_form(client, "/login/code", {"code": codes[3]})
    assert again.status_code == 401
    assert "recovery codes not used before" in again.get_data(as_text=True)


def test_code_checks_are_throttled_per_account(client, checker):
    secret, _ = enrol(checker)
    _password_step(client, checker)
    fresh = {code(secret, s) for s in (-1, 0, 1)}
    wrong = [c for c in (f"{n:06d}" for n in range(100, 200)) if c not in fresh]
    for attempt in range(5):
        assert post_form(client, "/login/code", {"code": wrong[attempt]},
                         environ_base={"REMOTE_ADDR": f"10.2.0.{attempt}"}).status_code == 401
    throttled = post_form(client, "/login/code", {"code": code(secret)}, environ_base={"REMOTE_ADDR": "10.2.0.99"})
    assert throttled.status_code == 429
    assert "Try again in" in throttled.get_data(as_text=True)
    assert client.get("/desk").status_code == 302


def test_code_page_without_a_password_step_says_to_log_in(client):
    response = client.get("/login/code")
    assert response.status_code == 400
    assert "log in again" in response.get_data(as_text=True)


@pytest.mark.parametrize("rule, role, asked", [
    ("editors", Role.editor, True), ("editors", Role.admin, True), ("editors", Role.checker, False),
    ("all", Role.checker, True), ("none", Role.admin, False),
])
def test_require_2fa_is_enforced_at_login_for_the_roles_it_names(client, app, rule, role, asked):
    app.config["REQUIRE_2FA"] = rule
    person = UserFactory(role=role, email=f"{role.value}-{rule}@desk.test")
    location = _password_step(client, person)
    if not asked:
        assert location == "/desk/articles"
        assert client.get("/desk").status_code == 200
        return
    assert location == "/login/enrol"
    assert client.get("/desk").status_code == 302  # nothing of the desk before the second factor is set up
    page = client.get("/login/enrol").get_data(as_text=True)
    assert "This desk asks everyone in your role for a second factor" in page
    secret = SECRET_ON_PAGE.search(page).group(1)
    response = post_form(client, "/login/enrol", {"code": code(secret)})
    assert response.status_code == 200
    assert len(RECOVERY_ON_PAGE.findall(response.get_data(as_text=True))) == 10
    assert client.get("/desk").status_code == 200
    assert db.session.get(User, person.id).totp_secret == secret


def test_required_second_factor_cannot_be_turned_off(client, app, editor):
    app.config["REQUIRE_2FA"] = "editors"
    secret, _ = enrol(editor)
    _password_step(client, editor)
    post_form(client, "/login/code", {"code": code(secret)})
    response = post_form(client, "/account/security/disable", {"off-code": code(secret, 1)})
    assert response.status_code == 422
    assert "cannot be turned off" in response.get_data(as_text=True)
    assert db.session.get(User, editor.id).has_second_factor


def test_person_turns_their_own_second_factor_off_with_a_code(client, checker):
    secret, _ = enrol(checker)
    _password_step(client, checker)
    post_form(client, "/login/code", {"code": code(secret)})
    response = post_form(client, "/account/security/disable", {"off-code": code(secret, 1)})
    assert response.status_code == 302
    assert not db.session.get(User, checker.id).has_second_factor
    assert db.session.query(RecoveryCode).filter_by(user_id=checker.id).count() == 0


def test_new_recovery_codes_replace_the_old_ones(client, checker):
    secret, old = enrol(checker)
    _password_step(client, checker)
    post_form(client, "/login/code", {"code": code(secret)})
    response = post_form(client, "/account/security/recovery-codes", {"codes-code": code(secret, 1)})
    new = RECOVERY_ON_PAGE.findall(response.get_data(as_text=True))
    assert response.status_code == 200 and len(new) == 10 and not set(new) & set(old)
    post_form(client, "/logout")
    _password_step(client, checker)
    assert post_form(client, "/login/code", {"code": old[0]}).status_code == 401
    assert post_form(client, "/login/code", {"code": new[0]}).status_code == 302


def test_admin_resets_a_second_factor_and_the_audit_log_says_so(client, admin, checker):
    enrol(checker)
    login(client, admin)
    assert "Reset" in client.get("/admin/users").get_data(as_text=True)
    response = post_form(client, f"/admin/users/{checker.id}/second-factor")
    assert response.status_code == 302
    assert "The second factor of Checker Person is reset" in client.get("/admin/users").get_data(as_text=True)
    person = db.session.get(User, checker.id)
    assert person.totp_secret is None
    assert db.session.query(RecoveryCode).filter_by(user_id=checker.id).count() == 0
    entry = db.session.query(AuditEntry).filter_by(action="second_factor_reset").one()
    assert (entry.actor_id, entry.person_id) == (admin.id, checker.id)
    page = client.get("/admin/audit?action=second_factor_reset").get_data(as_text=True)
    assert "Admin Person reset the second factor of Checker Person" in page

    # The person signs in with the password alone again (the desk does not require a second factor).
    other = client.application.test_client()
    assert _password_step(other, checker) == "/desk/articles"


def test_the_secret_is_a_standard_authenticator_secret(checker):
    secret, _ = enrol(checker)
    assert len(pyotp.TOTP(secret).now()) == 6
