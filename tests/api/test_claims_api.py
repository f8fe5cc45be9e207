"""The claim endpoints of the API (DESIGN.md §8): read, PATCH with version, evidence, moves, comments, history."""
from __future__ import annotations

import pytest

from factdesk.extensions import db
from factdesk.models import Claim, ClaimHistory, Evidence

from tests.support.factories import SeedClaimFactory, research, to_state, token_for


@pytest.fixture
def claim(seed_article, checker):
    return SeedClaimFactory(article=seed_article, by=checker)


def test_get_claim_has_the_shape_of_the_contract(client, claim, checker):
    body = client.get(f"/api/v1/claims/{claim.id}", headers=token_for(checker)).get_json()
    for key in ("id", "article_id", "status", "anchor", "summary", "claimant", "claimed_at", "priority", "due",
                "assignee", "tags", "rating", "rationale", "version", "evidence", "published_at", "public_url",
                "created_at", "updated_at"):
        assert key in body
    assert body["status"] == "new"
    assert body["anchor"]["quote"] == claim.quote
    assert body["allowed_moves"] == ["researching"]


def test_missing_claim_is_404(client, checker):
    response = client.get("/api/v1/claims/999", headers=token_for(checker))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_patch_changes_fields_and_writes_one_history_entry_each(client, claim, checker):
    headers = token_for(checker)
    start = claim.version
    response = client.patch(f"/api/v1/claims/{claim.id}", headers=headers, json={
        "version": start, "summary": "North Korea sent over 10,000 containers.", "tags": ["war", "Russia"],
        "claimed_at": "2024-03-18", "assignee": checker.id, "rating": "mostly-false", "rationale": "See *data*."})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["summary"] == "North Korea sent over 10,000 containers."
    assert body["tags"] == ["russia", "war"]
    assert body["rating"] == "mostly-false"
    assert body["assignee"] == {"id": checker.id, "name": checker.name}
    assert body["version"] == start + 1
    fields = {h["field"] for h in client.get(f"/api/v1/claims/{claim.id}/history", headers=headers).get_json()["items"]
              if h["action"] == "edit"}
    assert fields == {"summary", "tags", "claimed_at", "assignee", "rating", "rationale"}
    assert db.session.get(Claim, claim.id).verdict_by_id == checker.id


def test_patch_with_a_stale_version_is_409_naming_what_changed(client, claim, checker, editor):
    start = claim.version
    first = client.patch(f"/api/v1/claims/{claim.id}", headers=token_for(editor),
                         json={"version": start, "rationale": "Editor's rationale."})
    assert first.status_code == 200
    second = client.patch(f"/api/v1/claims/{claim.id}", headers=token_for(checker),
                          json={"version": start, "rationale": "Checker's rationale."})
    assert second.status_code == 409
    error = second.get_json()["error"]
    assert error["code"] == "stale_version"
    assert error["fields"]["version"] == start + 1
    assert error["fields"]["changed"]["rationale"] == {"theirs": "Editor's rationale.", "yours": "Checker's rationale."}
    assert db.session.get(Claim, claim.id).rationale == "Editor's rationale."


@pytest.mark.parametrize("body, field", [
    ({"priority": "whenever"}, "priority"),
    ({"claimed_at": "18/03/2024"}, "claimed_at"),
    ({"rating": "pants-on-fire"}, "rating"),
    ({"colour": "red"}, "colour"),
    ({"tags": ["<b>"]}, "tags"),
])
def test_patch_refuses_invalid_fields_with_422_naming_them(client, claim, editor, body, field):
    response = client.patch(f"/api/v1/claims/{claim.id}", headers=token_for(editor), json={"version": claim.version,
                                                                                           **body})
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_patch_without_version_is_422(client, claim, editor):
    response = client.patch(f"/api/v1/claims/{claim.id}", headers=token_for(editor), json={"summary": "x"})
    assert response.status_code == 422
    assert "version" in response.get_json()["error"]["fields"]


def test_checker_cannot_assign_someone_else(client, claim, checker, editor):
    response = client.patch(f"/api/v1/claims/{claim.id}", headers=token_for(checker),
                            json={"version": claim.version, "assignee": editor.id})
    assert response.status_code == 403
    assert "assignee" in response.get_json()["error"]["fields"]


def test_evidence_is_added_and_removed_with_counter_and_history(client, claim, checker):
    headers = token_for(checker)
    added = client.post(f"/api/v1/claims/{claim.id}/evidence", headers=headers, json={
        "url": "https://stats.example/exports", "title": "Exports", "publisher": "Stats Office",
        "excerpt": "Exports fell.", "stance": "refutes", "source_type": "official", "accessed_at": "2024-03-19",
        "archive_url": "https://archive.example/exports"})
    assert added.status_code == 201, added.get_json()
    item = added.get_json()
    assert item["stance"] == "refutes" and item["source_type"] == "official" and item["accessed_at"] == "2024-03-19"
    assert db.session.get(Claim, claim.id).evidence_count == 1
    removed = client.delete(f"/api/v1/claims/{claim.id}/evidence/{item['id']}", headers=headers)
    assert removed.status_code == 204
    assert db.session.get(Claim, claim.id).evidence_count == 0
    assert db.session.get(Evidence, item["id"]) is None
    actions = [h["action"] for h in client.get(f"/api/v1/claims/{claim.id}/history",
                                               headers=headers).get_json()["items"]]
    assert actions[-2:] == ["evidence_added", "evidence_removed"]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://files.example/x", "/relative/path", "data:text/html,hi",
                                 "https://", "http://exa mple.com"])
def test_evidence_url_must_be_http_or_https(client, claim, checker, url):
    response = client.post(f"/api/v1/claims/{claim.id}/evidence", headers=token_for(checker), json={"url": url})
    assert response.status_code == 422
    assert "url" in response.get_json()["error"]["fields"]


