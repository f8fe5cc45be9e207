"""Editing a claim on its page and in the API: versions, nothing silently overwritten, history per change."""
from __future__ import annotations

import lxml.html
import pytest

from factdesk.bench.statements import counting_statements
from factdesk.extensions import db
from factdesk.models import Claim, ClaimHistory, Role

from tests.conftest import login
from tests.support.factories import SeedClaimFactory, UserFactory, research, to_state, token_for


@pytest.fixture
def claim(seed_article, checker):
    return research(SeedClaimFactory(article=seed_article, by=checker), checker)


def form_values(html: str, action_suffix: str) -> dict:
    """The fields of the page's form whose action ends with `action_suffix`, as a browser would send them."""
    doc = lxml.html.fromstring(html)
    for form in doc.forms:
        if form.action.endswith(action_suffix):
            # A browser drops the newline that follows <textarea>; lxml keeps it.
            textareas = {el.name for el in form.inputs if el.tag == "textarea"}
            return {k: v.removeprefix("\n") if k in textareas else v for k, v in form.form_values()}
    raise AssertionError(f"no form posting to …{action_suffix}")


def textarea(html: str, name: str) -> str:
    doc = lxml.html.fromstring(html)
    return doc.xpath(f'//textarea[@name="{name}"]')[0].text_content().lstrip("\n")


def _open(client, claim_id):
    page = client.get(f"/desk/claims/{claim_id}")
    assert page.status_code == 200
    return form_values(page.get_data(as_text=True), "/edit")


def test_second_editor_gets_the_merge_form_with_their_typed_text_kept(app, claim, checker, editor):
    first, second = app.test_client(), app.test_client()
    login(first, checker)
    login(second, editor)
    mine = _open(first, claim.id)
    theirs = _open(second, claim.id)
    assert mine["version"] == theirs["version"]

    mine["rationale"] = "Customs records show 6,700 containers."
    saved = first.post(f"/desk/claims/{claim.id}/edit", data=mine)
    assert saved.status_code == 302

    theirs["rationale"] = "The editor's own rewrite of the rationale."
    theirs["summary"] = "A sharper checkable wording."
    stale = second.post(f"/desk/claims/{claim.id}/edit", data=theirs)
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "Changed while you were editing" in html
    assert "Customs records show 6,700 containers." in html          # what changed meanwhile is shown
    assert textarea(html, "rationale") == "The editor's own rewrite of the rationale."  # what they typed is kept
    assert textarea(html, "summary") == "A sharper checkable wording."
    doc = lxml.html.fromstring(html)
    changed_rows = [row.xpath("string(th)").strip() for row in doc.xpath('//table[@class="stale-table"]/tbody/tr')]
    assert changed_rows == ["rationale"]                                 # only what the other person changed
    stored = db.session.get(Claim, claim.id)
    assert stored.rationale == "Customs records show 6,700 containers."  # nothing overwritten
    assert stored.summary == "Checkable wording 0."

    # Sending again from the merge form is a deliberate choice: it saves, on top of the newer version.
    again = form_values(html, "/edit")
    assert int(again["version"]) == stored.version
    assert second.post(f"/desk/claims/{claim.id}/edit", data=again).status_code == 302
    stored = db.session.get(Claim, claim.id)
    assert stored.rationale == "The editor's own rewrite of the rationale."
    rationale_history = [(h.by_id, h.before, h.after) for h in db.session.query(ClaimHistory)
                         .filter_by(claim_id=claim.id, field="rationale").order_by(ClaimHistory.id)]
    assert rationale_history[-2:] == [
        (checker.id, "The records show otherwise.", "Customs records show 6,700 containers."),
        (editor.id, "Customs records show 6,700 containers.", "The editor's own rewrite of the rationale.")]


def test_second_api_client_gets_409_and_nothing_is_overwritten(client, claim, checker, editor):
    start = client.get(f"/api/v1/claims/{claim.id}", headers=token_for(checker)).get_json()["version"]
    one = client.patch(f"/api/v1/claims/{claim.id}", headers=token_for(checker),
                       json={"version": start, "rating": "mostly-false"})
    assert one.status_code == 200
    two = client.patch(f"/api/v1/claims/{claim.id}", headers=token_for(editor),
                       json={"version": start, "rating": "true", "claimant": "Someone else"})
    assert two.status_code == 409
    error = two.get_json()["error"]
    assert error["code"] == "stale_version"
    assert error["fields"]["changed"]["rating"] == {"theirs": "mostly-false", "yours": "true"}
    assert "rating" in error["message"]
    stored = db.session.get(Claim, claim.id)
    assert (stored.rating.label, stored.claimant) == ("mostly-false", "Jung Pak")


