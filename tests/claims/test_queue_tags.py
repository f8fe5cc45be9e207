"""A queue filtered by a tag: each tag's row carries its claim's queue keys (triggers, migration 0033),
and a walk along the tag's own index lists exactly what the claims themselves say."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select, text, update

from factdesk.bench.statements import counting_statements
from factdesk.claims import queue as claim_queue
from factdesk.claims.queue_counts import KEY_COLUMNS
from factdesk.demo.generate import TAGS, fill_desk
from factdesk.extensions import db
from factdesk.models import Claim, ClaimTag, Priority, Status

from tests.conftest import login
from tests.support.factories import token_for


def _stale_tag_rows() -> list:
    """Tags whose row holds other queue keys than its claim has now."""
    keys = ", ".join(f"c.{name}, t.{name}" for name in KEY_COLUMNS)
    rows = db.session.execute(text(f"SELECT t.claim_id, t.tag, {keys} FROM claim_tags t "
                                   "JOIN claims c ON c.id = t.claim_id")).all()
    return [row for row in rows if any(row[2 + 2 * i] != row[3 + 2 * i] for i in range(len(KEY_COLUMNS)))]


def test_a_tags_row_follows_its_claim_through_every_kind_of_write(app, checker, editor):
    fill_desk(claims=30, articles=3)
    db.session.commit()
    assert _stale_tag_rows() == []
    claims = db.session.execute(select(Claim).order_by(Claim.id).limit(6)).scalars().all()
    claims[0].tag_rows.append(ClaimTag(tag="harbour"))  # a tag added by the ORM
    db.session.execute(insert(ClaimTag).values(claim_id=claims[1].id, tag="harbour"))  # by plain SQL
    db.session.commit()
    claims[0].status, claims[0].priority = Status.in_review, Priority.urgent  # the claim changed by the ORM
    claims[1].assignee_id, claims[1].due = editor.id, date.today() - timedelta(days=3)
    db.session.commit()
    db.session.execute(update(Claim).where(Claim.id.in_([c.id for c in claims[2:]]))  # a bulk UPDATE
                       .values(priority=int(Priority.low), assignee_id=None, due=None))
    db.session.commit()
    assert _stale_tag_rows() == []
    assert db.session.execute(text("SELECT status, priority FROM claim_tags WHERE claim_id = :id AND tag = 'harbour'"),
                              {"id": claims[0].id}).one() == ("in_review", int(Priority.urgent))


QUERIES = ["", "status=researching", "status=new,researching,in_review", "status=researching&assignee=anyone",
           "assignee=none", "priority=high,urgent", "status=in_review,approved&priority=normal", "overdue=1",
           "status=researching,in_review,changes_requested&overdue=1", "assignee=me&status=new,researching"]
SORTS = ["priority", "-priority", "due", "-due", "age", "-age", "updated", "-updated"]


@pytest.fixture
def tagged_desk(app, checker):
    """A desk whose claims were changed after their tags were added (so the copies must have followed)."""
    fill_desk(claims=240, articles=8)
    db.session.commit()
    ids = db.session.execute(select(Claim.id).order_by(Claim.id)).scalars().all()
    db.session.execute(update(Claim).where(Claim.id.in_(ids[::3])).values(assignee_id=checker.id, due=date.today()
                                                                           - timedelta(days=1)))
    db.session.execute(update(Claim).where(Claim.id.in_(ids[1::4])).values(status="researching", priority=3,
                                                                           assignee_id=None))
    db.session.commit()
    return token_for(checker)


@pytest.mark.parametrize("sort", SORTS)
def test_a_tag_walk_lists_what_picking_the_tags_claims_lists(client, tagged_desk, monkeypatch, sort):
    """Every filter and sort, page by page: the walk along claim_tags' indexes (any tag with more than
    TAG_PICK claims) against picking the tag's claims by their own rows and sorting them."""
    tag = TAGS[0]

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/claims?tag={tag}&sort={sort}&{query}", headers=tagged_desk)
        assert response.status_code == 200, response.get_data(as_text=True)
        return [item["id"] for item in response.get_json()["items"]]

    for query in QUERIES:
        for page in (1, 2, 4):
            monkeypatch.setattr(claim_queue, "TAG_PICK", 10**9)
            picked = ids(f"{query}&per_page=7&page={page}")
            monkeypatch.setattr(claim_queue, "TAG_PICK", 0)
            with counting_statements(db.engine) as seen:
                walked = ids(f"{query}&per_page=7&page={page}")
            assert walked == picked, (query, page)
            if walked and page == 1 and "changed" not in query:
                assert any("claim_tags.status" in s for s in seen), query  # the walk was taken
    assert ids("per_page=100"), "the tag has claims on this desk"


def test_a_tagged_walk_reads_the_tags_queue_index_in_the_sorts_order(app, client, editor, monkeypatch):
    """SQLite's plan for a tagged queue of two states: one range of claim_tags' priority index per
    state that has claims, no claims' index walked and no tag probed per claim. (PostgreSQL plans a tiny test desk by
    its size, a sequential scan; its plans at 100,000 claims are in docs/speed.md.)"""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL plans a test desk's few rows with a sequential scan")
    fill_desk(claims=120, articles=4)
    db.session.commit()
    monkeypatch.setattr(claim_queue, "TAG_PICK", 0)
    login(client, editor)
    page = client.get(f"/desk?status=new,researching&sort=priority&tag={TAGS[1]}")
    assert page.status_code == 200 and page.get_data(as_text=True).count('<tr id="claim-') > 0
    query = claim_queue.parse({"status": "new,researching", "sort": "priority", "tag": TAGS[1]}, actor=editor)
    keys = claim_queue._page_keys(query, 50, 0)
    sql = str(select(keys.c.id).compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
    plan = [row[-1] for row in db.session.execute(text("EXPLAIN QUERY PLAN " + sql))]
    walked = [s for s in query.statuses if claim_queue.tab_counts(query)[s.value]]  # a state with none: no walk
    assert sum("ix_claim_tags_queue_priority (tag=? AND status=?)" in line for line in plan) == len(walked) > 0, plan
    assert not any("claims" in line.replace("claim_tags", "") for line in plan), plan
