"""schema.org ClaimReview on every published check (DESIGN.md §7), and the checks before publishing."""
from __future__ import annotations

import json
import re
from datetime import date, datetime

import pytest

from factdesk.claims import workflow
from factdesk.errors import ValidationError
from factdesk.extensions import db
from factdesk.public.claimreview import claimant_type, publish_problems, publish_warnings
from tests.support.addresses import path_of
from tests.support.factories import ArticleFactory, ClaimFactory, move, to_state

TEXT = "The minister said unemployment is at its lowest level in fifty years. Nobody disputes the weather."
BLOCK = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def _json_ld(client, path: str) -> dict:
    html = client.get(path).get_data(as_text=True)
    blocks = BLOCK.findall(html)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def _iso_datetime(value) -> datetime:
    assert isinstance(value, str)
    return datetime.fromisoformat(value)


@pytest.fixture
def story(app, checker):
    made = ArticleFactory(by=checker, title="Jobs report: a record?", text=TEXT, source_url="https://news.example/jobs")
    made.published_at = date(2026, 11, 20)
    db.session.commit()
    return made


def test_check_page_carries_claim_review_with_every_field_of_section_7(app, client, story, checker, editor):
    c = ClaimFactory(article=story, by=checker, quote="unemployment is at its lowest level in fifty years",
                     summary="Unemployment is at a 50-year low.", claimant="Ministry of Labour")
    c.claimed_at = date(2026, 11, 19)
    to_state(c, "published", checker, editor, rating="mostly-false")
    review = _json_ld(client, path_of(app, c))

    assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
    assert review["url"] == f"http://localhost{path_of(app, c)}"
    assert review["claimReviewed"] == "Unemployment is at a 50-year low."
    rating = review["reviewRating"]
    assert rating["@type"] == "Rating"
    assert rating == {"@type": "Rating", "alternateName": "Mostly false", "ratingValue": 2, "bestRating": 5,
                      "worstRating": 1}
    assert all(isinstance(rating[k], int) for k in ("ratingValue", "bestRating", "worstRating"))
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"] == {"@type": "Organization", "name": "Ministry of Labour"}
    assert item["datePublished"] == "2026-11-19"
    appearance = item["appearance"]
    assert appearance["@type"] == "CreativeWork"
    assert appearance["url"] == "https://news.example/jobs" and appearance["headline"] == "Jobs report: a record?"
    assert appearance["datePublished"] == "2026-11-20"
    assert review["author"] == {"@type": "Organization", "name": "Factdesk", "url": "http://localhost/"}
    published = _iso_datetime(review["datePublished"])
    assert published.tzinfo is not None and published.date() == c.published_at.date()
    assert "dateModified" not in review  # never corrected


def test_a_claim_without_its_own_date_was_said_when_its_article_appeared(app, client, story, checker, editor):
    c = ClaimFactory(article=story, by=checker, quote="unemployment is at its lowest level in fifty years",
                     summary="Jobless rate at a 50-year low.")
    assert c.claimed_at is None
    to_state(c, "published", checker, editor, rating="false")
    item = _json_ld(client, path_of(app, c))["itemReviewed"]
    assert item["datePublished"] == "2026-11-20" == item["appearance"]["datePublished"]


def test_the_ratings_page_says_which_ratings_carry_no_numeric_value(client, app):
    page = client.get("/ratings").get_data(as_text=True)
    assert page.count("text-only in ClaimReview") == 2  # misleading and unproven, of the default scale
    assert "no ratingValue, bestRating or worstRating" in page


def test_a_person_claimant_and_a_rating_without_ordinal(app, client, story, checker, editor):
    c = ClaimFactory(article=story, by=checker, quote="unemployment is at its lowest level in fifty years",
                     summary="Jobless rate at a 50-year low.", claimant="Jane Doe")
    to_state(c, "published", checker, editor, rating="misleading")
    review = _json_ld(client, path_of(app, c))
    assert review["itemReviewed"]["author"] == {"@type": "Person", "name": "Jane Doe"}
    assert review["reviewRating"] == {"@type": "Rating", "alternateName": "Misleading"}


def test_claimant_type_reads_bodies_and_acronyms_as_organisations():
    assert claimant_type("NASA") == "Organization"
    assert claimant_type("Department of Health") == "Organization"
    assert claimant_type("Jung Pak") == "Person"


def test_json_ld_cannot_close_its_script_block(app, client, story, checker, editor):
    c = ClaimFactory(article=story, by=checker, quote="unemployment is at its lowest level in fifty years",
                     summary="Low </script><script>alert(1)</script> <!-- & co", claimant="</script>Eve")
    to_state(c, "published", checker, editor)
    html = client.get(path_of(app, c)).get_data(as_text=True)
    block = BLOCK.findall(html)[0]
    assert "<" not in block and ">" not in block
    review = json.loads(block)
    assert review["claimReviewed"] == "Low </script><script>alert(1)</script> <!-- & co"
    assert review["itemReviewed"]["author"]["name"] == "</script>Eve"
    assert "<script>alert(1)" not in html


