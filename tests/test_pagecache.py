"""The page cache (factdesk/pagecache.py) never shows a page older than the desk's last change,
never shows one person's page to another, and does serve a stored page while nothing changed."""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select

from factdesk.bench.generate import fill_desk
from factdesk.bench.pages import counting_statements
from factdesk.extensions import db
from factdesk.models import Claim, Status

from .conftest import PG_URL, login

QUEUE = "/desk?status=researching,in_review&sort=priority"
sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="SQLite's data_version; PostgreSQL needs Redis for desk pages")


@sqlite_only
def test_an_unchanged_desk_serves_the_stored_queue_page_without_sql(app, client, editor):
    fill_desk(40, 4)
    login(client, editor)
    client.get(QUEUE)  # the welcome message is shown (and consumed) once: that page is not kept
    with counting_statements(db.engine) as first:
        first_html = client.get(QUEUE).get_data(as_text=True)
    with counting_statements(db.engine) as second:
        again = client.get(QUEUE)
    assert again.status_code == 200 and again.get_data(as_text=True) == first_html
    assert len(first) > 0 and len(second) == 0  # stored after one render; then served without SQL


@sqlite_only
def test_readers_see_a_change_committed_by_another_process_at_once(app, client):
    fill_desk(60, 6)
    latest = db.session.execute(select(Claim).where(Claim.status == Status.published)
                                .order_by(Claim.published_at.desc(), Claim.id.desc())).scalars().first()
    assert client.get("/").status_code == 200
    assert "Marker wording from another process" not in client.get("/").get_data(as_text=True)
    # Another process (here a plain sqlite3 connection) rewords the newest published check.
    other = sqlite3.connect(db.engine.url.database)
    with other:
        other.execute("UPDATE claims SET summary = 'Marker wording from another process' WHERE id = ?", (latest.id,))
    other.close()
    assert "Marker wording from another process" in client.get("/").get_data(as_text=True)


def test_one_persons_cached_queue_is_never_served_to_another(app, editor, checker):
    fill_desk(40, 4)
    editors_client, checkers_client = app.test_client(), app.test_client()
    login(editors_client, editor)
    login(checkers_client, checker)
    for _ in range(3):
        assert f'class="nav-user">{editor.name}' in editors_client.get(QUEUE).get_data(as_text=True)
    page = checkers_client.get(QUEUE).get_data(as_text=True)
    assert f'class="nav-user">{checker.name}' in page and f'class="nav-user">{editor.name}' not in page


def test_a_deactivated_person_is_refused_even_with_a_cached_page(app, client, editor):
    fill_desk(20, 2)
    login(client, editor)
    assert client.get(QUEUE).status_code == 200
    assert client.get(QUEUE).status_code == 200
    editor.active = False
    db.session.commit()
    response = client.get(QUEUE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
