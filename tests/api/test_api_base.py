"""The API scaffold: token auth, the error shape, the OpenAPI document."""
from __future__ import annotations

from factdesk.extensions import db

from tests.support.factories import token_for


def _error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_me_answers_the_token_user(client, editor):
    response = client.get("/api/v1/me", headers=token_for(editor))
    assert response.status_code == 200
    assert response.get_json() == {"id": editor.id, "email": editor.email, "name": editor.name, "role": "editor"}


def test_a_token_and_its_person_are_one_statement_and_no_transaction(client, editor):
    """`/api/v1/me` reads nothing but the token and its person, in one statement outside any
    transaction of the request's session (on a database server no ping, BEGIN or COMMIT)."""
    from sqlalchemy import event

    from factdesk.bench.statements import TOKEN_TOUCH, counting_statements

    headers = token_for(editor)
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # the first use is recorded
    begun = []

    def began(connection):
        begun.append(connection)

    event.listen(db.engine, "begin", began)
    try:
        with counting_statements(db.engine, ignore=(TOKEN_TOUCH,)) as seen:
            response = client.get("/api/v1/me", headers=headers)
    finally:
        event.remove(db.engine, "begin", began)
    assert response.get_json()["id"] == editor.id
    assert len(seen) == 1 and "api_tokens" in seen[0] and "users" in seen[0]
    assert begun == []


def test_a_person_changed_between_requests_is_seen_at_once(client, editor):
    """The person comes from the token's own lookup on every request: a new role or a deactivation
    counts from the next call, never from a copy held since an earlier one."""
    headers = token_for(editor)
    assert client.get("/api/v1/me", headers=headers).get_json()["role"] == "editor"
    db.session.execute(db.update(type(editor)).where(type(editor).id == editor.id).values(role="checker"))
    db.session.commit()
    db.session.expire_all()
    assert client.get("/api/v1/me", headers=headers).get_json()["role"] == "checker"
    db.session.execute(db.update(type(editor)).where(type(editor).id == editor.id).values(active=False))
    db.session.commit()
    db.session.expire_all()
    _error(client.get("/api/v1/me", headers=headers), 401, "unauthorized")


def test_missing_or_bad_token_is_401_json(client, editor):
    _error(client.get("/api/v1/me"), 401, "unauthorized")
    _error(client.get("/api/v1/me", headers={"Authorization": "Bearer fd_nonsense"}), 401)
    _error(client.get("/api/v1/me", headers={"Authorization": "Basic abc"}), 401)


def test_revoked_token_stops_at_once(client, editor):
    from factdesk.accounts.tokens import revoke_token
    from factdesk.models import ApiToken

    headers = token_for(editor)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    token = db.session.execute(db.select(ApiToken)).scalar_one()
    assert token.last_used_at is not None
    revoke_token(token)
    db.session.commit()
    _error(client.get("/api/v1/me", headers=headers), 401)


def test_unknown_api_path_and_method_are_json(client, editor):
    _error(client.get("/api/v1/nothing-here", headers=token_for(editor)), 404, "not_found")
    error = _error(client.delete("/api/v1/me", headers=token_for(editor)), 405, "method_not_allowed")
    assert error["message"]


def test_openapi_document_lists_every_api_route(client, app):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    import re

    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (path, method) in documented, f"{method} {path} is not in the OpenAPI document"


def test_pages_are_html_errors_not_json(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Not found" in response.get_data(as_text=True)