def test_every_changed_field_gets_one_history_entry(client, claim, checker, editor):
    login(client, editor)
    values = _open(client, claim.id)
    values.update(summary="New wording.", claimant="Jung Pak, U.S. official", claimed_at="2024-03-18",
                  priority="urgent", due="2030-01-31", tags="Ukraine, missiles", rating="half-true",
                  rationale="Rewritten.")
    assert client.post(f"/desk/claims/{claim.id}/edit", data=values).status_code == 302
    entries = db.session.query(ClaimHistory).filter_by(claim_id=claim.id, action="edit", by_id=editor.id).all()
    assert {e.field: (e.before, e.after) for e in entries} == {
        "summary": ("Checkable wording 0.", "New wording."),
        "claimant": ("Jung Pak", "Jung Pak, U.S. official"),
        "claimed_at": (None, "2024-03-18"),
        "priority": ("normal", "urgent"),
        "due": (None, "2030-01-31"),
        "tags": ([], ["missiles", "ukraine"]),
        "rating": ("false", "half-true"),
        "rationale": ("The records show otherwise.", "Rewritten."),
    }
    page = client.get(f"/desk/claims/{claim.id}").get_data(as_text=True)
    history = lxml.html.fromstring(page).xpath('string(//section[@id="history"])')
    assert "priority" in history and "normal → urgent" in " ".join(history.split())
    # Saving the same values again writes nothing.
    values = _open(client, claim.id)
    assert client.post(f"/desk/claims/{claim.id}/edit", data=values).status_code == 302
    assert db.session.query(ClaimHistory).filter_by(claim_id=claim.id, action="edit", by_id=editor.id).count() == 8


def test_an_invalid_field_comes_back_with_everything_as_typed(client, claim, checker):
    login(client, checker)
    values = _open(client, claim.id)
    values.update(claimed_at="18/03/2024", summary="Typed wording that must survive.", rationale="Typed **text**.")
    response = client.post(f"/desk/claims/{claim.id}/edit", data=values)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "is not a date: use YYYY-MM-DD" in html
    assert textarea(html, "summary") == "Typed wording that must survive."
    assert textarea(html, "rationale") == "Typed **text**."
    assert 'value="18/03/2024"' in html
    assert db.session.get(Claim, claim.id).summary == "Checkable wording 0."


def test_preview_renders_the_typed_rationale_without_saving(client, claim, checker):
    login(client, checker)
    values = _open(client, claim.id)
    values["rationale"] = "A **bold** claim with a [source](https://stats.example/a)."
    values["preview"] = "Preview rationale"
    response = client.post(f"/desk/claims/{claim.id}/edit", data=values)
    assert response.status_code == 200
    preview = lxml.html.fromstring(response.get_data(as_text=True)).xpath('//div[@id="rationale-preview"]')[0]
    assert preview.xpath("string(.//strong)") == "bold"
    assert preview.xpath(".//a/@href") == ["https://stats.example/a"]
    assert db.session.get(Claim, claim.id).rationale == "The records show otherwise."


def test_a_checker_cannot_change_someone_elses_claim_on_the_page(client, claim, seed_article):
    other = UserFactory(role=Role.checker, email="other@desk.test", name="Other Checker")
    login(client, other)
    html = client.get(f"/desk/claims/{claim.id}").get_data(as_text=True)
    assert 'name="rationale"' not in html
    assert "only they or an editor" in html


def test_checker_assigns_themselves_with_one_button(client, seed_article, checker):
    claim = SeedClaimFactory(article=seed_article, by=checker)
    login(client, checker)
    values = form_values(client.get(f"/desk/claims/{claim.id}").get_data(as_text=True), "/assign")
    response = client.post(f"/desk/claims/{claim.id}/assign", data={**values, "take": "me"})
    assert response.status_code == 302
    assert db.session.get(Claim, claim.id).assignee_id == checker.id
    entry = db.session.query(ClaimHistory).filter_by(claim_id=claim.id, field="assignee").one()
    assert entry.after == {"id": checker.id, "name": checker.name}


def test_editor_assigns_anyone_with_the_picker(client, seed_article, checker, editor):
    claim = SeedClaimFactory(article=seed_article, by=checker)
    login(client, editor)
    values = form_values(client.get(f"/desk/claims/{claim.id}").get_data(as_text=True), "/assign")
    values["assign-assignee"] = str(checker.id)
    assert client.post(f"/desk/claims/{claim.id}/assign", data=values).status_code == 302
    assert db.session.get(Claim, claim.id).assignee_id == checker.id


def test_evidence_form_keeps_what_was_typed_when_the_link_is_not_http(client, seed_article, checker):
    claim = SeedClaimFactory(article=seed_article, by=checker)
    login(client, checker)
    values = form_values(client.get(f"/desk/claims/{claim.id}").get_data(as_text=True), "/evidence")
    values.update({"evidence-url": "javascript:alert(1)", "evidence-title": "Typed title",
                   "evidence-excerpt": "Typed excerpt."})
    response = client.post(f"/desk/claims/{claim.id}/evidence", data=values)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "is not an http or https link" in html
    assert 'value="Typed title"' in html and "Typed excerpt." in html
    assert db.session.get(Claim, claim.id).evidence_count == 0


