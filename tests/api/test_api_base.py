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
