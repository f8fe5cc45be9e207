"""`flask bench --quick` runs end to end (gunicorn, load generator, writers) and writes the §9 report.

Targets are not asserted here: a shared CI machine's timings say nothing. What is asserted is that
every row is present with its figures, that every page was measured as first views against its unit
while the desk was being written to, that the writers really wrote, and that no writer lost a write.
"""
from __future__ import annotations

import json
import os

import pytest

from factdesk.bench.command import bench
from factdesk.bench.load import build_request, drive
from factdesk.bench.report import ROW_NAMES

pytestmark = pytest.mark.slow


def test_quick_bench_writes_a_report_with_every_row(app, tmp_path):
    """On SQLite the single-host shape; under `make test-postgres` the multi-host one (`--postgres`:
    its own throwaway PostgreSQL and Redis, four gunicorn workers), so CI runs both."""
    out = tmp_path / "report.json"
    shape = ["--postgres"] if os.environ.get("TEST_DATABASE_URL") else []
    result = app.test_cli_runner().invoke(bench, ["--quick", "--duration", "0.6", "--writer-seconds", "2",
                                                  "--out", str(out), *shape])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["size"]["claims"] >= 2000 and report["size"]["articles"] >= 200
    rows = {row["name"]: row for row in report["rows"]}
    assert [name for name in ROW_NAMES if name != "sql_per_page"] == [
        name for name in rows if not name.startswith("sql_per_page.")]
    for row in rows.values():
        assert set(row) >= {"name", "measured", "baseline", "ratio", "target", "met"}
    for name in ("queue_page", "search", "public_pages", "article_highlights"):
        assert rows[name]["latency_ms"]["p50"] is not None and rows[name]["latency_ms"]["p95"] is not None, name
        assert rows[name]["unit_latency_ms"]["p50"] is not None, name
    queue = rows["queue_page"]["raw"]
    assert queue["target"]["requests"] > 0 and len(queue["rounds"]) == 3
    assert queue["target"]["statuses"] == {"200": queue["target"]["requests"]}
    assert not queue["target"]["addresses_repeated"]  # first views: no queue address asked twice
    assert set(rows["public_pages"]["repeated"]) == {"check", "home"}  # the report says if a page ran out
    target = rows["revalidation"]["raw"]["target"]
    assert target["statuses"] == {"304": target["requests"]}
    assert rows["sql_per_page.queue"]["measured"] > 0 and rows["sql_per_page.check"]["measured"] > 0
    assert report["busy_desk"]["commits"] > 0 and report["busy_desk"]["server_errors"] == 0
    writers = rows["concurrent_writers"]
    assert writers["run"]["writers"] == 50 and writers["run"]["attempted_edits"] > 0
    assert writers["verified"]["lost"] == 0, writers["verified"]["problems"]
    assert writers["run"]["server_errors"] == 0 and writers["run"]["locked"] == 0
    assert rows["ingest"]["sentences"] > 0 and rows["ingest"]["unit"] == "sentences/s"
    assert "| queue_page |" in result.output
    assert report["server"]["database"] == ("postgresql" if shape else "sqlite")
    assert report["server"]["redis"] is bool(shape)


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                    reason="PostgreSQL only: a database given to the bench (make test-postgres runs it)")
def test_a_postgresql_database_given_runs_the_multi_host_shape_with_redis(app, tmp_path, monkeypatch):
    """`--database-url postgresql+psycopg://…` with no REDIS_URL: four workers need Redis to share
    their login throttle (production refuses to start them without it), so the bench starts a
    throwaway one, as --postgres does. This run's gunicorn once exited at start with only
    "gunicorn exited with 2" to show for it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"{base.database}_bench_given"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    monkeypatch.delitem(app.config, "REDIS_URL", raising=False)
    out = tmp_path / "report.json"
    try:
        result = app.test_cli_runner().invoke(bench, [
            "--quick", "--claims", "60", "--articles", "6", "--duration", "0.4", "--writers", "5",
            "--writer-seconds", "1", "--out", str(out),
            "--database-url", base.set(database=name).render_as_string(hide_password=False)])
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["server"]["database"] == "postgresql" and report["server"]["redis"] is True
    assert report["server"]["gunicorn"].startswith("4 workers")


def test_load_generator_refuses_any_host_but_this_machine():
    with pytest.raises(ValueError, match="127.0.0.1"):
        drive("10.0.0.1", 80, [build_request("GET", "/", "10.0.0.1", 80)], duration=0.1)


def test_first_view_addresses_are_distinct_and_asking_for_more_than_exist_ends():
    from factdesk.bench.pages import queue_urls

    queues = queue_urls(2000)
    assert len(set(queues)) == 2000


def test_home_addresses_are_every_page_a_reader_can_reach_and_each_one_exists(app):
    """The home's first views: distinct, every page of every filter the home offers (a rating, a tag,
    both) up to the last page that exists, each written as the pager's links write it, and each of
    them a page with checks on it."""
    import re
    from urllib.parse import parse_qs, urlsplit

    from factdesk.bench.pages import home_urls
    from factdesk.demo.generate import fill_desk
    from factdesk.extensions import db

    fill_desk(400, 20)
    db.session.commit()
    every = home_urls(app, 100_000)
    assert len(every) == len(set(every)) and "/" in every
    assert home_urls(app, 50) == home_urls(app, 50) and len(home_urls(app, 50)) == 50  # the same draw each run
    queries = [parse_qs(urlsplit(url).query) for url in every]
    assert any("rating" in q and "tag" in q for q in queries)  # the form sets both at once
    assert any(int(q.get("page", ["1"])[0]) > 1 for q in queries if "rating" in q and "tag" not in q)
    assert any("after" in q for q in queries) and any("before" in q for q in queries)
    client = app.test_client()
    links = set()
    for url in every:
        html = client.get(url).get_data(as_text=True)
        assert 'class="check-card"' in html, url  # no page past the end
        links.update(link.replace("&amp;", "&") for link in re.findall(r'rel="(?:next|prev)" href="([^"]+)"', html))
    assert links <= set(every)  # every pager link of every page is among them ...
    assert set(every) - links <= {url for url, q in zip(every, queries) if "page" not in q}  # ... and only those