def test_evidence_added_and_removed_on_the_page(client, seed_article, checker):
    claim = SeedClaimFactory(article=seed_article, by=checker)
    login(client, checker)
    values = form_values(client.get(f"/desk/claims/{claim.id}").get_data(as_text=True), "/evidence")
    values.update({"evidence-url": "https://stats.example/exports", "evidence-title": "Export statistics",
                   "evidence-stance": "refutes", "evidence-source_type": "official"})
    assert client.post(f"/desk/claims/{claim.id}/evidence", data=values).status_code == 302
    page = client.get(f"/desk/claims/{claim.id}").get_data(as_text=True)
    assert "Export statistics" in page
    stored = db.session.get(Claim, claim.id)
    assert stored.evidence_count == 1
    eid = stored.evidence[0].id
    remove = form_values(page, f"/evidence/{eid}/remove")
    assert client.post(f"/desk/claims/{claim.id}/evidence/{eid}/remove", data=remove).status_code == 302
    assert db.session.get(Claim, claim.id).evidence_count == 0


def test_a_refused_move_on_the_page_names_the_allowed_moves(client, seed_article, checker, editor):
    claim = to_state(SeedClaimFactory(article=seed_article, by=checker), "in_review", checker, editor)
    login(client, editor)
    page = client.get(f"/desk/claims/{claim.id}").get_data(as_text=True)
    values = form_values(page, "/transition")
    values.update(to="changes_requested", comment="")
    response = client.post(f"/desk/claims/{claim.id}/transition", data=values)
    assert response.status_code == 422
    assert "Say what to change" in response.get_data(as_text=True)
    values.update(to="published")
    response = client.post(f"/desk/claims/{claim.id}/transition", data=values)
    assert response.status_code == 409
    assert "Moves allowed to you from here: approved, changes requested." in response.get_data(as_text=True)


def test_claim_page_shows_the_quote_in_context(client, seed_article, checker):
    claim = SeedClaimFactory(article=seed_article, by=checker, n=3)
    login(client, checker)
    html = client.get(f"/desk/claims/{claim.id}").get_data(as_text=True)
    context = lxml.html.fromstring(html).xpath('string(//p[@class="quote-context"])')
    assert "In 2022 alone, they have conducted 69 launches" in context
    assert context.startswith("I am still monitoring the situation")
    assert "Summit for Democracy." in context


def test_claim_page_costs_a_constant_number_of_statements(client, seed_article, checker, editor):
    claim = research(SeedClaimFactory(article=seed_article, by=checker), checker)
    login(client, editor)

    def count() -> int:
        with counting_statements(db.engine) as statements:
            assert client.get(f"/desk/claims/{claim.id}").status_code == 200
        return len(statements)

    few = count()
    from factdesk.claims import comments, evidence

    for n in range(6):
        evidence.add_evidence(claim, checker, {"url": f"https://stats.example/{n}", "title": f"Source {n}"})
        comments.add_comment(claim, checker, f"Note {n} for @editor")
    db.session.commit()
    assert count() == few


def test_a_write_that_lands_between_read_and_save_is_refused_not_lost(seed_article, checker, editor):
    """The version check is also in the UPDATE itself: a save racing past the first check still cannot win."""
    from sqlalchemy import update

    from factdesk.claims import editing
    from factdesk.errors import ConflictError

    claim = research(SeedClaimFactory(article=seed_article, by=checker), checker)
    start = claim.version
    with db.engine.begin() as other:  # another request commits its edit meanwhile
        other.execute(update(Claim).where(Claim.id == claim.id)
                      .values(rationale="Saved by the other request.", version=Claim.version + 1))
    with pytest.raises(ConflictError) as refused:
        editing.update_claim(claim, editor, {"rationale": "Would overwrite."}, start)
    assert refused.value.code == "stale_version"
    assert refused.value.fields["changed"]["rationale"]["theirs"] == "Saved by the other request."
    db.session.rollback()
    assert db.session.get(Claim, claim.id).rationale == "Saved by the other request."


def test_merge_form_takes_their_value_for_fields_this_person_left_alone(app, claim, checker, editor):
    first, second = app.test_client(), app.test_client()
    login(first, checker)
    login(second, editor)
    mine, theirs = _open(first, claim.id), _open(second, claim.id)
    mine["rating"] = "mostly-false"
    assert first.post(f"/desk/claims/{claim.id}/edit", data=mine).status_code == 302

    theirs["rationale"] = "Only the rationale was touched here."
    stale = second.post(f"/desk/claims/{claim.id}/edit", data=theirs)
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "you left it as it was" in html
    again = form_values(html, "/edit")
    assert again["rating"] == "mostly-false"                      # theirs, not the stale value the form started with
    assert again["rationale"] == "Only the rationale was touched here."
    assert second.post(f"/desk/claims/{claim.id}/edit", data=again).status_code == 302
    stored = db.session.get(Claim, claim.id)
    assert (stored.rating.label, stored.rationale) == ("mostly-false", "Only the rationale was touched here.")
