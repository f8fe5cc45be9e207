"""'Checked before?': earlier claims that say the same thing, found by full-text ranking and figures."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from factdesk.articles.service import create_article
from factdesk.assist.duplicates import mark_duplicate
from factdesk.errors import ConflictError, ValidationError
from factdesk.claims.highlight import add_claim, locate
from factdesk.assist.similar import features, pair_score, similar_claims
from factdesk.demo.claims import seed_claims
from factdesk.extensions import db
from factdesk.models import Claim, ClaimHistory, Role, Status

from tests.conftest import login, post_form
from tests.support.factories import token_for

SECOND_TEXT = ("Officials in Washington repeated on Tuesday that North Korea shipped over 10,000 containers of "
               "munitions to Russia. Analysts said the figure could rise.\n\n"
               "Separately, South Korea reported 7,000 containers in an earlier estimate.")


def _seeded(seed_article, checker, editor):
    claims = seed_claims(seed_article, {Role.checker: checker, Role.editor: editor})
    db.session.commit()
    return claims


def _second_claim(checker, quote="North Korea shipped over 10,000 containers of munitions to Russia"):
    article = create_article(text=SECOND_TEXT, by=checker, title="Washington repeats munitions figure")
    claim = add_claim(article, checker, locate(article, quote=quote))
    db.session.commit()
    return claim


def test_same_figure_in_other_words_ranks_the_seed_claim_first(seed_article, checker, editor):
    seeded = _seeded(seed_article, checker, editor)
    ten_thousand = next(c for c in seeded if "10,000" in c.quote)
    new = _second_claim(checker)
    found = similar_claims(new)
    assert found, "no similar claim found"
    assert found[0][0].id == ten_thousand.id
    assert all(c.id != new.id for c, _ in found)
    # The 7,000 estimate is about the same subject but a different figure: it ranks below.
    ids = [c.id for c, _ in found]
    seven = next(c for c in seeded if "7,000" in c.quote)
    if seven.id in ids:
        assert ids.index(seven.id) > 0


def test_figures_are_matched_whatever_their_spelling():
    a = features("sent 10,000 containers")
    b = features("10000 containers were sent")
    assert a.numbers == b.numbers == frozenset({"10000"})
    assert features("1.5 million people").numbers == features("1,500,000 people").numbers
    assert pair_score(a, b) > pair_score(a, features("sent 7,000 containers"))


def test_unrelated_text_finds_nothing(seed_article, checker, editor):
    _seeded(seed_article, checker, editor)
    assert similar_claims("Tomatoes ripen faster in a paper bag with a banana") == []


def test_only_earlier_claims_are_listed(seed_article, checker, editor):
    seeded = _seeded(seed_article, checker, editor)
    _second_claim(checker)
    ten_thousand = next(c for c in seeded if "10,000" in c.quote)
    assert all(c.id < ten_thousand.id for c, _ in similar_claims(ten_thousand))


def test_api_lists_similar_claims_best_first(client, seed_article, checker, editor):
    seeded = _seeded(seed_article, checker, editor)
    new = _second_claim(checker)
    response = client.get(f"/api/v1/claims/{new.id}/similar", headers=token_for(checker))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    first = body["items"][0]
    assert first["claim"]["id"] == next(c.id for c in seeded if "10,000" in c.quote)
    assert first["claim"]["status"] == "published"  # the demo seed walks this claim to published
    assert 0 < first["score"] <= 1
    assert client.get(f"/api/v1/claims/{new.id}/similar").status_code == 401
    assert client.get("/api/v1/claims/999999/similar", headers=token_for(checker)).status_code == 404


def test_claim_page_lists_similar_claims_with_state_and_rating(client, seed_article, checker, editor):
    seeded = _seeded(seed_article, checker, editor)
    ten_thousand = next(c for c in seeded if "10,000" in c.quote)
    new = _second_claim(checker)
    login(client, checker)
    page = client.get(f"/desk/claims/{new.id}").get_data(as_text=True)
    assert "Checked before?" in page
    section = page[page.index('id="similar"'):]
    first = section.index('<li id="similar-')
    assert section[first:].startswith(f'<li id="similar-{ten_thousand.id}"')
    assert "status-published" in section[first:first + 800] and "rating-mostly-true" in section[first:first + 800]


def test_mark_duplicate_links_records_history_and_editor_discards_with_the_reason(client, seed_article, checker,
                                                                                   editor):
    seeded = _seeded(seed_article, checker, editor)
    original = next(c for c in seeded if "10,000" in c.quote)
    new = _second_claim(checker)
    login(client, checker)
    response = post_form(client, f"/desk/claims/{new.id}/duplicate", {"original": original.id})
    assert response.status_code == 302
    db.session.rollback()
    claim = db.session.get(Claim, new.id)
    assert claim.duplicate_of_id == original.id
    entry = db.session.execute(select(ClaimHistory).where(ClaimHistory.claim_id == new.id,
                                                          ClaimHistory.field == "duplicate_of")).scalar_one()
    assert entry.after == original.id and entry.by_id == checker.id
    # A checker may not discard: the page does not offer it, and the workflow refuses it.
    page = client.get(f"/desk/claims/{new.id}").get_data(as_text=True)
    assert "Marked as a duplicate of" in page and "Discard this claim" not in page

    editor_client = client.application.test_client()
    login(editor_client, editor)
    page = editor_client.get(f"/desk/claims/{new.id}").get_data(as_text=True)
    assert f"Discard this claim as “duplicate of claim {original.id}”" in page
    response = post_form(editor_client, f"/desk/claims/{new.id}/duplicate", {"original": original.id, "discard": "1"})
    assert response.status_code == 302
    db.session.rollback()
    claim = db.session.get(Claim, new.id)
    assert claim.status == Status.discarded
    move = db.session.execute(select(ClaimHistory).where(ClaimHistory.claim_id == new.id,
                                                         ClaimHistory.action == "transition")).scalars().all()[-1]
    assert move.after == "discarded" and move.comment == f"duplicate of claim {original.id}"


def test_duplicate_of_itself_or_in_a_loop_is_refused(seed_article, checker, editor):
    seeded = _seeded(seed_article, checker, editor)
    original = next(c for c in seeded if "10,000" in c.quote)
    new = _second_claim(checker)
    with pytest.raises(ValidationError):
        mark_duplicate(new, new, checker)
    mark_duplicate(new, original, checker)
    with pytest.raises(ConflictError):
        mark_duplicate(original, new, editor)


def test_copy_evidence_copies_links_with_history(client, seed_article, checker, editor):
    seeded = _seeded(seed_article, checker, editor)
    original = next(c for c in seeded if "10,000" in c.quote)
    urls = sorted(e.url for e in original.evidence)
    new = _second_claim(checker)
    login(client, checker)
    page = client.get(f"/desk/claims/{new.id}").get_data(as_text=True)
    assert "Copy its evidence" in page
    response = post_form(client, f"/desk/claims/{new.id}/copy-evidence", {"source": original.id})
    assert response.status_code == 302
    db.session.rollback()
    claim = db.session.get(Claim, new.id)
    assert sorted(e.url for e in claim.evidence) == urls and claim.evidence_count == len(urls)
    actions = [h.action for h in claim.history]
    assert actions.count("evidence_added") == len(urls) and "evidence_copied" in actions
    # Twice: nothing left to copy, said plainly, nothing added.
    response = post_form(client, f"/desk/claims/{new.id}/copy-evidence", {"source": original.id},
                         follow_redirects=True)
    assert "already has every evidence link" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Claim, new.id).evidence_count == len(urls)


def test_api_marks_a_duplicate_and_copies_evidence(client, seed_article, checker, editor):
    seeded = _seeded(seed_article, checker, editor)
    original = next(c for c in seeded if "10,000" in c.quote)
    n_evidence = original.evidence_count
    new = _second_claim(checker)
    headers = token_for(checker)
    copied = client.post(f"/api/v1/claims/{new.id}/copy-evidence", json={"from": original.id}, headers=headers)
    assert copied.status_code == 201, copied.get_data(as_text=True)
    assert len(copied.get_json()["items"]) == n_evidence
    again = client.post(f"/api/v1/claims/{new.id}/copy-evidence", json={"from": original.id}, headers=headers)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "nothing_to_copy"
    # A checker may link the duplicate but not discard it (an editor's move).
    refused = client.post(f"/api/v1/claims/{new.id}/duplicate", json={"of": original.id, "discard": True},
                          headers=headers)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "invalid_transition"
    linked = client.post(f"/api/v1/claims/{new.id}/duplicate", json={"of": original.id}, headers=headers)
    assert linked.status_code == 200 and linked.get_json()["duplicate_of"] == original.id
    done = client.post(f"/api/v1/claims/{new.id}/duplicate", json={"of": original.id, "discard": True},
                       headers=token_for(editor))
    assert done.status_code == 200 and done.get_json()["status"] == "discarded"
    assert client.post(f"/api/v1/claims/{new.id}/duplicate", json={"of": 999999}, headers=headers).status_code == 404
    assert client.post(f"/api/v1/claims/{new.id}/duplicate", json={"of": "x"}, headers=headers).status_code == 422
