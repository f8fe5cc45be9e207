"""The audit log of account and admin events at /admin/audit: written by the rules that own the events,
append-only in the ORM and in the database."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from factdesk.audit import audit
from factdesk.extensions import db
from factdesk.models import AuditEntry

from tests.conftest import login, post_form


def _actions() -> list[str]:
    return [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]


def test_role_changes_deactivations_and_people_added_are_logged(client, admin, checker):
    login(client, admin)
    post_form(client, f"/admin/users/{checker.id}/role", {"role": "editor"})
    post_form(client, f"/admin/users/{checker.id}/active")
    post_form(client, f"/admin/users/{checker.id}/active")
    post_form(client, "/admin/users", {"email": "new@desk.test", "name": "New Person", "role": "checker",
                                       "password": "a-long-enough-password"})
    assert _actions()[-4:] == ["role_changed", "deactivated", "reactivated", "person_added"]
    page = client.get("/admin/audit").get_data(as_text=True)
    for line in ("Admin Person made Checker Person editor (was checker)", "Admin Person deactivated Checker Person",
                 "Admin Person reactivated Checker Person",
                 "Admin Person added New Person &lt;new@desk.test&gt; as checker"):
        assert line in page
    role_entry = db.session.query(AuditEntry).filter_by(action="role_changed").one()
    assert role_entry.detail == {"before": "checker", "after": "editor"}


def test_deactivation_ends_the_persons_sessions(client, admin, checker, app):
    theirs = app.test_client()
    login(theirs, checker)
    login(client, admin)
    post_form(client, f"/admin/users/{checker.id}/active")
    assert theirs.get("/desk").status_code == 302


def test_tokens_made_and_revoked_are_logged(client, admin, checker):
    from factdesk.models import ApiToken

    login(client, admin)
    response = post_form(client, "/admin/tokens", {"name": "newsroom CMS"})
    assert response.status_code == 302
    token = db.session.query(ApiToken).one()
    post_form(client, f"/admin/tokens/{token.id}/revoke")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert f"Admin Person made the API token &#39;newsroom CMS&#39; ({token.prefix}…) for Admin Person" in page
    assert f"Admin Person revoked the API token &#39;newsroom CMS&#39; ({token.prefix}…) of Admin Person" in page


def test_rating_scale_edits_are_logged_with_before_and_after(client, admin):
    from factdesk.models import Rating

    login(client, admin)
    false = db.session.query(Rating).filter_by(label="false").one()
    post_form(client, f"/admin/ratings/{false.id}", {"label": "false", "name": "Untrue", "colour": false.colour,
                                                     "definition": false.definition, "ordinal": "1", "active": "y"})
    post_form(client, f"/admin/ratings/{false.id}/move", {"direction": "up"})
    post_form(client, "/admin/ratings", {"label": "pants-on-fire", "name": "Pants on fire", "colour": "#7a0000",
                                         "definition": "Very wrong.", "ordinal": "", "active": "y"})
    added = db.session.query(Rating).filter_by(label="pants-on-fire").one()
    post_form(client, f"/admin/ratings/{added.id}/delete")
    assert _actions()[-4:] == ["rating_changed", "rating_moved", "rating_created", "rating_deleted"]
    changed = db.session.query(AuditEntry).filter_by(action="rating_changed").one()
    assert changed.detail["before"]["name"] == "False" and changed.detail["after"]["name"] == "Untrue"
    assert changed.detail["version"] == 2
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Admin Person changed the rating &#39;Untrue&#39; (false): name" in page
    assert "Admin Person deleted the unused rating &#39;Pants on fire&#39; (pants-on-fire)" in page


def test_a_withdrawal_is_logged_with_its_reason(client, admin, checker, editor):
    from tests.support.factories import ArticleFactory, ClaimFactory, to_state
    from factdesk.claims import workflow

    story = ArticleFactory(by=checker, title="Homes", text="The minister said 10,000 homes were built last year.")
    check = to_state(ClaimFactory(article=story, by=checker, quote="10,000 homes were built last year"), "published",
                     checker, editor)
    workflow.transition(check, "withdrawn", editor, "The ministry withdrew the figures.")
    db.session.commit()
    entry = db.session.query(AuditEntry).filter_by(action="check_withdrawn").one()
    assert entry.actor_id == editor.id
    assert entry.detail == {"claim_id": check.id, "publication": 1, "reason": "The ministry withdrew the figures."}
    login(client, admin)
    assert (f"Editor Person withdrew check {check.id}" in client.get("/admin/audit?action=check_withdrawn")
            .get_data(as_text=True))


def test_filters_by_event_and_person_and_refuses_a_bad_number(client, admin, checker, editor):
    login(client, admin)
    post_form(client, f"/admin/users/{checker.id}/role", {"role": "editor"})
    post_form(client, f"/admin/users/{editor.id}/active")
    by_person = client.get(f"/admin/audit?person={editor.id}").get_data(as_text=True)
    assert "deactivated Editor Person" in by_person and "made Checker Person editor" not in by_person
    by_action = client.get("/admin/audit?action=role_changed").get_data(as_text=True)
    assert "made Checker Person editor" in by_action and "deactivated Editor Person" not in by_action
    bad = client.get("/admin/audit?person=abc")
    assert bad.status_code == 422 and "person must be a whole number" in bad.get_data(as_text=True)


def test_audit_log_is_for_admins(client, editor):
    login(client, editor)
    assert client.get("/admin/audit").status_code == 403


def test_audit_log_cannot_be_edited_or_deleted_in_the_orm(app, admin):
    entry = audit(admin, "note", "something happened")
    db.session.commit()
    entry.summary = "something else"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_audit_log_cannot_be_edited_or_deleted_even_in_sql(app, admin):
    audit(admin, "note", "something happened")
    db.session.commit()
    for statement in ("UPDATE audit_log SET summary = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError):
            db.session.execute(text(statement))
        db.session.rollback()
    assert db.session.query(AuditEntry).filter_by(summary="something happened").count() == 1