def test_evidence_of_another_claim_is_404(client, seed_article, checker):
    one = research(SeedClaimFactory(article=seed_article, by=checker, n=0), checker)
    other = SeedClaimFactory(article=seed_article, by=checker, n=1)
    eid = one.evidence[0].id
    response = client.delete(f"/api/v1/claims/{other.id}/evidence/{eid}", headers=token_for(checker))
    assert response.status_code == 404


def test_refused_transition_is_409_with_allowed_moves(client, claim, checker):
    response = client.post(f"/api/v1/claims/{claim.id}/transition", headers=token_for(checker),
                           json={"to": "published"})
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "invalid_transition"
    assert error["fields"]["allowed"] == ["researching"]
    assert "researching" in error["message"]


def test_transition_moves_the_claim_and_is_in_history(client, claim, checker, editor):
    research(claim, checker)
    response = client.post(f"/api/v1/claims/{claim.id}/transition", headers=token_for(checker),
                           json={"to": "in_review"})
    assert response.status_code == 200
    assert response.get_json()["status"] == "in_review"
    sent_back = client.post(f"/api/v1/claims/{claim.id}/transition", headers=token_for(editor),
                            json={"to": "changes_requested", "comment": "Cite the customs data."})
    assert sent_back.status_code == 200
    last = client.get(f"/api/v1/claims/{claim.id}/history", headers=token_for(editor)).get_json()["items"][-1]
    assert (last["action"], last["field"], last["before"], last["after"], last["comment"]) == (
        "transition", "status", "in_review", "changes_requested", "Cite the customs data.")
    assert last["by"] == {"id": editor.id, "name": editor.name}


def test_send_back_without_comment_is_422(client, claim, checker, editor):
    to_state(claim, "in_review", checker, editor)
    response = client.post(f"/api/v1/claims/{claim.id}/transition", headers=token_for(editor),
                           json={"to": "changes_requested"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"comment": "required"}


def test_transition_body_is_validated(client, claim, editor):
    response = client.post(f"/api/v1/claims/{claim.id}/transition", headers=token_for(editor),
                           json={"to": "researching", "force": True})
    assert response.status_code == 422


def test_comments_list_and_post(client, claim, checker, editor):
    posted = client.post(f"/api/v1/claims/{claim.id}/comments", headers=token_for(checker),
                         json={"body": "Can you look, @editor? <script>x()</script>"})
    assert posted.status_code == 201
    body = posted.get_json()
    assert body["author"]["id"] == checker.id
    assert "<script>" not in body["html"]
    listed = client.get(f"/api/v1/claims/{claim.id}/comments", headers=token_for(editor)).get_json()
    assert listed["total"] == 1 and listed["items"][0]["body"].startswith("Can you look")
    assert db.session.get(Claim, claim.id).comment_count == 1


def test_empty_comment_is_422(client, claim, checker):
    response = client.post(f"/api/v1/claims/{claim.id}/comments", headers=token_for(checker), json={"body": "   "})
    assert response.status_code == 422


def test_history_is_a_paginated_list_with_the_contract_keys(client, claim, checker):
    research(claim, checker)
    body = client.get(f"/api/v1/claims/{claim.id}/history?per_page=2", headers=token_for(checker)).get_json()
    assert body["per_page"] == 2 and body["page"] == 1
    assert body["total"] == db.session.query(ClaimHistory).filter_by(claim_id=claim.id).count()
    assert set(body["items"][0]) >= {"at", "by", "action", "field", "before", "after", "comment"}
    assert body["items"][0]["action"] == "created"


def test_claim_endpoints_need_a_token(client, claim):
    assert client.get(f"/api/v1/claims/{claim.id}").status_code == 401
    assert client.post(f"/api/v1/claims/{claim.id}/transition", json={"to": "researching"}).status_code == 401


def test_openapi_describes_the_claim_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "patch"} <= set(paths["/api/v1/claims/{claim_id}"])
    assert "post" in paths["/api/v1/claims/{claim_id}/transition"]
    assert "delete" in paths["/api/v1/claims/{claim_id}/evidence/{evidence_id}"]


@pytest.mark.parametrize("action", ["patch", "transition"])
def test_the_answer_is_the_claim_as_this_request_left_it_even_when_someone_writes_right_after(
        client, claim, checker, action):
    # Seen in `flask bench` (concurrent_writers): an answer read again after the commit carried the next
    # writer's version, so two accepted edits both said "version 4" and a client sending that version on
    # would overwrite the other's change without a conflict.
    from sqlalchemy import event, text
    from sqlalchemy.orm import Session

    start, claim_id, summary = claim.version, claim.id, claim.summary
    fired = []

    def someone_else_writes(session):  # after the commit that made our version, not an earlier one
        if fired:
            return
        with db.engine.begin() as other:
            if other.execute(text("UPDATE claims SET summary = 'Written right after', version = version + 1 "
                                  "WHERE id = :id AND version = :ours"), {"id": claim_id, "ours": start + 1}).rowcount:
                fired.append(True)

    event.listen(Session, "after_commit", someone_else_writes)
    try:
        if action == "patch":
            response = client.patch(f"/api/v1/claims/{claim.id}", headers=token_for(checker),
                                    json={"version": start, "summary": "Mine."})
        else:
            response = client.post(f"/api/v1/claims/{claim.id}/transition", headers=token_for(checker),
                                   json={"to": "researching"})
    finally:
        event.remove(Session, "after_commit", someone_else_writes)
    assert fired and response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["version"] == start + 1
    assert body["summary"] == ("Mine." if action == "patch" else summary)
    db.session.expire_all()
    assert db.session.get(Claim, claim.id).version == start + 2  # the other write happened, after ours