def test_corrected_check_gains_date_modified(app, client, story, checker, editor):
    c = to_state(ClaimFactory(article=story, by=checker, quote="unemployment is at its lowest level in fifty years",
                              summary="Jobless low."), "published", checker, editor, rating="false")
    move(c, "researching", editor, "New figures from the statistics office.")
    to_state(c, "published", checker, editor, rating="half-true", rationale="The new figures change the picture.")
    review = _json_ld(client, path_of(app, c))
    assert _iso_datetime(review["dateModified"]) >= _iso_datetime(review["datePublished"])
    assert review["reviewRating"]["alternateName"] == "Half true"
    earlier = _json_ld(client, f"{path_of(app, c)}/v/1")
    assert earlier["reviewRating"]["alternateName"] == "False" and "dateModified" not in earlier


@pytest.mark.parametrize("fault, reason", [
    ("claimant", "no claimant"),
    ("summary", "no checkable wording"),
    ("source_url", "no source URL"),
])
def test_publishing_is_refused_when_the_markup_would_lack_a_required_field(app, story, checker, editor, fault, reason):
    c = ClaimFactory(article=story, by=checker, quote="unemployment is at its lowest level in fifty years",
                     summary="Jobless low.")
    # Bring it to approved with everything present, then take one field away.
    workflow.transition(c, "researching", checker)
    from factdesk.claims import editing, evidence

    editing.update_claim(c, checker, {"rating": "false", "rationale": "No."}, c.version)
    evidence.add_evidence(c, checker, {"url": "https://data.example/x", "stance": "refutes"})
    workflow.transition(c, "in_review", checker)
    workflow.transition(c, "approved", editor)
    if fault == "source_url":
        story.source_url = None
    else:
        setattr(c, fault, "")
    db.session.flush()
    assert any(reason in problem for problem in publish_problems(c))
    with pytest.raises(ValidationError) as refused:
        workflow.transition(c, "published", editor)
    assert reason in refused.value.message
    assert refused.value.code == "not_publishable"


def test_complete_claim_has_no_publish_problems_and_long_wording_warns(app, story, checker):
    c = ClaimFactory(article=story, by=checker, quote="unemployment is at its lowest level in fifty years",
                     summary="Short.")
    assert publish_problems(c) == ["It has no rating: the markup needs reviewRating."]
    assert publish_warnings(c) == []
    c.summary = "x" * 76
    assert "76 characters" in publish_warnings(c)[0]


def test_public_claimreviews_api_lists_published_checks_without_a_token(app, client, story, checker, editor):
    published = to_state(ClaimFactory(article=story, by=checker,
                                      quote="unemployment is at its lowest level in fifty years",
                                      summary="Jobless low."), "published", checker, editor, rating="true")
    ClaimFactory(article=story, by=checker, quote="Nobody disputes the weather", summary="Weather.")
    body = client.get("/api/v1/public/claimreviews").get_json()
    assert body["total"] == 1 and body["page"] == 1
    (item,) = body["items"]
    assert item["@type"] == "ClaimReview" and item["claimReviewed"] == "Jobless low."
    assert item["url"].endswith(path_of(app, published))
    assert item["reviewRating"]["ratingValue"] == 5
    assert client.get("/api/v1/public/claimreviews?per_page=101").status_code == 422


def test_public_claimreviews_api_carries_the_appearances_an_editor_made_public(app, client, story, checker, editor,
                                                                              editor2):
    from factdesk.models import Appearance
    from factdesk.monitor import appearances

    published = to_state(ClaimFactory(article=story, by=checker,
                                      quote="unemployment is at its lowest level in fifty years",
                                      summary="Jobless low."), "published", checker, editor, rating="true")
    again = Appearance(claim_id=published.id, url="https://radio.example/interview", title="Morning interview",
                       sentence="Unemployment is at its lowest in fifty years", said_by="Jane Doe", score=0.9)
    db.session.add(again)
    db.session.commit()
    first = client.get("/api/v1/public/claimreviews")
    (item,) = first.get_json()["items"]
    assert item["itemReviewed"]["appearance"]["url"] == "https://news.example/jobs"  # pending: not for readers
    appearances.move(published, again.id, "confirmed", checker)
    db.session.commit()
    unchanged = client.get("/api/v1/public/claimreviews", headers={"If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304  # confirmed by a checker only: not for readers yet
    appearances.move(published, again.id, "public", editor2)
    db.session.commit()
    now = client.get("/api/v1/public/claimreviews", headers={"If-None-Match": first.headers["ETag"]})
    assert now.status_code == 200
    (item,) = now.get_json()["items"]
    said = item["itemReviewed"]["appearance"]
    assert [a["url"] for a in said] == ["https://news.example/jobs", "https://radio.example/interview"]
    assert said[1]["author"] == {"@type": "Person", "name": "Jane Doe"}


def test_desk_claim_page_warns_before_publishing_a_long_claim_reviewed(client, checker, editor, editor2):
    """The 75-character advice shows where an editor publishes, without blocking the move."""
    from factdesk.claims import workflow
    from factdesk.demo import seed_article

    from tests.conftest import login
    from tests.support.factories import SeedClaimFactory, research

    article = seed_article(checker)
    article.source_url = "https://news.example/story"
    claim = research(SeedClaimFactory(article=article, by=checker), checker)
    claim.summary = "North Korea has sent more than ten thousand containers of munitions to Russia, U.S. says."
    workflow.transition(claim, "in_review", checker)
    workflow.transition(claim, "approved", editor)
    db.session.commit()
    login(client, editor2)
    page = client.get(f"/desk/claims/{claim.id}").get_data(as_text=True)
    assert "Before publishing: The wording has" in page
    assert 'value="published"' in page or "Publish" in page
