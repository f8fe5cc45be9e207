"""The queue's counts come from queue_counts and queue_tag_counts, which the database keeps equal to the
claims and their tags (factdesk/claims/queue_counts.py), and merged per-state index walks give the
queue's own order."""
from __future__ import annotations

import re
import threading
import time

from sqlalchemy import create_engine, delete, func, insert, literal_column, select, update
from sqlalchemy.pool import NullPool

from factdesk.demo.generate import fill_desk
from factdesk.bench.statements import TOKEN_TOUCH, counting_statements
from factdesk.claims import bulk
from factdesk.extensions import db
from factdesk.models import Claim, ClaimTag, Priority, QueueCount, QueueTagCount, Status
from tests.conftest import login
from tests.support.factories import move, to_state, token_for


def _truth() -> dict:
    assignee = func.coalesce(Claim.assignee_id, literal_column("0"))  # one expression: PostgreSQL groups by it
    rows = db.session.execute(select(Claim.status, assignee, Claim.priority, func.count())
                              .group_by(Claim.status, assignee, Claim.priority)).all()
    return {(Status(s).value, a, int(p)): n for s, a, p, n in rows}


def _kept() -> dict:
    return {(r.status, r.assignee_id, r.priority): r.claims
            for r in db.session.execute(select(QueueCount)).scalars() if r.claims}


def test_queue_counts_follow_every_kind_of_change_to_claims(app, checker, editor):
    fill_desk(80, 8)
    db.session.commit()
    assert _kept() == _truth() and sum(_truth().values()) >= 80
    claims = db.session.execute(select(Claim).where(Claim.status == Status.new, Claim.assignee_id.is_(None))
                            .order_by(Claim.id).limit(6)).scalars().all()  # a checker may self-assign these
    move(claims[0], "researching", checker)  # a move by the workflow (assigns too)
    to_state(claims[1], "published", checker, editor)
    result = bulk.apply([claims[2].id, claims[3].id], "priority", "urgent", editor)  # bulk, by the ORM
    assert len(result.done) == 2
    db.session.execute(update(Claim).where(Claim.id == claims[4].id).values(priority=Priority.low,
                                                                            assignee_id=editor.id))  # plain SQL
    db.session.commit()
    assert _kept() == _truth()
    db.session.execute(insert(Claim).values(article_id=claims[5].article_id, anchor_start=0, anchor_end=3, quote="The",
                                            status=Status.in_review, priority=Priority.high))  # plain SQL too
    db.session.commit()
    assert _kept() == _truth()
    db.session.execute(delete(Claim).where(Claim.quote == "The", Claim.status == Status.in_review))
    db.session.commit()
    assert _kept() == _truth()


def _tag_truth() -> dict:
    assignee = func.coalesce(Claim.assignee_id, literal_column("0"))
    rows = db.session.execute(select(ClaimTag.tag, Claim.status, assignee, Claim.priority, func.count())
                              .join(Claim, Claim.id == ClaimTag.claim_id)
                              .group_by(ClaimTag.tag, Claim.status, assignee, Claim.priority)).all()
    return {(t, Status(s).value, a, int(p)): n for t, s, a, p, n in rows}


def _tags_kept() -> dict:
    return {(r.tag, r.status, r.assignee_id, r.priority): r.claims
            for r in db.session.execute(select(QueueTagCount)).scalars() if r.claims}


def test_queue_tag_counts_follow_tags_and_every_kind_of_change_to_claims(app, checker, editor):
    fill_desk(80, 8)
    db.session.commit()
    assert _tags_kept() == _tag_truth() and sum(_tag_truth().values()) >= 40
    claims = db.session.execute(select(Claim).where(Claim.status == Status.new, Claim.assignee_id.is_(None))
                            .order_by(Claim.id).limit(6)).scalars().all()  # a checker may self-assign these
    claims[0].tag_rows.append(ClaimTag(tag="harbour"))  # tags added and removed by the ORM
    claims[1].tag_rows.clear()
    db.session.flush()
    move(claims[0], "researching", checker)
    to_state(claims[1], "published", checker, editor)
    assert len(bulk.apply([claims[2].id, claims[3].id], "priority", "urgent", editor).done) == 2
    db.session.execute(update(Claim).where(Claim.id == claims[4].id).values(priority=Priority.low,
                                                                            assignee_id=editor.id))
    db.session.execute(insert(ClaimTag).values(claim_id=claims[4].id, tag="harbour"))  # plain SQL
    db.session.execute(update(ClaimTag).where(ClaimTag.claim_id == claims[4].id, ClaimTag.tag == "harbour")
                       .values(tag="port"))
    db.session.commit()
    assert _tags_kept() == _tag_truth()
    assert _tags_kept()[("port", "new", editor.id, int(Priority.low))] == 1
    made = [db.session.execute(insert(Claim).values(
        article_id=claims[5].article_id, anchor_start=0, anchor_end=3, quote="The", status=Status.in_review,
        priority=Priority.high).returning(Claim.id)).scalar_one() for _ in range(2)]  # no history: deletable
    db.session.execute(insert(ClaimTag), [{"claim_id": i, "tag": t} for i in made for t in ("port", "berth")])
    db.session.commit()
    assert _tags_kept() == _tag_truth()
    db.session.execute(delete(ClaimTag).where(ClaimTag.claim_id == made[0]))  # the tags first, then the claim
    db.session.execute(delete(Claim).where(Claim.id == made[0]))
    db.session.execute(delete(Claim).where(Claim.id == made[1]))  # the claim with its tags (the cascade)
    db.session.commit()
    assert _tags_kept() == _tag_truth()
    assert not db.session.execute(select(ClaimTag).where(ClaimTag.claim_id.in_(made))).first()


