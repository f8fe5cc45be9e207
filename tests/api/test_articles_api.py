"""Articles through the JSON API (DESIGN.md §8): create from text/html/url, read, revise with
re-anchoring, revisions, W3C annotations, highlighting claims (ambiguous and duplicate quotes)."""
from __future__ import annotations

import gzip

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import func, select

from factdesk.extensions import db
from factdesk.models import Article, Claim, ClaimHistory

from tests.conftest import FIXTURES
from tests.support.factories import token_for

SEED_TEXT = (FIXTURES / "articles" / "dprk-munitions-interview.txt").read_text(encoding="utf-8")
WEB = sorted((FIXTURES / "web-articles" / "html").glob("*.html.gz"))


@pytest.fixture
def api(client, checker):
    headers = token_for(checker)

    class Api:
        def get(self, url, accept=None, **kw):
            return client.get(f"/api/v1{url}", headers={**headers, **({"Accept": accept} if accept else {})})

        def post(self, url, body):
            return client.post(f"/api/v1{url}", headers=headers, json=body)

        def put(self, url, body):
            return client.put(f"/api/v1{url}", headers=headers, json=body)

    return Api()


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_create_from_text_answers_201_with_the_article_and_stores_revision_1(api, checker):
    response = api.post("/articles", {"text": SEED_TEXT, "title": "Munitions", "publisher": "InformedInsights",
                                      "published_at": "2024-03-18"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["title"] == "Munitions" and body["revision"] == 1 and body["claims"] == []
    assert body["published_at"] == "2024-03-18" and body["url"] == f"/desk/articles/{body['id']}"
    article = db.session.get(Article, body["id"])
    assert article.text == body["text"] == SEED_TEXT.strip()
    assert article.created_by_id == checker.id
    assert [r.number for r in article.revisions] == [1]


def test_create_from_html_extracts_the_body_and_keeps_the_page(api):
    html = gzip.decompress(WEB[0].read_bytes())
    response = api.post("/articles", {"html": html.decode("utf-8", errors="replace")})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    article = db.session.get(Article, body["id"])
    assert len(article.text) > 200 and article.source_html
    assert body["title"]  # from the page's metadata


@pytest.mark.parametrize("body, field", [
    ({}, "text"),
    ({"text": "a", "url": "https://example.org/"}, "text"),
    ({"text": "   \n\n  "}, "text"),
    ({"text": "x", "published_at": "18 March"}, "published_at"),
    ({"text": "x", "colour": "red"}, "colour"),
])
def test_create_refuses_bad_bodies_with_422_and_stores_nothing(api, body, field):
    response = api.post("/articles", body)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert field in error["fields"] and error["message"]
    assert _count(Article) == 0


def test_create_refuses_text_over_the_limit_with_413(api, app):
    app.config["MAX_ARTICLE_CHARS"] = 1000
    response = api.post("/articles", {"text": "word " * 400})
    assert response.status_code == 413
    assert "limit is 1,000" in response.get_json()["error"]["message"]
    assert _count(Article) == 0


def test_url_import_refuses_loopback_when_private_fetch_is_off(api, app):
    assert app.config["FACTDESK_ALLOW_PRIVATE_FETCH"] is False
    response = api.post("/articles", {"url": "http://localhost:9/article"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "fetch_failed" and "loopback" in error["message"]
    assert _count(Article) == 0


@pytest.fixture
def article(api):
    return api.post("/articles", {"text": SEED_TEXT, "title": "Munitions"}).get_json()


def test_highlight_by_offsets_answers_the_claim_shape(api, article):
    text = article["text"]
    quote = "69 launches"
    start = text.index(quote)
    response = api.post(f"/articles/{article['id']}/claims",
                        {"start": start, "end": start + len(quote), "summary": "69 launches in 2022",
                         "claimant": "Jung Pak", "claimed_at": "2024-03-18"})
    assert response.status_code == 201
    claim = response.get_json()
    assert claim["anchor"]["start"] == start and claim["anchor"]["quote"] == quote
    assert claim["anchor"]["state"] == "anchored" and claim["status"] == "new"
    assert claim["anchor"]["prefix"] == text[start - 32:start]
    assert claim["anchor"]["suffix"] == text[start + 11:start + 43]
    assert claim["claimant"] == "Jung Pak" and claim["claimed_at"] == "2024-03-18"
    row = db.session.get(Claim, claim["id"])
    assert row.quote == quote
    assert db.session.get(Article, article["id"]).claim_count == 1


def test_a_repeated_quote_answers_409_ambiguous_with_each_occurrence(api, article):
    text = article["text"]
    quote = "North Korea"
    response = api.post(f"/articles/{article['id']}/claims", {"quote": quote})
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "ambiguous_quote"
    occurrences = error["fields"]["occurrences"]
    assert len(occurrences) == text.count(quote) > 1
    for o in occurrences:
        assert text[o["start"]:o["end"]] == quote and text[:o["start"]].endswith(o["prefix"])
    # the prefix of one occurrence picks it
    pick = occurrences[2]
    response = api.post(f"/articles/{article['id']}/claims", {"quote": quote, "prefix": pick["prefix"],
                                                             "suffix": pick["suffix"]})
    assert response.status_code == 201
    assert response.get_json()["anchor"]["start"] == pick["start"]
    assert _count(Claim) == 1


def test_the_same_highlight_twice_answers_409_duplicate(api, article):
    body = {"quote": "In 2022 alone, they have conducted 69 launches"}
    assert api.post(f"/articles/{article['id']}/claims", body).status_code == 201
    response = api.post(f"/articles/{article['id']}/claims", body)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "duplicate_highlight"
    assert _count(Claim) == 1


def test_a_quote_not_in_the_text_answers_422(api, article):
    response = api.post(f"/articles/{article['id']}/claims", {"quote": "North Korea sent 20,000 containers"})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "quote_not_found"


def test_put_revises_and_answers_every_claims_anchor_state(api, article):
    aid, text = article["id"], article["text"]
    kept = api.post(f"/articles/{aid}/claims", {"quote": "In 2022 alone, they have conducted 69 launches"}).get_json()
    edited = api.post(f"/articles/{aid}/claims",
                      {"quote": "the previous estimate of 7,000 containers given by the South Korean defense chief"}
                      ).get_json()
    gone = api.post(f"/articles/{aid}/claims", {"quote": "a minimum of 10 occurrences"}).get_json()
    new_text = ("Editor’s note: updated.\n\n" + text)
    new_text = new_text.replace("the previous estimate of 7,000 containers given by the South Korean defense chief",
                                "the previous estimate of 7,000 containers given by South Korea's defense chief")
    new_text = new_text.replace("there have been a minimum of 10 occurrences where North Korean missiles were deployed",
                                "North Korean missiles were used")
    response = api.put(f"/articles/{aid}", {"text": new_text, "note": "publisher update", "revision": 1})
    assert response.status_code == 200
    body = response.get_json()
    assert body["revision"] == 2 and body["text"] == new_text
    states = {c["id"]: c["anchor"] for c in body["claims"]}
    assert states[kept["id"]]["state"] == "moved"
    assert new_text[states[kept["id"]]["start"]:states[kept["id"]]["end"]] == kept["anchor"]["quote"]
    assert states[edited["id"]]["state"] == "fuzzy"
    assert states[edited["id"]]["previous_quote"] == edited["anchor"]["quote"]
    assert states[gone["id"]]["state"] == "orphaned" and states[gone["id"]]["quote"] == gone["anchor"]["quote"]
    assert body["anchor_states"] == {"moved": 1, "fuzzy": 1, "orphaned": 1}
    assert _count(Claim) == 3
    history = db.session.execute(select(ClaimHistory).where(ClaimHistory.action == "reanchored")).scalars().all()
    assert {h.claim_id for h in history} == {kept["id"], edited["id"], gone["id"]}
    # a second PUT from the same base revision is stale
    stale = api.put(f"/articles/{aid}", {"text": text, "revision": 1})
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "stale_revision"


def test_revisions_list_and_read(api, article, checker):
    aid = article["id"]
    api.put(f"/articles/{aid}", {"text": article["text"] + "\n\nCorrection appended.", "note": "correction"})
    listing = api.get(f"/articles/{aid}/revisions").get_json()
    assert listing["total"] == 2 and [r["number"] for r in listing["items"]] == [2, 1]
    assert listing["items"][0]["note"] == "correction" and listing["items"][0]["created_by"]["id"] == checker.id
    assert "text" not in listing["items"][0]
    one = api.get(f"/articles/{aid}/revisions/1").get_json()
    assert one["text"] == article["text"]
    assert api.get(f"/articles/{aid}/revisions/3").status_code == 404


def test_annotations_are_a_valid_w3c_collection_with_both_selectors(api, article, app):
    aid, text = article["id"], article["text"]
    for quote in ("In 2022 alone, they have conducted 69 launches", "more than 10,000 containers"):
        api.post(f"/articles/{aid}/claims", {"quote": quote})
    response = api.get(f"/articles/{aid}/annotations")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
    collection = response.get_json()
    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert collection["type"] == "AnnotationCollection" and collection["total"] == 2
    page = collection["first"]
    assert page["type"] == "AnnotationPage"
    for anno in page["items"]:
        assert anno["type"] == "Annotation" and anno["motivation"] == "highlighting"
        selectors = {s["type"]: s for s in anno["target"]["selector"]}
        quote, position = selectors["TextQuoteSelector"], selectors["TextPositionSelector"]
        assert text[position["start"]:position["end"]] == quote["exact"]
        assert anno["target"]["source"].endswith(f"/desk/articles/{aid}")
    Draft202012Validator(W3C_SHAPE).validate(collection)


# The parts of the W3C Web Annotation Data Model this export relies on (annotation-model §3, §4.2).
_selector = {"oneOf": [
    {"type": "object", "required": ["type", "exact"],
     "properties": {"type": {"const": "TextQuoteSelector"}, "exact": {"type": "string", "minLength": 1},
                    "prefix": {"type": "string"}, "suffix": {"type": "string"}}},
    {"type": "object", "required": ["type", "start", "end"],
     "properties": {"type": {"const": "TextPositionSelector"}, "start": {"type": "integer", "minimum": 0},
                    "end": {"type": "integer", "minimum": 0}}},
]}
W3C_SHAPE = {
    "type": "object",
    "required": ["@context", "id", "type", "total", "first"],
    "properties": {
        "@context": {"const": "http://www.w3.org/ns/anno.jsonld"},
        "type": {"const": "AnnotationCollection"},
        "first": {"type": "object", "required": ["id", "type", "items"], "properties": {
            "type": {"const": "AnnotationPage"},
            "items": {"type": "array", "items": {
                "type": "object", "required": ["id", "type", "motivation", "target"],
                "properties": {
                    "type": {"const": "Annotation"},
                    "motivation": {"enum": ["highlighting", "assessing"]},
                    "target": {"type": "object", "required": ["source", "selector"], "properties": {
                        "source": {"type": "string", "format": "uri"},
                        "selector": {"type": "array", "minItems": 1, "items": _selector}}},
                }}},
        }},
    },
}


def test_list_articles_is_paginated_without_text(api):
    for n in range(3):
        api.post("/articles", {"text": f"Article number {n}.\n\nIt says things."})
    body = api.get("/articles?per_page=2").get_json()
    assert body["total"] == 3 and body["per_page"] == 2 and len(body["items"]) == 2
    assert "text" not in body["items"][0]
    assert body["items"][0]["title"] == "Article number 2."


def test_unknown_article_is_404(api):
    assert api.get("/articles/999").status_code == 404
    assert api.post("/articles/999/claims", {"quote": "x"}).status_code == 404


def test_article_answers_match_their_published_schemas(api, article, client):
    """The OpenAPI document's schemas describe what the endpoints answer (no drift between them)."""
    from factdesk.api.base import _validator

    doc = client.get("/api/v1/openapi.json").get_json()
    aid = article["id"]
    claim = api.post(f"/articles/{aid}/claims", {"quote": "In 2022 alone, they have conducted 69 launches"})
    answers = [
        ("/articles/{article_id}/claims", "post", "201", claim.get_json()),
        ("/articles/{article_id}", "get", "200", api.get(f"/articles/{aid}").get_json()),
        ("/articles/{article_id}", "put", "200", api.put(f"/articles/{aid}",
                                                         {"text": article["text"] + "\n\nMore."}).get_json()),
        ("/articles", "get", "200", api.get("/articles").get_json()),
        ("/articles/{article_id}/revisions", "get", "200", api.get(f"/articles/{aid}/revisions").get_json()),
        ("/articles/{article_id}/revisions/{number}", "get", "200", api.get(f"/articles/{aid}/revisions/2").get_json()),
        ("/articles/{article_id}/annotations", "get", "200", api.get(f"/articles/{aid}/annotations").get_json()),
    ]
    for path, method, status, body in answers:
        content = doc["paths"]["/api/v1" + path][method]["responses"][status]["content"]
        schema = next(iter(content.values()))["schema"]
        errors = list(_validator(schema).iter_errors(body))
        assert errors == [], (path, method, [e.message for e in errors][:3])
