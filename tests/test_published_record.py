"""The published record (DESIGN.md §13): readers see only what two people approved.

Four eyes per contribution, tokens that act only for their maker, locks by state, corrections that
stay readable, withdrawals that say when and why, rating versions, and what the desk does when the
words under a claim change in its article.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from sqlalchemy import select

from factdesk.articles.revise import revise_article
from factdesk.claims import editing, workflow
from factdesk.extensions import db
from factdesk.models import ApiToken, Claim, ClaimHistory, Notification, Publication, Rating, RatingVersion, Status

from tests.conftest import login, post_form
from tests.support.addresses import path_of
from tests.support.factories import ArticleFactory, ClaimFactory, move, to_state, token_for

ATOM = "{http://www.w3.org/2005/Atom}"
TEXT = ("The minister said 10,000 homes were built last year. Critics disagree.\n\n"
        "The budget rose by 4 percent, the treasury said.")
QUOTE = "10,000 homes were built last year"


def _jsonld(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))


def _published(checker, editor, **kwargs) -> Claim:
    story = ArticleFactory(by=checker, title="Homes built", text=TEXT)
    return to_state(ClaimFactory(article=story, by=checker, quote=QUOTE, summary="10,000 homes were built last year."),
                    "published", checker, editor, **kwargs)


# ---------------------------------------------------------------- four eyes per contribution

def test_split_verdict_is_refused_to_either_contributor_with_four_eyes(client, checker, editor, editor2):
    story = ArticleFactory(by=checker, title="Homes built", text=TEXT)
    c = ClaimFactory(article=story, by=checker, quote=QUOTE)
    workflow.transition(c, "researching", checker)
    editing.update_claim(c, editor, {"rating": "false"}, c.version)          # the editor sets the rating
    editing.update_claim(c, checker, {"rationale": "Records list 6,000."}, c.version)  # the checker writes
    from factdesk.claims.evidence import add_evidence

    add_evidence(c, checker, {"url": "https://stats.example/homes", "title": "Housing statistics"})
    workflow.transition(c, "in_review", checker)
    db.session.commit()
    assert "approved" not in workflow.allowed_moves(c, editor)
    response = client.post(f"/api/v1/claims/{c.id}/transition", headers=token_for(editor), json={"to": "approved"})
    assert response.status_code == 403
    error = response.get_json()["error"]
    assert error["code"] == "four_eyes" and "set this claim's rating or wrote its rationale" in error["message"]
    assert db.session.get(Claim, c.id).status == Status.in_review
    ok = client.post(f"/api/v1/claims/{c.id}/transition", headers=token_for(editor2), json={"to": "approved"})
    assert ok.status_code == 200 and ok.get_json()["status"] == "approved"


def test_four_eyes_start_over_when_the_claim_enters_research_again(client, checker, editor, editor2):
    c = _published(checker, editor)
    move(c, "researching", editor2, "A new source.")
    editing.update_claim(c, editor2, {"rationale": "Records list 6,500."}, c.version)
    workflow.transition(c, "in_review", checker)
    db.session.commit()
    assert workflow.verdict_contributors(c) == {editor2.id}
    assert "approved" in workflow.allowed_moves(c, editor)  # editor's part was before this research
    refused = client.post(f"/api/v1/claims/{c.id}/transition", headers=token_for(editor2), json={"to": "approved"})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "four_eyes"


# ---------------------------------------------------------------- tokens act only for their maker

def test_admin_cannot_make_a_token_for_someone_else(client, admin, checker):
    login(client, admin)
    response = post_form(client, "/admin/tokens", {"user_id": checker.id, "name": "act as the checker"})
    assert response.status_code == 403
    assert "act only for the person who made them" in response.get_data(as_text=True)
    assert db.session.execute(select(ApiToken).where(ApiToken.user_id == checker.id)).first() is None
    own = post_form(client, "/admin/tokens", {"name": "my own"})
    assert own.status_code == 302
    token = db.session.execute(select(ApiToken)).scalar_one()
    assert (token.user_id, token.issued_via) == (admin.id, "app")


def test_token_owner_refusal_is_coded_for_the_domain(app, admin, checker):
    import pytest

    from factdesk.accounts.tokens import issue_own_token
    from factdesk.errors import PermissionDenied

    with pytest.raises(PermissionDenied) as refused:
        issue_own_token(admin, "impersonation", checker.id)
    assert refused.value.code == "token_owner" and refused.value.status == 403


def test_cli_token_is_recorded_as_the_operators_and_shown_so(runner, client, admin, checker):
    result = runner.invoke(args=["users", "token", checker.email, "--name", "cms"])
    assert result.exit_code == 0, result.output
    token = db.session.execute(select(ApiToken).where(ApiToken.user_id == checker.id)).scalar_one()
    assert token.issued_via == "cli"
    login(client, admin)
    assert "made by the server's operator" in client.get("/admin/tokens").get_data(as_text=True)


# ---------------------------------------------------------------- locks by state

def test_retag_of_a_published_claim_is_refused_as_locked(client, checker, editor, admin):
    c = _published(checker, editor, tags=["housing"])
    for who in (checker, editor, admin):
        response = client.patch(f"/api/v1/claims/{c.id}", headers=token_for(who, f"t{who.id}"),
                                json={"version": db.session.get(Claim, c.id).version, "tags": ["economy"]})
        assert response.status_code == 409, who
        error = response.get_json()["error"]
        assert error["code"] == "locked" and "tags" in error["message"] and "reopens it" in error["message"]
    assert db.session.get(Claim, c.id).tags == ["housing"]


def test_evidence_duplicate_reattach_and_confirm_are_locked_while_published(client, checker, editor):
    c = _published(checker, editor)
    other = ClaimFactory(article=c.article, by=checker, quote="The budget rose by 4 percent")
    headers = token_for(editor)
    added = client.post(f"/api/v1/claims/{c.id}/evidence", headers=headers, json={"url": "https://x.example/a"})
    assert added.status_code == 409 and added.get_json()["error"]["code"] == "locked"
    login(client, editor)
    dup = post_form(client, f"/desk/claims/{c.id}/duplicate", {"original": other.id}, follow_redirects=True)
    assert "duplicate link is locked for everyone" in dup.get_data(as_text=True)
    moved = post_form(client, f"/desk/articles/{c.article_id}/claims/{c.id}/reattach", {"quote": "Critics disagree"})
    assert moved.status_code == 409 and "locked for everyone" in moved.get_data(as_text=True)
    assert db.session.get(Claim, c.id).quote == QUOTE
    assert db.session.get(Claim, c.id).duplicate_of_id is None


# ---------------------------------------------------------------- the article changes under a claim

def test_published_check_keeps_its_quote_when_the_article_changes_and_is_flagged(app, client, checker, editor):
    c = _published(checker, editor)
    path = path_of(app, c)
    before = client.get(path).get_data(as_text=True)
    revise_article(c.article, TEXT.replace("10,000", "11,000"), checker)
    db.session.commit()
    page = client.get(path).get_data(as_text=True)
    assert _jsonld(page) == _jsonld(before) and QUOTE in page and "11,000" not in page
    fresh = db.session.get(Claim, c.id)
    assert fresh.article_changed_at is not None and fresh.status == Status.published
    notes = db.session.execute(select(Notification).where(Notification.kind == "article_changed")).scalars().all()
    assert {n.user_id for n in notes} >= {checker.id, editor.id}
    assert all("the text now says" in n.message and QUOTE in n.message for n in notes)
    login(client, editor)
    desk = client.get(f"/desk/claims/{c.id}").get_data(as_text=True)
    assert "The article changed under a published check" in desk and "11,000 homes" in desk
    queue = client.get("/api/v1/claims?changed=1", headers=token_for(editor)).get_json()
    assert [item["id"] for item in queue["items"]] == [c.id]
    confirm = post_form(client, f"/desk/articles/{c.article_id}/claims/{c.id}/confirm", follow_redirects=True)
    assert "locked for everyone" in confirm.get_data(as_text=True)


def test_claim_in_review_whose_words_change_goes_back_with_the_desks_note(client, checker, editor):
    story = ArticleFactory(by=checker, title="Homes built", text=TEXT)
    c = ClaimFactory(article=story, by=checker, quote=QUOTE)
    from tests.support.factories import research

    research(c, checker)
    workflow.transition(c, "in_review", checker)
    db.session.commit()
    revise_article(story, TEXT.replace("10,000", "11,000"), checker)
    db.session.commit()
    fresh = db.session.get(Claim, c.id)
    assert fresh.status == Status.changes_requested
    entry = db.session.execute(select(ClaimHistory).where(ClaimHistory.claim_id == c.id, ClaimHistory.action ==
                                                          "transition").order_by(ClaimHistory.id.desc())).scalars().first()
    assert entry.by_id is None and entry.after == "changes_requested"
    assert QUOTE in entry.comment and "11,000 homes" in entry.comment


# ---------------------------------------------------------------- correction and withdrawal

def test_withdrawn_check_answers_410_with_date_and_reason_and_leaves_the_sitemap(app, client, checker, editor):
    c = _published(checker, editor)
    path = path_of(app, c)
    reason = "The minister's office withdrew the figures it quoted."
    response = client.post(f"/api/v1/claims/{c.id}/transition", headers=token_for(editor),
                           json={"to": "withdrawn", "comment": reason})
    assert response.status_code == 200
    for url in (path, f"/checks/{c.id}", f"/checks/{c.id}/v/1"):
        gone = client.get(url)
        assert gone.status_code == 410, url
        text = gone.get_data(as_text=True)
        assert reason.replace("'", "&#39;") in text
        assert db.session.get(Claim, c.id).updated_at.strftime("%-d %B %Y") in text
        assert "Records show" not in text
    assert f"/checks/{c.id}-" not in client.get("/sitemap.xml").get_data(as_text=True)
    feed = ET.fromstring(client.get("/feed.atom").get_data())
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert titles == ["Withdrawn: 10,000 homes were built last year."]
    assert "withdrew this check" in client.get("/feed.atom").get_data(as_text=True)
    corrections = client.get("/corrections").get_data(as_text=True)
    assert "Withdrawn checks" in corrections and reason.replace("'", "&#39;") in corrections
    assert client.get("/api/v1/public/claimreviews").get_json()["items"] == []
    assert client.get("/").get_data(as_text=True).count("10,000 homes were built") == 0


def test_a_published_claim_is_withdrawn_not_discarded(client, checker, editor):
    c = _published(checker, editor)
    move(c, "researching", editor, "Checking again.")
    refused = client.post(f"/api/v1/claims/{c.id}/transition", headers=token_for(editor),
                          json={"to": "discarded", "comment": "Not needed."})
    assert refused.status_code == 409 and "Withdraw it" in refused.get_json()["error"]["message"]


def test_reopen_form_tells_the_editor_where_readers_see_the_reason(client, checker, editor):
    c = _published(checker, editor)
    login(client, editor)
    page = client.get(f"/desk/claims/{c.id}").get_data(as_text=True)
    assert "shown to them only in the correction" in page and "Its public page" in page


# ---------------------------------------------------------------- the rating scale keeps versions

def test_renaming_or_reordering_a_rating_never_reaches_published_checks(app, client, checker, editor, admin):
    c = _published(checker, editor, rating="false")
    path = path_of(app, c)
    before = _jsonld(client.get(path).get_data(as_text=True))
    assert before["reviewRating"] == {"@type": "Rating", "alternateName": "False", "ratingValue": 1,
                                      "bestRating": 5, "worstRating": 1}
    false = db.session.execute(select(Rating).where(Rating.label == "false")).scalar_one()
    login(client, admin)
    renamed = post_form(client, f"/admin/ratings/{false.id}", {"label": "false", "name": "Wrong", "colour": "#b3261e",
                                                               "definition": "Not so.", "ordinal": "1", "active": "y"})
    assert renamed.status_code == 302
    versions = db.session.execute(select(RatingVersion).where(RatingVersion.rating_id == false.id)
                                  .order_by(RatingVersion.number)).scalars().all()
    assert [(v.number, v.name) for v in versions] == [(1, "False"), (2, "Wrong")]
    assert _jsonld(client.get(path).get_data(as_text=True)) == before
    assert "Wrong" in client.get("/ratings").get_data(as_text=True)


def test_an_ordinal_that_does_not_fit_the_scale_is_refused_with_a_clear_message(client, admin):
    false = db.session.execute(select(Rating).where(Rating.label == "false")).scalar_one()
    login(client, admin)
    for ordinal, words in (("9", "does not fit the scale"), ("4", "Ordinal 4 is Mostly true")):
        response = post_form(client, f"/admin/ratings/{false.id}", {
            "label": "false", "name": "False", "colour": "#b3261e", "ordinal": ordinal, "active": "y"})
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert words in page and f'value="{ordinal}"' in page
    assert db.session.get(Rating, false.id).ordinal == 1


def test_publication_freezes_everything_a_reader_sees(app, client, checker, editor):
    c = _published(checker, editor, tags=["housing"])
    pub = db.session.execute(select(Publication).where(Publication.claim_id == c.id)).scalar_one()
    assert (pub.quote, pub.claimant, pub.article_title, pub.tags) == (QUOTE, "Jane Doe", "Homes built", ["housing"])
    assert pub.rating.label == "false" and (pub.scale_best, pub.scale_worst) == (5, 1)
    assert [e["url"] for e in pub.evidence] == ["https://data.example/records"]
    assert pub.rebuilt_from is None


def test_public_search_snippets_are_text_not_markdown(client, checker, editor):
    _published(checker, editor, rationale="The **housing registry** lists [6,000](https://x.example) homes.")
    page = client.get("/?q=registry").get_data(as_text=True)
    snippet = re.search(r'<p class="snippet">(.*?)</p>', page, re.S).group(1)
    assert "<mark>registry</mark>" in snippet and "**" not in snippet and "](" not in snippet


def test_a_locked_claim_page_offers_save_only_to_whoever_can_still_change_something(client, checker, editor):
    published = _published(checker, editor)
    login(client, checker)
    page = client.get(f"/desk/claims/{published.id}").get_data(as_text=True)
    assert "locked for everyone" in page and "Save changes" not in page  # nothing left for a checker to change
    as_editor = login(client.application.test_client(), editor)
    page = as_editor.get(f"/desk/claims/{published.id}").get_data(as_text=True)
    assert 'id="priority"' in page and "Save changes" in page  # an editor still sets priority and due date


def test_the_rationale_is_rendered_and_sanitised_once_when_published_and_the_page_shows_that(app, client, checker,
                                                                                             editor):
    c = _published(checker, editor, rationale="The **registry** lists [6,000](https://x.example) homes."
                                              "<script>alert(1)</script> [bad](javascript:alert(2))")
    pub = db.session.execute(select(Publication).where(Publication.claim_id == c.id)).scalar_one()
    assert "<strong>registry</strong>" in pub.rationale_html
    assert '<a href="https://x.example" rel="nofollow noopener">6,000</a>' in pub.rationale_html
    assert "&lt;script&gt;" in pub.rationale_html and "<script" not in pub.rationale_html
    assert 'href="javascript:' not in pub.rationale_html
    page = client.get(path_of(app, c)).get_data(as_text=True)
    prose = re.search(r'<div class="prose">(.*?)</div>', page, re.S).group(1)
    assert prose == pub.rationale_html
    feed = client.get("/feed.atom").get_data(as_text=True)
    assert "&lt;strong&gt;registry&lt;/strong&gt;" in feed


def test_a_publication_written_without_its_rationale_html_is_rendered_when_read(app):
    # Rows published before migration 0031 keep NULL (publications are append-only): the page renders them.
    from types import SimpleNamespace

    from factdesk.public.reading import rationale_shown

    old = SimpleNamespace(rationale="A *careful* reading. <b>bold</b>", rationale_html=None)
    assert rationale_shown(old) == "<p>A <em>careful</em> reading. &lt;b&gt;bold&lt;/b&gt;</p>\n"
    stored = SimpleNamespace(rationale="ignored", rationale_html="<p>as published</p>")
    assert rationale_shown(stored) == "<p>as published</p>"
