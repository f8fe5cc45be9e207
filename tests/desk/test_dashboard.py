"""The editors' dashboard (counts, overdue, medians from history, publications per week) and the audit log."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest

from factdesk.claims import stats
from factdesk.claims.highlight import add_claim, locate
from factdesk.claims.history import record
from factdesk.extensions import db
from factdesk.models import Publication, Status

from tests.conftest import login

QUOTES = ["North Korea has sent more than 10,000 containers filled with military weapons to Russia",
          "In 2022 alone, they have conducted 69 launches",
          "the previous estimate of 7,000 containers given by the South Korean defense chief"]


def _walk(claim, by, start: datetime, moves: list[tuple[str, str, float]]) -> None:
    """Write the claim's transition history at the given hours after `start` (as the workflow records them)."""
    claim.created_at = start
    for before, after, hours in moves:
        record(claim, by, "transition", field="status", before=before, after=after).at = start + timedelta(hours=hours)
        if after == "published":
            db.session.add(Publication(claim_id=claim.id, number=1, summary="", rationale="", published_by_id=by.id,
                                       published_at=start + timedelta(hours=hours)))
    claim.status = Status(moves[-1][1])


@pytest.fixture
def desk(seed_article, checker, editor):
    a, b, c = (add_claim(seed_article, checker, locate(seed_article, quote=q)) for q in QUOTES)
    start = datetime.now(timezone.utc) - timedelta(days=3)
    _walk(a, editor, start, [("new", "researching", 1), ("researching", "in_review", 2),
                             ("in_review", "changes_requested", 5), ("changes_requested", "in_review", 6),
                             ("in_review", "approved", 7), ("approved", "published", 10)])
    _walk(b, editor, start, [("new", "researching", 0.5), ("researching", "in_review", 1),
                             ("in_review", "approved", 6), ("approved", "published", 20)])
    c.due = date.today() - timedelta(days=4)
    c.assignee = checker
    db.session.commit()
    return a, b, c


def test_medians_come_from_history_transitions(app, desk):
    data = stats.dashboard()
    assert data.median_to_publish == timedelta(hours=15)  # 10 h and 20 h
    assert data.publish_samples == 2
    assert data.median_review == timedelta(hours=3)  # review rounds of 3 h, 1 h and 5 h
    assert data.review_samples == 3
    assert sum(n for _, n in data.weeks) == 2
    assert data.counts["published"] == 2 and data.counts["new"] == 1
    assert data.overdue_total == 1 and data.overdue[0].id == desk[2].id
    assert data.overdue_by_person == [("Checker Person", 1)]


def test_dashboard_page_draws_accessible_svg_charts_for_editors(client, desk, editor):
    login(client, editor)
    response = client.get("/desk/dashboard")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count("<svg class=\"chart\"") == 2
    assert "<title id=\"states-title\">Claims by state</title>" in page and "Published: 2." in page
    assert "Claims by state as a table" in page and "Publications per week as a table" in page
    assert "15.0 h" in page and "3.0 h" in page
    assert " style=" not in page and not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script
    assert f"#{desk[2].id}" in page  # overdue work listed


def test_dashboard_and_audit_are_for_editors(client, desk, checker):
    login(client, checker)
    assert client.get("/desk/dashboard").status_code == 403
    assert client.get("/desk/audit").status_code == 403


def test_audit_log_filters_by_person_action_claim_and_dates(client, desk, editor, checker):
    login(client, editor)
    page = client.get(f"/desk/audit?action=transition&claim={desk[1].id}").get_data(as_text=True)
    assert page.count("<tr>") == 1 + 4  # header + the four moves of claim b
    page = client.get(f"/desk/audit?person={checker.id}").get_data(as_text=True)
    assert page.count("<tr>") == 1 + 3  # the checker created the three claims
    assert "created" in page and "transition" not in page.split("<tbody>")[1]
    today = date.today().isoformat()
    page = client.get(f"/desk/audit?from={today}&to={today}&action=transition").get_data(as_text=True)
    assert "No history entries match." in page  # the moves were written three days ago


def test_audit_log_refuses_a_bad_date_with_a_message(client, desk, editor):
    login(client, editor)
    response = client.get("/desk/audit?from=31/12/2024")
    assert response.status_code == 422
    assert "from must be a date like" in response.get_data(as_text=True)


def test_audit_log_pages_newest_first(client, app, editor, checker, seed_article):
    claim = add_claim(seed_article, checker, locate(seed_article, quote=QUOTES[0]))
    for n in range(60):
        record(claim, editor, "edit", field="priority", before=n, after=n + 1)
    db.session.commit()
    login(client, editor)
    first = client.get("/desk/audit?action=edit").get_data(as_text=True)
    assert first.count("<tr>") == 51 and "Older →" in first
    second = client.get("/desk/audit?action=edit&page=2").get_data(as_text=True)
    assert second.count("<tr>") == 11 and "← Newer" in second and "Older →" not in second
