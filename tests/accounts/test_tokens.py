"""API tokens: an optional last day, and making one asks for the maker's second factor when it is on."""
from __future__ import annotations

from datetime import date, timedelta

from factdesk.accounts.tokens import issue_token
from factdesk.extensions import db
from factdesk.models import ApiToken, utcnow

from tests.conftest import login, post_form
from tests.support.accountkit import code, enrol
from tests.support.factories import PASSWORD


def test_a_token_past_its_last_day_stops_working(client, checker):
    token, raw = issue_token(checker, "short-lived", expires_on=date.today() + timedelta(days=2))
    db.session.commit()
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    db.session.execute(db.update(ApiToken).where(ApiToken.id == token.id)
                       .values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_token_form_takes_a_last_day_and_refuses_one_in_the_past(client, admin, checker):
    login(client, admin)
    past = post_form(client, "/admin/tokens", {"name": "old",
                                               "expires_on": (date.today() - timedelta(days=3)).isoformat()})
    assert past.status_code == 422
    page = past.get_data(as_text=True)
    assert "The last day of a token cannot be in the past." in page and 'value="old"' in page
    last_day = date.today() + timedelta(days=30)
    made = post_form(client, "/admin/tokens", {"name": "month", "expires_on": last_day.isoformat()})
    assert made.status_code == 302
    shown = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "shown only once" in shown
    token = db.session.query(ApiToken).filter_by(name="month").one()
    assert token.expires_at.date() == last_day + timedelta(days=1)
    assert f"{(last_day + timedelta(days=1)).isoformat()} 00:00" in shown


def test_making_a_token_asks_for_the_second_factor_when_it_is_on(client, admin, checker):
    secret, _ = enrol(admin)
    post_form(client, "/login", {"email": admin.email, "password": PASSWORD})
    post_form(client, "/login/code", {"code": code(secret)})
    page = client.get("/admin/tokens").get_data(as_text=True)
    assert "Your two-factor code" in page
    missing = post_form(client, "/admin/tokens", {"name": "cms"})
    assert missing.status_code == 422
    assert "Making a token needs your two-factor code." in missing.get_data(as_text=True)
    replayed = post_form(client, "/admin/tokens", {"name": "cms", "code": code(secret)})
    assert replayed.status_code == 422 and "used already" in replayed.get_data(as_text=True)
    assert db.session.query(ApiToken).count() == 0
    made = post_form(client, "/admin/tokens", {"name": "cms", "code": code(secret, 1)})
    assert made.status_code == 302 and "shown only once" in client.get(made.headers["Location"]).get_data(as_text=True)
    assert db.session.query(ApiToken).count() == 1


def test_making_a_token_without_a_second_factor_needs_no_code(client, admin, checker):
    login(client, admin)
    assert "Your two-factor code" not in client.get("/admin/tokens").get_data(as_text=True)
    assert post_form(client, "/admin/tokens", {"name": "cms"}).status_code == 302
