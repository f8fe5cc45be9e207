"""W3C Web Annotation export of an article's claims."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from factdesk.articles.anchoring import anchor_at
from factdesk.articles.annotations import ANNO_CONTEXT, annotation_collection

TEXT = "The minister said 40% of units were ready. Critics said 🎉 it was “far fewer”."
WHEN = datetime(2024, 3, 18, 9, 30)


def claim(id, quote, *, rating=None, summary=None, state="anchored"):
    s = TEXT.index(quote)
    a = anchor_at(TEXT, s, s + len(quote))
    return SimpleNamespace(
        id=id, anchor_start=a.start, anchor_end=a.end, quote=a.quote, prefix=a.prefix,
        suffix=a.suffix, anchor_state=state,
        rating=SimpleNamespace(label=rating) if rating else None, summary=summary,
        created_at=WHEN, updated_at=WHEN + timedelta(hours=2))


ARTICLE = SimpleNamespace(id=7, title="Munitions", source_url="https://news.example/a")


def test_collection_shape():
    coll = annotation_collection(ARTICLE, [claim(1, "40% of units were ready")],
                                 "https://desk.example/")
    assert coll["@context"] == ANNO_CONTEXT
    assert coll["type"] == "AnnotationCollection"
    assert coll["id"] == "https://desk.example/api/v1/articles/7/annotations"
    assert coll["label"] == "Munitions" and coll["total"] == 1
    page = coll["first"]
    assert page["type"] == "AnnotationPage" and page["startIndex"] == 0
    assert coll["last"] == page["id"] and page["partOf"] == coll["id"]
    assert len(page["items"]) == 1
    json.dumps(coll)  # plain JSON all the way down


def test_unrated_claim_is_a_highlighting_with_both_selectors():
    c = claim(1, "40% of units were ready", summary="Share of units ready")
    [anno] = annotation_collection(ARTICLE, [c], "https://desk.example")["first"]["items"]
    assert anno["id"] == "https://desk.example/desk/claims/1"
    assert anno["type"] == "Annotation" and anno["motivation"] == "highlighting"
    assert anno["created"] == "2024-03-18T09:30:00Z" and anno["modified"] == "2024-03-18T11:30:00Z"
    assert anno["body"] == {"type": "TextualBody", "purpose": "describing",
                            "value": "Share of units ready", "format": "text/plain"}
    target = anno["target"]
    assert target["source"] == "https://desk.example/desk/articles/7"
    assert target["scope"] == "https://news.example/a"
    quote, position = target["selector"]
    assert quote == {"type": "TextQuoteSelector", "exact": "40% of units were ready",
                     "prefix": "The minister said ", "suffix": ". Critics said 🎉 it was “far few"}
    assert position == {"type": "TextPositionSelector", "start": 18, "end": 41}
    assert TEXT[position["start"]:position["end"]] == quote["exact"]


def test_rated_claim_is_assessing_with_the_verdict_in_the_body():
    c = claim(2, "“far fewer”.", rating="mostly-false", summary="Critics' count")
    [anno] = annotation_collection(ARTICLE, [c], "https://desk.example")["first"]["items"]
    assert anno["motivation"] == "assessing"
    assert anno["body"][0] == {"type": "TextualBody", "purpose": "assessing",
                               "value": "mostly-false", "format": "text/plain"}
    assert anno["body"][1]["purpose"] == "describing"
    position = anno["target"]["selector"][1]
    assert TEXT[position["start"]:position["end"]] == "“far fewer”."  # code points past the emoji
    assert "suffix" not in anno["target"]["selector"][0]  # empty at the end of the text


def test_orphaned_claim_keeps_only_its_quote():
    c = claim(3, "Critics said", state="orphaned")
    [anno] = annotation_collection(ARTICLE, [c], "https://desk.example")["first"]["items"]
    assert [s["type"] for s in anno["target"]["selector"]] == ["TextQuoteSelector"]
    assert anno["target"]["selector"][0]["exact"] == "Critics said"
    assert "body" not in anno


def test_aware_datetimes_are_given_in_utc_and_urls_can_be_overridden():
    c = claim(4, "minister")
    c.created_at = datetime(2024, 3, 18, 11, 0, tzinfo=timezone(timedelta(hours=2)))
    coll = annotation_collection(
        SimpleNamespace(id=7), [c], "https://desk.example",
        claim_url=lambda x: f"https://pub.example/checks/{x.id}",
        target_url=lambda x: "https://pub.example/articles/7")
    [anno] = coll["first"]["items"]
    assert anno["created"] == "2024-03-18T09:00:00Z"
    assert anno["id"] == "https://pub.example/checks/4"
    assert anno["target"]["source"] == "https://pub.example/articles/7"
    assert "scope" not in anno["target"] and "label" not in coll


def test_empty_article_has_an_empty_page():
    coll = annotation_collection(ARTICLE, [], "https://desk.example")
    assert coll["total"] == 0 and coll["first"]["items"] == []
