"""The annotation export against the W3C Web Annotation test suite's own JSON Schemas
(tests/data/web-annotation-tests, copied from w3c/web-annotation-tests with its licence).

Each assertion of the suite's "musts" lists is a draft-04 schema that must validate; a collection is
checked by the collection and the page lists (the page embedded as ``first``), each annotation by the
annotation list, taken alone as a client would store it (with the collection's ``@context``)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tests.support.factories import ArticleFactory, ClaimFactory, to_state, token_for

SUITE = Path(__file__).resolve().parents[1] / "data" / "web-annotation-tests"
BASE = "https://w3c.example/web-annotation-tests/"


def _registry() -> Registry:
    """Every schema file under the URI the suite's relative `$ref`s resolve to (its folder's file name)."""
    registry = Registry()
    for path in (SUITE / "definitions").glob("*.json"):
        resource = Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT4)
        registry = registry.with_resource(BASE + path.name, resource)
    return registry


REGISTRY = _registry()


def _assertions(test_list: str) -> list[Path]:
    listed = json.loads((SUITE / test_list).read_text())["assertions"]
    return [SUITE / name for name in listed]


def failures(document: dict, assertions: list[Path]) -> list[str]:
    """The suite's error message of every assertion the document does not meet."""
    failed = []
    for path in assertions:
        schema = json.loads(path.read_text())
        uri = BASE + path.name  # the assertion's relative `$ref`s resolve beside the definitions
        registry = REGISTRY.with_resource(uri, Resource.from_contents(schema, default_specification=DRAFT4))
        validator = Draft4Validator({"$ref": uri}, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER)
        valid = validator.is_valid(document)
        if valid != (schema.get("expectedResult", "valid") == "valid"):
            failed.append(f"{path.name}: {schema.get('errorMessage', schema.get('title'))}")
    return failed


COLLECTION_MUSTS = _assertions("collections/collectionMusts.test")
PAGE_MUSTS = _assertions("collections/pages/pageMusts.test")
ANNOTATION_MUSTS = _assertions("annotations/annotationMusts.test")
PROMISED = [SUITE / "collections/5.1-collectionLastImplemented.json",
            SUITE / "collections/pages/5.2-pagePartOfImplemented.json"]


def test_the_suite_rejects_what_it_should():
    """The schemas bite: a collection without `last` or `partOf` misses the promised keys, a bad id fails."""
    assert len(COLLECTION_MUSTS) >= 8 and len(PAGE_MUSTS) >= 10 and len(ANNOTATION_MUSTS) >= 40
    bare = {"@context": "http://www.w3.org/ns/anno.jsonld", "id": "https://desk.example/c",
            "type": "AnnotationCollection",
            "total": 0, "first": {"id": "https://desk.example/c#1", "type": "AnnotationPage", "items": []}}
    assert len(failures(bare, PROMISED)) == 2
    assert failures({**bare, "id": "not a uri"}, COLLECTION_MUSTS)
    assert failures({"id": "https://a.example/1", "type": "Annotation"}, ANNOTATION_MUSTS)  # no @context, no target


@pytest.fixture
def export(client, checker, editor):
    """An article with an unrated claim, a rated one and a published check."""
    article = ArticleFactory(by=checker, title="Readiness",
                             text="The minister said 40% of units were ready in 2022. "
                                  "Critics said far fewer were ready. The ministry said 12 bridges closed.")
    ClaimFactory(article=article, by=checker, quote="40% of units were ready")
    rated = ClaimFactory(article=article, by=checker, quote="far fewer were ready",
                         summary="Far fewer units were ready")
    from factdesk.claims import editing, workflow

    workflow.transition(rated, "researching", checker)
    editing.update_claim(rated, checker, {"rating": "mostly-true"}, rated.version)
    published = to_state(ClaimFactory(article=article, by=checker, quote="12 bridges closed"), "published", checker,
                         editor)
    answer = client.get(f"/api/v1/articles/{article.id}/annotations", headers=token_for(checker))
    assert answer.status_code == 200
    return answer.get_json(), published


def test_collection_and_page_meet_every_must_and_the_promised_keys(export):
    collection, _ = export
    assert failures(collection, COLLECTION_MUSTS) == []
    assert failures(collection, PAGE_MUSTS) == []
    assert failures(collection, PROMISED) == []
    assert collection["last"] == collection["first"]["id"] and collection["first"]["partOf"] == collection["id"]


def test_every_annotation_meets_every_must(export):
    collection, _ = export
    items = collection["first"]["items"]
    assert len(items) == 3
    for item in items:
        assert failures({"@context": collection["@context"], **item}, ANNOTATION_MUSTS) == [], item["id"]


def test_a_published_check_points_at_pages_a_reader_can_open(export, client):
    collection, published = export
    by_motivation = {}
    for item in collection["first"]["items"]:
        by_motivation.setdefault(item["motivation"], []).append(item)
    [public] = [i for i in collection["first"]["items"] if re.search(rf"/checks/{published.id}\b", i["id"])]
    assert public["motivation"] == "assessing"
    for url in (public["id"], public["target"]["source"]):
        assert url.startswith("http://localhost/")
        assert client.get(url, follow_redirects=True).status_code == 200  # no login: a reader opens it
    others = [i for i in collection["first"]["items"] if i is not public]
    assert all("/desk/claims/" in i["id"] and "/desk/articles/" in i["target"]["source"] for i in others)
    assert {i["motivation"] for i in others} == {"highlighting", "assessing"}
