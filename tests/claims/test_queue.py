"""The review queue (DESIGN.md §6): filters, sorts, tabs, my work, bad parameters, bulk actions for editors."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from factdesk.demo.generate import fill_desk
from factdesk.claims.highlight import add_claim, locate
from factdesk.extensions import db
from factdesk.models import Claim, ClaimHistory, Priority, Status
from factdesk.ratings import rating_by_label

from tests.conftest import login, post_form
from tests.support.factories import token_for

QUOTES = [
    "North Korea has sent more than 10,000 containers filled with military weapons to Russia",
    "the previous estimate of 7,000 containers given by the South Korean defense chief",
    "a minimum of 10 occurrences where North Korean missiles were deployed during combat in Ukraine",
    "In 2022 alone, they have conducted 69 launches",
]


@pytest.fixture
def claims(seed_article, checker, editor):
    """Four claims on the seed article in distinct shapes: states, assignees, priorities, due dates, tags."""
    made = [add_claim(seed_article, checker, locate(seed_article, quote=q), summary=f"wording {i}")
            for i, q in enumerate(QUOTES)]
    a, b, c, d = made
    today = date.today()
    a.status, a.assignee_id, a.priority = Status.researching, checker.id, Priority.urgent
    a.due = today - timedelta(days=2)
    b.status, b.assignee_id, b.priority, b.due = Status.in_review, checker.id, Priority.low, today + timedelta(days=5)
    b.rating = rating_by_label("false")
    c.status, c.priority, c.due = Status.new, Priority.high, date.today() - timedelta(days=1)
    d.status, d.assignee_id, d.priority, d.due = Status.published, editor.id, Priority.normal, today - timedelta(days=9)
    from factdesk.models import ClaimTag
    db.session.add(ClaimTag(claim_id=a.id, tag="defence"))
    db.session.add(ClaimTag(claim_id=c.id, tag="defence"))
    db.session.commit()
    return made


def _ids(client, headers, query: str) -> list[int]:
    response = client.get(f"/api/v1/claims?{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


def test_api_filters_by_status_assignee_priority_tag_overdue_and_text(client, claims, checker):
    a, b, c, d = (x.id for x in claims)
    h = token_for(checker)
    assert sorted(_ids(client, h, "status=in_review,new")) == sorted([b, c])
    assert sorted(_ids(client, h, "status=in_review&status=new")) == sorted([b, c])
    assert sorted(_ids(client, h, "assignee=me")) == sorted([a, b])
    assert _ids(client, h, "assignee=none") == [c]
    assert sorted(_ids(client, h, "assignee=anyone")) == sorted([a, b, d])
    assert _ids(client, h, f"assignee={checker.id}&priority=urgent") == [a]
    assert sorted(_ids(client, h, "tag=defence")) == sorted([a, c])
    # Overdue: due before today and not published/discarded (d is late but published).
    assert sorted(_ids(client, h, "overdue=1")) == sorted([a, c])
    assert _ids(client, h, "q=69 launches") == [d]
    assert _ids(client, h, "q=7,000") == [b]
    assert _ids(client, h, f"article={claims[0].article_id}&status=published") == [d]


def test_api_sorts_with_stable_direction(client, claims, checker):
    a, b, c, d = (x.id for x in claims)
    h = token_for(checker)
    assert _ids(client, h, "sort=priority") == [a, c, d, b]
    assert _ids(client, h, "sort=-priority") == [b, d, c, a]
    assert _ids(client, h, "sort=due") == [d, a, c, b]
    assert _ids(client, h, "sort=age") == [a, b, c, d]
    assert _ids(client, h, "sort=-age") == [d, c, b, a]


def test_api_list_has_the_list_shape_and_pages(client, claims, checker):
    body = client.get("/api/v1/claims?per_page=3&page=2&sort=age", headers=token_for(checker)).get_json()
    assert body["page"] == 2 and body["per_page"] == 3 and body["total"] == 4
    assert [i["id"] for i in body["items"]] == [claims[3].id]
    item = body["items"][0]
    assert item["status"] == "published" and item["assignee"]["name"] and item["anchor"]["quote"] == QUOTES[3]
    assert item["priority"] == "normal" and item["evidence"] is None


@pytest.mark.parametrize("query, field", [
    ("status=finished", "status"), ("assignee=someone", "assignee"), ("assignee=99999", "assignee"),
    ("priority=extreme", "priority"), ("overdue=perhaps", "overdue"), ("sort=colour", "sort"),
    ("page=0", "page"), ("per_page=101", "per_page"), ("per_page=abc", "per_page"), ("article=x", "article"),
])
def test_invalid_queue_parameters_answer_422_naming_the_field(client, checker, query, field):
    response = client.get(f"/api/v1/claims?{query}", headers=token_for(checker))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]


def test_queue_page_shows_a_clear_message_for_bad_parameters(client, claims, checker):
    login(client, checker)
    response = client.get("/desk?status=finished&q=kept")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "status &#39;finished&#39; is not a state" in page or "status 'finished' is not a state" in page
    assert 'value="kept"' in page


def test_queue_page_lists_filters_and_counts_tabs(client, claims, checker):
    login(client, checker)
    page = client.get("/desk?status=in_review&sort=due").get_data(as_text=True)
    assert QUOTES[1][:40] in page and QUOTES[0][:40] not in page
    # Tabs count each state under the other filters; "My work" counts the checker's open claims.
    assert 'In review <span class="count">1</span>' in page
    assert 'Researching <span class="count">1</span>' in page
    assert 'My work <span class="count">2</span>' in page
    assert "False" in page  # the rating's name
    # Overdue marked; counts shown; links keep the filters.
    page = client.get("/desk?overdue=1").get_data(as_text=True)
    assert "overdue-flag" in page and QUOTES[0][:40] in page and QUOTES[3][:40] not in page
    assert "sort=-priority" in page  # clicking the current sort reverses it


def test_my_work_tab_lists_only_my_open_claims(client, claims, checker):
    login(client, checker)
    mine = "/desk?assignee=me&status=new,researching,in_review,changes_requested,approved"
    page = client.get(mine).get_data(as_text=True)
    assert QUOTES[0][:40] in page and QUOTES[1][:40] in page
    assert QUOTES[2][:40] not in page and QUOTES[3][:40] not in page
    assert 'aria-current="page">My work' in page


def test_checkers_see_no_bulk_controls_and_are_refused_when_posting(client, claims, checker):
    login(client, checker)
    page = client.get("/desk").get_data(as_text=True)
    assert "Apply to selected" not in page and 'name="ids"' not in page
    response = post_form(client, "/desk/bulk", {"action": "priority", "priority": "urgent", "ids": [claims[2].id]})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Claim, claims[2].id).priority == Priority.high


def test_editor_bulk_priority_and_assign_are_recorded_per_claim(client, claims, editor, checker):
    login(client, editor)
    page = client.get("/desk").get_data(as_text=True)
    assert "Apply to selected" in page
    ids = [claims[0].id, claims[2].id]
    response = post_form(client, "/desk/bulk", {"action": "priority", "priority": "low", "ids": ids,
                                                "back": "status=new"}, follow_redirects=True)
    assert response.status_code == 200 and "2 claims reprioritised" in response.get_data(as_text=True)
    assert response.request.path == "/desk" and response.request.query_string == b"status=new"
    response = post_form(client, "/desk/bulk", {"action": "assign", "assignee": str(checker.id), "ids": [claims[2].id]},
                         follow_redirects=True)
    assert "1 claim assigned" in response.get_data(as_text=True)
    db.session.expire_all()
    assert [db.session.get(Claim, i).priority for i in ids] == [Priority.low, Priority.low]
    assert db.session.get(Claim, claims[2].id).assignee_id == checker.id
    entries = db.session.execute(select(ClaimHistory).where(ClaimHistory.action == "edit")
                                 .order_by(ClaimHistory.id)).scalars().all()
    assert [(e.claim_id, e.field, e.after) for e in entries] == [
        (ids[0], "priority", "low"), (ids[1], "priority", "low"),
        (claims[2].id, "assignee", {"id": checker.id, "name": checker.name})]
    assert all(e.by_id == editor.id for e in entries)


def test_bulk_discard_reports_refused_rows_by_id_and_moves_the_others(client, claims, editor):
    login(client, editor)
    # a (researching) and c (new) may be discarded; b (in review) and d (published) may not.
    ids = [c.id for c in claims]
    response = post_form(client, "/desk/bulk", {"action": "discard", "comment": "opinion, not checkable", "ids": ids},
                         follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "2 claims discarded" in text
    assert f"claim {claims[1].id}:" in text and f"claim {claims[3].id}:" in text
    db.session.expire_all()
    assert [db.session.get(Claim, i).status for i in ids] == [Status.discarded, Status.in_review, Status.discarded,
                                                               Status.published]
    moves = db.session.execute(select(ClaimHistory).where(ClaimHistory.action == "transition")).scalars().all()
    assert sorted(m.claim_id for m in moves) == sorted([claims[0].id, claims[2].id])
    assert all(m.comment == "opinion, not checkable" and m.after == "discarded" for m in moves)


def test_bulk_discard_without_a_reason_changes_nothing(client, claims, editor):
    login(client, editor)
    response = post_form(client, "/desk/bulk", {"action": "discard", "ids": [claims[2].id]}, follow_redirects=True)
    assert "Give a reason for discarding" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Claim, claims[2].id).status == Status.new


def test_fill_desk_makes_valid_anchors_and_a_mix_of_states(app, checker):
    made = fill_desk(claims=300, articles=12)
    assert made["claims"] == 300
    rows = db.session.execute(select(Claim)).scalars().all()
    assert len(rows) == 300
    assert {c.status for c in rows} == set(Status)
    for claim in rows:
        assert claim.article.text[claim.anchor_start:claim.anchor_end] == claim.quote
        assert claim.article.text[:claim.anchor_start].endswith(claim.prefix)
        assert claim.article.text[claim.anchor_end:].startswith(claim.suffix)
    spans = {}
    for c in rows:
        spans.setdefault(c.article_id, []).append((c.anchor_start, c.anchor_end))
    overlapping = sum(1 for s in spans.values() for x in s for y in s if x != y and x[0] < y[1] and y[0] < x[1])
    assert overlapping > 0


def test_openapi_documents_the_queue_parameters(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/claims"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"status", "assignee", "article", "tag", "priority", "overdue", "q", "sort", "page", "per_page"} <= names
    assert "422" in operation["responses"]


@pytest.mark.parametrize("sort", ["due", "-due"])
def test_due_sort_pages_through_dated_then_undated_claims_without_gaps(client, app, checker, sort):
    fill_desk(claims=90, articles=5)
    h = token_for(checker)
    everything = client.get(f"/api/v1/claims?sort={sort}&per_page=100", headers=h).get_json()["items"]
    assert len(everything) == 90
    dues = [i["due"] for i in everything]
    dated = [d for d in dues if d]
    assert dues == dated + [None] * (90 - len(dated)) and 0 < len(dated) < 90  # undated last either way
    assert dated == sorted(dated, reverse=sort.startswith("-"))
    paged = []
    for page in range(1, 8):
        paged += _ids(client, h, f"sort={sort}&per_page=13&page={page}")
    assert paged == [i["id"] for i in everything]


@pytest.mark.parametrize("sort", ["due", "-due"])
def test_overdue_by_due_date_pages_through_the_overdue_claims_and_walks_only_dated_ones(client, app, checker, sort):
    from factdesk.bench.statements import counting_statements

    fill_desk(claims=120, articles=5)
    h = token_for(checker)
    everything = client.get(f"/api/v1/claims?sort={sort}&per_page=100", headers=h).get_json()["items"]
    everything += client.get(f"/api/v1/claims?sort={sort}&per_page=100&page=2", headers=h).get_json()["items"]
    done = {"published", "discarded", "withdrawn"}
    today = date.today().isoformat()
    late = [i["id"] for i in everything if i["due"] and i["due"] < today and i["status"] not in done]
    assert late, "the generated desk has overdue claims"
    with counting_statements(db.engine) as seen:
        paged = []
        for page in range(1, 12):
            paged += _ids(client, h, f"overdue=1&sort={sort}&per_page=7&page={page}")
    assert paged == late
    # A claim with no due date is never overdue: no walk of the undated claims was asked for.
    assert not [s for s in seen if "claims.due IS NULL" in s]


def test_a_bulk_action_is_one_transaction_until_the_request_commits(app, claims, editor):
    from factdesk.claims import bulk

    result = bulk.apply([claims[0].id, claims[2].id], "priority", "low", editor)
    assert result.done == [claims[0].id, claims[2].id]
    db.session.rollback()  # as a request that fails after the bulk action
    db.session.expire_all()
    assert [db.session.get(Claim, c.id).priority for c in (claims[0], claims[2])] == [Priority.urgent, Priority.high]
    assert db.session.execute(select(ClaimHistory).where(ClaimHistory.action == "edit")).first() is None
