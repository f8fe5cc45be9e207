"""Evidence that lasts: archive copies taken in the background, link health re-checked by the CLI."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from factdesk.claims.evidence import add_evidence
from factdesk.extensions import db
from factdesk.models import ClaimHistory, Evidence, Job, JobState

from tests.conftest import login, post_form
from tests.support.archiving import archive_settings, claim  # noqa: F401  (a fixture)
from tests.support.factories import token_for
from tests.support.pages_server import serve_pages

SOURCE_PAGE = """<!doctype html><html><head><title>Defence ministry briefing</title></head><body>
<nav>Home | News | Contact</nav>
<article><h1>Briefing on munitions transfers</h1>
<p>The defence ministry said on Monday that about 7,000 containers of munitions had been shipped from North Korea
to Russia since August, according to its own estimate published in the weekly briefing.</p>
<p>The ministry added that the shipments were tracked by satellite imagery of the port of Rajin, and that
officials would publish a further update next month with new figures on the transfers.</p>
</article></body></html>"""


@pytest.fixture
def app_settings():
    return archive_settings(timeout=20)



def _evidence(claim_id: int) -> list[Evidence]:
    db.session.rollback()
    return list(db.session.execute(select(Evidence).where(Evidence.claim_id == claim_id)).scalars())


def test_archive_is_taken_by_a_job_after_the_add_evidence_request_has_returned(client, claim, checker, run_jobs):
    with serve_pages() as pages:
        url = pages.page("/briefing", SOURCE_PAGE)
        login(client, checker)
        response = post_form(client, f"/desk/claims/{claim.id}/evidence",
                             {"evidence-url": url, "evidence-title": "Ministry briefing", "evidence-stance": "context",
                              "evidence-source_type": "official"})
        assert response.status_code == 302
        [item] = _evidence(claim.id)
        assert item.archived_at is None and item.archive_text is None  # the request did not wait for the fetch
        assert pages.hits == []
        [queued] = db.session.execute(select(Job)).scalars()
        assert (queued.name, queued.payload, queued.state) == ("evidence.archive", {"evidence_id": item.id},
                                                               JobState.waiting)
        assert run_jobs() == 1
    [item] = _evidence(claim.id)
    assert db.session.get(Job, queued.id).state == JobState.done
    assert item.archive_status.startswith("archived")
    assert "7,000 containers of munitions" in item.archive_text
    assert "Home | News" not in item.archive_text
    assert item.archived_at is not None
    actions = [h.action
               for h in db.session.execute(select(ClaimHistory).where(ClaimHistory.claim_id == claim.id)).scalars()]
    assert "evidence_archived" in actions
    page = client.get(f"/desk/claims/{claim.id}").get_data(as_text=True)
    assert f"desk archive copy, {item.archived_at.strftime('%Y-%m-%d')}" in page
    archived = client.get(f"/desk/evidence/{item.id}/archive")
    assert archived.status_code == 200
    assert "7,000 containers of munitions" in archived.get_data(as_text=True)


def test_api_evidence_is_archived_in_the_background_too(client, claim, checker, run_jobs):
    with serve_pages() as pages:
        url = pages.page("/note.txt", "Plain text note: 69 launches in 2022.", "text/plain; charset=utf-8")
        response = client.post(f"/api/v1/claims/{claim.id}/evidence", json={"url": url}, headers=token_for(checker))
        assert response.status_code == 201, response.get_data(as_text=True)
        assert run_jobs() == 1
    [item] = _evidence(claim.id)
    assert item.archive_text == "Plain text note: 69 launches in 2022."


def test_failed_fetch_records_the_failure_keeps_the_evidence_and_can_be_retried(client, claim, checker, run_jobs):
    with serve_pages() as pages:
        url = pages.url("/gone")  # answers 404 for now
        login(client, checker)
        response = post_form(client, f"/desk/claims/{claim.id}/evidence", {"evidence-url": url,
                                                                           "evidence-title": "Gone page"})
        assert response.status_code == 302
        assert run_jobs() == 1
        [item] = _evidence(claim.id)
        assert item.url == url and item.title == "Gone page"
        assert item.archive_status.startswith("failed") and "404" in item.archive_status
        assert item.archive_text is None and item.archived_at is None
        page = client.get(f"/desk/claims/{claim.id}").get_data(as_text=True)
        assert "archive copy failed" in page and "Take an archive copy" in page

        pages.page("/gone", SOURCE_PAGE)  # the page is back
        assert post_form(client, f"/desk/evidence/{item.id}/archive").status_code == 302
        assert run_jobs() == 1
    [item] = _evidence(claim.id)
    assert item.archive_status.startswith("archived") and "7,000 containers" in item.archive_text


def test_evidence_added_outside_a_request_waits_for_evidence_check(app, runner, claim, checker, run_jobs):
    with serve_pages() as pages:
        item = add_evidence(claim, checker, {"url": pages.page("/x", SOURCE_PAGE)})
        db.session.commit()
        assert run_jobs() == 0
        assert pages.hits == []  # a CLI run or demo load does not fetch in the background
        item_id = item.id
        result = runner.invoke(args=["evidence", "check", "--claim", str(claim.id)])
        assert result.exit_code == 0, result.output
        assert pages.hits == ["/x"]
    db.session.rollback()
    assert "7,000 containers" in db.session.get(Evidence, item_id).archive_text


def test_evidence_check_records_link_health_and_takes_missing_archives(app, runner, claim, checker):
    app.config["EVIDENCE_ARCHIVE"] = False  # added without archive: the check takes it
    with serve_pages() as pages:
        good = add_evidence(claim, checker, {"url": pages.page("/ok", SOURCE_PAGE)})
        bad = add_evidence(claim, checker, {"url": pages.url("/missing")})
        db.session.commit()
        good_id, bad_id = good.id, bad.id
        result = runner.invoke(args=["evidence", "check"])
    assert result.exit_code == 0, result.output
    assert "2 link(s) checked, 1 broken" in result.output
    db.session.rollback()
    good, bad = db.session.get(Evidence, good_id), db.session.get(Evidence, bad_id)
    assert good.link_status.startswith("ok (200") and good.link_checked_at is not None
    assert "7,000 containers" in good.archive_text
    assert bad.link_status.startswith("broken") and "404" in bad.link_status
    assert bad.url.endswith("/missing")