def test_a_queue_filtered_by_a_tag_sums_queue_tag_counts_and_lists_the_tags_claims(app, client, editor):
    fill_desk(60, 6)
    db.session.commit()
    login(client, editor)
    tag, n = max(((t, sum(v for (tt, *_), v in _tag_truth().items() if tt == t)) for t, *_ in _tag_truth()),
                 key=lambda pair: pair[1])
    client.get("/desk")
    with counting_statements(db.engine, ignore=(TOKEN_TOUCH,)) as seen:
        page = client.get(f"/desk?tag={tag}&per_page=100")
    assert page.status_code == 200
    assert not [s for s in seen if "count(claims.id)" in s]
    assert [s for s in seen if "FROM queue_tag_counts" in s]
    html = page.get_data(as_text=True)
    assert f"{n} claim{'s' if n != 1 else ''}" in html
    tagged = set(db.session.execute(select(ClaimTag.claim_id).where(ClaimTag.tag == tag)).scalars())
    assert {int(i) for i in re.findall(r'<tr id="claim-(\d+)"', html)} == tagged


def test_tabs_and_totals_are_sums_over_queue_counts_not_counts_of_claims(app, client, editor):
    fill_desk(60, 6)
    db.session.commit()
    login(client, editor)
    client.get("/desk")
    for query in ("", "status=new,researching&sort=priority", "assignee=none&priority=high,urgent", "assignee=me"):
        with counting_statements(db.engine, ignore=(TOKEN_TOUCH,)) as seen:
            page = client.get(f"/desk?{query}")
        assert page.status_code == 200
        assert not [s for s in seen if "count(claims.id)" in s], query
        assert [s for s in seen if "FROM queue_counts" in s], query
    truth = _truth()
    html = client.get("/desk").get_data(as_text=True)
    for status in ("new", "researching", "published"):
        n = sum(v for (s, _, _), v in truth.items() if s == status)
        assert f"{n:,}" in html or str(n) in html, status


def test_several_states_come_in_the_queues_own_order_on_every_page(app, editor):
    fill_desk(150, 10)
    db.session.commit()
    client = app.test_client()
    headers = token_for(editor)
    states = ["new", "researching", "in_review", "published"]
    claims = db.session.execute(select(Claim).where(Claim.status.in_(states))).scalars().all()
    keys = {
        "priority": lambda c: (-int(c.priority), c.created_at, c.id),
        "-priority": lambda c: (int(c.priority), _neg(c.created_at), -c.id),
        "age": lambda c: (c.created_at, c.id),
        "updated": lambda c: (_neg(c.updated_at), -c.id),
    }
    for sort, key in keys.items():
        expected = [c.id for c in sorted(claims, key=key)]
        got = []
        for page in (1, 2, 3, 4, 5):
            answer = client.get(f"/api/v1/claims?status={','.join(states)}&sort={sort}&per_page=25&page={page}",
                                headers=headers).get_json()
            got += [item["id"] for item in answer["items"]]
            assert answer["total"] == len(claims)
        assert got == expected[:len(got)] and len(got) == min(125, len(claims)), sort


def _neg(moment):
    return -moment.timestamp()


def test_a_generated_desk_leaves_its_count_tables_compact_and_right(app):
    """fill_desk bumps a count row per claim it inserts; on PostgreSQL the dead versions would spread
    the few live rows one to a page (every tab count reading them all) until a vacuum came by.

    Another session holds a snapshot through the whole load and lets go a second after it (as an
    autovacuum ANALYZE or a reader would), and on PostgreSQL a writing transaction in another database
    of the server does the same (as another desk's bulk load would: every snapshot's horizon is the
    oldest transaction running anywhere): a VACUUM FULL would keep every dead version either could
    see, so the count tables are written afresh instead."""
    postgres = db.engine.dialect.name == "postgresql"
    reader = db.engine.connect()
    if postgres:
        reader = reader.execution_options(isolation_level="REPEATABLE READ")  # one snapshot for the transaction
    reader.exec_driver_sql("SELECT 1").scalar_one()  # the snapshot is taken here, with no lock on any table
    holders = [reader]
    if postgres:
        elsewhere = create_engine(db.engine.url.set(database="postgres"), poolclass=NullPool)
        writer = elsewhere.connect()
        writer.exec_driver_sql("SELECT pg_current_xact_id()").scalar_one()  # a transaction id, held open
        holders.append(writer)
    released = threading.Event()

    def let_go_later(message: str) -> None:
        if message == "  claims 600/600":
            def release():
                for holder in holders:  # this database's reader after a second, the other's writer a second later
                    time.sleep(1.0)
                    holder.commit()
                    holder.close()
                released.set()
            threading.Thread(target=release, daemon=True).start()

    fill_desk(600, 20, let_go_later)
    assert released.wait(10)
    assert _kept() == _truth() and _tags_kept() == _tag_truth()
    if db.engine.dialect.name == "postgresql":
        pages = db.session.execute(select(func.pg_relation_size("queue_counts"))).scalar_one() // 8192
        activity = db.session.execute(db.text("SELECT pid, backend_type, state, backend_xmin, backend_xid, query "
                                              "FROM pg_stat_activity WHERE datname = current_database()")).all()
        assert pages <= 2, (pages, activity)
        analysed = db.session.execute(db.text("SELECT reltuples FROM pg_class WHERE relname = 'claims'")).scalar_one()
        assert analysed >= 600  # statistics as fresh as the desk
