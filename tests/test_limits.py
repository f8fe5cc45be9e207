"""Input limits and malformed input (DESIGN.md §10): oversized text, uploads and quotes answer 413/422 with a
clear message; invalid UTF-8, NUL bytes, wrong JSON types, huge numbers and unknown fields are clean 4xx
in the API's error shape, or a page that says what is wrong — and nothing is stored.
"""
from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from factdesk.extensions import db
from factdesk.models import Article, Claim, Comment

from tests.conftest import login, post_form
from tests.support.factories import token_for

ARTICLE = "The council spent 340 million euros on the tram.\n\nThe mayor said ridership doubled in 2024."


def _error(response, *statuses) -> dict:
    assert response.status_code in statuses, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["message"]
    return body["error"]


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def headers(checker):
    return token_for(checker)


@pytest.fixture
def article_id(client, headers):
    response = client.post("/api/v1/articles", headers=headers, json={"text": ARTICLE, "title": "Tram"})
    assert response.status_code == 201
    return response.get_json()["id"]


def test_article_text_over_the_limit_is_413_naming_the_limit(app, client, headers):
    limit = app.config["MAX_ARTICLE_CHARS"]
    error = _error(client.post("/api/v1/articles", headers=headers, json={"text": "word " * (limit // 5) + "over"}),
                   413)
    assert f"{limit:,}" in error["message"]
    assert _count(Article) == 0


def test_article_text_at_the_limit_is_accepted(app, client, headers):
    limit = app.config["MAX_ARTICLE_CHARS"]
    text = ("x" * 99 + "\n") * (limit // 100)
    response = client.post("/api/v1/articles", headers=headers, json={"text": text[:limit]})
    assert response.status_code == 201


def test_a_pasted_article_over_the_limit_comes_back_with_the_message_and_the_title(app, client, checker):
    login(client, checker)
    limit = app.config["MAX_ARTICLE_CHARS"]
    response = post_form(client, "/desk/articles/paste", {"paste-text": "y" * (limit + 1), "paste-title": "Kept title"})
    page = response.get_data(as_text=True)
    assert response.status_code in (413, 422)
    assert f"{limit:,}" in page and 'value="Kept title"' in page
    assert _count(Article) == 0


def test_an_upload_over_the_limit_is_refused_with_the_limit_in_mb(app, client, checker):
    login(client, checker)
    limit = app.config["MAX_UPLOAD_BYTES"]
    data = {"upload-file": (io.BytesIO(b"a" * (limit + 1)), "big.txt")}
    response = post_form(client, "/desk/articles/upload", data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert f"{limit / 1048576:g} MB" in response.get_data(as_text=True)
    assert _count(Article) == 0


def test_a_request_body_over_the_server_limit_is_413_json_on_the_api(app, client, headers):
    huge = b'{"text": "' + b"z" * (app.config["MAX_CONTENT_LENGTH"] + 10) + b'"}'
    error = _error(client.post("/api/v1/articles", headers={**headers, "Content-Type": "application/json"}, data=huge),
                   413)
    assert error["code"] == "too_large"
    assert _count(Article) == 0


def test_a_quote_over_the_limit_is_refused_by_api_and_form(app, client, headers, checker, article_id):
    limit = app.config["MAX_QUOTE_CHARS"]
    error = _error(client.post(f"/api/v1/articles/{article_id}/claims", headers=headers,
                               json={"quote": "q" * (limit + 1)}),
                   413, 422)
    assert f"{limit:,}" in error["message"]
    # A selection longer than the limit, by offsets, is refused too.
    long_text = "Long claim: " + "word " * 1000
    big = client.post("/api/v1/articles", headers=headers, json={"text": long_text}).get_json()["id"]
    error = _error(client.post(f"/api/v1/articles/{big}/claims", headers=headers, json={"start": 0, "end": limit + 1}),
                   413, 422)
    assert f"{limit:,}" in error["message"] or str(limit) in error["message"]
    login(client, checker)
    response = post_form(client, f"/desk/articles/{article_id}/claims", {"quote": "q" * (limit + 1), "summary": "kept"})
    assert response.status_code in (413, 422)
    assert "kept" in response.get_data(as_text=True)
    assert _count(Claim) == 0


@pytest.mark.parametrize("raw", [b'{"text": "caf\xe9"}', b"\xff\xfe{", b'{"text": "a"', b"", b"\x00\x00"])
def test_unreadable_json_is_400_in_the_error_shape(client, headers, raw):
    response = client.post("/api/v1/articles", headers={**headers, "Content-Type": "application/json"}, data=raw)
    _error(response, 400)
    assert _count(Article) == 0


def test_a_body_without_json_content_type_is_400(client, headers):
    error = _error(client.post("/api/v1/articles", headers=headers, data=b"text=hello"), 400)
    assert "application/json" in error["message"]


@pytest.mark.parametrize("body, field", [
    ({"text": "a\u0000b"}, "text"),
    ({"text": ARTICLE, "title": "nul\u0000title"}, "title"),
    ({"text": 5}, "text"),
    ({"text": ARTICLE, "title": ["a list"]}, "title"),
    ({"text": ARTICLE, "published_at": "yesterday"}, "published_at"),
    ({"text": ARTICLE, "colour": "red"}, "colour"),
    ({"text": None}, "text"),
    ({"text": ARTICLE, "title": {"nested": True}}, "title"),
])
def test_bad_article_fields_are_422_naming_the_field(client, headers, body, field):
    error = _error(client.post("/api/v1/articles", headers=headers, json=body), 422)
    assert field in error["fields"] or field in error["message"]
    assert _count(Article) == 0


@pytest.mark.parametrize("body", [[], "text", 12, True, None])
def test_a_json_body_that_is_not_an_object_is_refused(client, headers, body):
    response = client.post("/api/v1/articles", headers={**headers, "Content-Type": "application/json"},
                           data=json.dumps(body))
    _error(response, 400, 422)


def test_lone_surrogates_and_nul_in_json_strings_are_422(client, headers, article_id):
    raw = '{"quote": "spent 340 million", "summary": "bad \\ud800 half"}'
    error = _error(client.post(f"/api/v1/articles/{article_id}/claims",
                               headers={**headers, "Content-Type": "application/json"}, data=raw), 422)
    assert "summary" in error["fields"]
    assert _count(Claim) == 0


@pytest.mark.parametrize("value", [2**63 + 1, -(2**63) - 5, 10**30, 2**31])
def test_huge_numbers_in_bodies_are_422_not_a_crash(client, headers, article_id, value):
    error = _error(client.post(f"/api/v1/articles/{article_id}/claims", headers=headers,
                               json={"start": value, "end": value + 1}), 422)
    assert error["fields"]
    claim = client.post(f"/api/v1/articles/{article_id}/claims", headers=headers,
                        json={"quote": "spent 340 million euros"}).get_json()
    _error(client.patch(f"/api/v1/claims/{claim['id']}", headers=headers,
                        json={"version": claim["version"], "assignee": value}), 422)
    _error(client.patch(f"/api/v1/claims/{claim['id']}", headers=headers, json={"version": value}), 409, 422)


@pytest.mark.parametrize("path", ["/api/v1/claims/{big}", "/api/v1/articles/{big}", "/api/v1/claims/{big}/history",
                                  "/api/v1/articles/1/revisions/{big}"])
@pytest.mark.parametrize("big", [2**31, 2**63 + 1, 10**30])
def test_ids_beyond_the_database_range_are_404(client, headers, article_id, path, big):
    _error(client.get(path.format(big=big), headers=headers), 404)


@pytest.mark.parametrize("big", [2**31, 2**63 + 1])
def test_page_ids_beyond_the_database_range_are_404(client, checker, big):
    login(client, checker)
    for url in (f"/desk/claims/{big}", f"/desk/articles/{big}", f"/checks/{big}", f"/articles/{big}-x"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Not found" in response.get_data(as_text=True) or "Nothing here" in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["per_page=1000000000000000000000000000000", "per_page=0", "per_page=101",
                                   "page=-1", "page=0", "page=abc", "per_page=1e3", "page=99999999999999999999"])
def test_bad_paging_is_422_naming_the_parameter(client, headers, query):
    for url in ("/api/v1/articles", "/api/v1/claims"):
        error = _error(client.get(f"{url}?{query}", headers=headers), 422)
        assert query.split("=")[0] in error["fields"]


def test_unknown_fields_are_refused_by_name(client, headers, article_id):
    error = _error(client.post("/api/v1/articles", headers=headers, json={"text": ARTICLE, "is_admin": True}), 422)
    assert "is_admin" in json.dumps(error)
    claim = client.post(f"/api/v1/articles/{article_id}/claims", headers=headers,
                        json={"quote": "spent 340 million euros"}).get_json()
    error = _error(client.patch(f"/api/v1/claims/{claim['id']}", headers=headers,
                                json={"version": claim["version"], "status": "published"}), 422)
    assert "status" in json.dumps(error)
    assert client.get(f"/api/v1/claims/{claim['id']}", headers=headers).get_json()["status"] == "new"


def test_nul_in_a_pasted_form_is_refused_with_a_message(client, checker):
    login(client, checker)
    response = post_form(client, "/desk/articles/paste", {"paste-text": "A\x00B and more text", "paste-title": "Nul"})
    assert response.status_code in (400, 422)
    assert "NUL" in response.get_data(as_text=True)
    assert _count(Article) == 0


def test_invalid_utf8_in_a_form_post_is_a_page_not_a_crash(client, checker):
    from tests.conftest import csrf_token

    login(client, checker)
    token = csrf_token(client)
    body = b"csrf_token=" + token.encode() + b"&paste-title=%FF%FE&paste-text=caf%E9+%FF"
    response = client.post("/desk/articles/paste", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500
    assert response.mimetype == "text/html"


@pytest.mark.parametrize("query", ["q=%00", "q=a%00b", "tag=%00", "assignee=%00", "status=%00", "sort=%00",
                                   "q=%ED%A0%80", "q=" + "x" * 5000, "article=%00", "priority=%00"])
def test_nul_bytes_and_junk_in_query_strings_are_never_a_server_error(client, checker, query):
    headers = token_for(checker)
    for url in ("/api/v1/claims", "/api/v1/search", "/api/v1/articles", "/api/v1/public/claimreviews"):
        response = client.get(f"{url}?{query}", headers=headers)
        assert response.status_code in (200, 400, 404, 422), (url, query, response.status_code)
        assert response.mimetype == "application/json"
    login(client, checker)
    for url in ("/desk", "/", "/desk/articles", "/desk/export.json"):
        response = client.get(f"{url}?{query}")
        response.get_data()
        assert response.status_code in (200, 400, 404, 422), (url, query, response.status_code)


def test_nul_in_any_form_field_is_refused_with_a_message(client, checker, article_id):
    claim = client.post(f"/api/v1/articles/{article_id}/claims", headers=token_for(checker),
                        json={"quote": "spent 340 million euros"}).get_json()
    login(client, checker)
    response = post_form(client, f"/desk/claims/{claim['id']}/comments", {"comment-body": "nul \x00 here"})
    assert response.status_code == 422
    assert "NUL" in response.get_data(as_text=True)
    assert _count(Comment) == 0


# --- numbers beyond what a column holds, anywhere a number is read ----------------------------------

HUGE = ["99999999999999999999", str(2**63), str(2**31), "-99999999999999999999", "²", "１２", "1_000", "٣"]


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("name", ["assignee", "article", "page", "per_page"])
def test_numbers_beyond_a_column_in_the_queue_api_are_422_naming_the_parameter(client, headers, name, value):
    error = _error(client.get(f"/api/v1/claims?{name}={value}", headers=headers), 422)
    assert name in error["fields"]


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("url", ["/api/v1/articles?page={v}", "/api/v1/search?q=tram&page={v}",
                                 "/api/v1/public/claimreviews?page={v}", "/api/v1/articles/{a}/suggestions?limit={v}",
                                 "/api/v1/monitor/candidates?source={v}"])
def test_numbers_beyond_a_column_in_other_api_queries_are_422(client, headers, article_id, url, value):
    error = _error(client.get(url.format(v=value, a=article_id), headers=headers), 422)
    assert error["fields"]


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("url", ["/desk?assignee={v}", "/desk?page={v}", "/desk?article={v}",
                                 "/desk/articles?page={v}", "/desk/audit?person={v}", "/desk/audit?page={v}",
                                 "/desk/export.csv?assignee={v}"])
def test_numbers_beyond_a_column_on_desk_pages_are_422_with_the_message(client, editor, url, value):
    login(client, editor)
    response = client.get(url.format(v=value))
    assert response.status_code == 422, (url, response.status_code)
    assert "whole number" in response.get_data(as_text=True) or "between" in response.get_data(as_text=True) \
        or "assignee must be" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", HUGE)
def test_readers_pages_with_a_huge_page_number_show_the_first_page(client, value):
    for url in (f"/?page={value}", f"/corrections?page={value}", f"/desk/monitor?source={value}"):
        response = client.get(url)
        assert response.status_code in (200, 302), (url, response.status_code)


@pytest.mark.parametrize("value", ["99999999999999999999", str(2**31), "²"])
def test_numbers_beyond_a_column_in_desk_forms_never_reach_the_database(client, editor, article_id, value):
    login(client, editor)
    claim = client.post(f"/api/v1/articles/{article_id}/claims", headers=token_for(editor, "e"),
                        json={"quote": "ridership doubled"}).get_json()
    pages = [
        (f"/desk/claims/{claim['id']}/assign", {"assign-version": claim["version"], "assign-assignee": value}),
        (f"/desk/claims/{claim['id']}/assign", {"assign-version": value, "take": "me"}),
        (f"/desk/claims/{claim['id']}/duplicate", {"original": value}),
        (f"/desk/articles/{article_id}/claims", {"start": value, "end": "5"}),
        (f"/desk/articles/{article_id}/claims", {"quote": "tram", "reattach": value}),
        ("/desk/bulk", {"action": "assign", "assignee": value, "ids": str(claim["id"])}),
        ("/desk/bulk", {"action": "priority", "priority": "high", "ids": value}),
    ]
    for url, data in pages:
        response = post_form(client, url, data)
        assert response.status_code < 500, (url, data, response.status_code)
        assert response.status_code in (302, 404, 409, 422), (url, data, response.status_code)
    stored = db.session.get(Claim, claim["id"])
    assert (stored.assignee_id, stored.version) == ((claim["assignee"] or {}).get("id"), claim["version"])
