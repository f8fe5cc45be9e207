"""The job queue on Redis (DESIGN.md §16: REDIS_URL for several hosts): the same outbox, the same worker,
the queue itself in a real redis-server on 127.0.0.1, and no job lost when a worker is killed."""
from __future__ import annotations

import os
import signal
import threading

import pytest
from huey.storage import RedisStorage
from sqlalchemy import select

from factdesk.claims.archive import request_archive
from factdesk.claims.evidence import add_evidence
from factdesk.extensions import db
from factdesk.jobs.queue import queue
from factdesk.models import Evidence, Job, JobState

from tests.support.archiving import archive_settings, claim  # noqa: F401  (a fixture)
from tests.support.live import redis_server, wait_until, worker_process
from tests.support.pages_server import serve_pages

PAGE = ("<html><head><title>Briefing</title></head><body><article><h1>Briefing</h1><p>The ministry said that about "
        "7,000 containers of munitions had been shipped since August, according to its weekly briefing.</p>"
        "<p>Officials would publish a further update next month with new figures on the transfers.</p>"
        "</article></body></html>")


@pytest.fixture
def redis(tmp_path_factory):
    with redis_server(tmp_path_factory.mktemp("redis")) as (url, client):
        yield url, client


@pytest.fixture
def app_settings(redis):
    return {**archive_settings(timeout=30), "REDIS_URL": redis[0]}



def _job() -> Job:
    """The test's job: the worker also runs the schedule, whose slots (keyed) may fall due meanwhile."""
    db.session.rollback()
    [job] = db.session.execute(select(Job).where(Job.key.is_(None))).scalars()
    return job


def _archive_job(claim, checker, pages, path: str) -> int:
    item = add_evidence(claim, checker, {"url": pages.page(path, PAGE)})
    request_archive(item)
    db.session.commit()
    return item.id


def test_with_redis_url_the_queue_lives_in_redis_and_a_worker_runs_its_jobs(app, claim, checker, redis, tmp_path):
    url, client = redis
    huey = queue(app)
    assert isinstance(huey.storage, RedisStorage)
    with serve_pages() as pages:
        item_id = _archive_job(claim, checker, pages, "/briefing")
        assert huey.pending_count() == 1 and client.dbsize() >= 1  # handed to Redis after the commit
        assert _job().state == JobState.waiting
        with worker_process(app.config["SQLALCHEMY_DATABASE_URI"], log=tmp_path / "worker.log",
                            extra_env={"REDIS_URL": url}):
            wait_until(lambda: _job().state == JobState.done, what="the worker running the job from Redis")
    archived = db.session.get(Evidence, item_id)
    assert archived.archive_status.startswith("archived") and "7,000 containers" in archived.archive_text
    assert pages.hits == ["/briefing"]


def test_with_redis_a_worker_killed_in_the_middle_of_a_job_loses_no_job(app, claim, checker, redis, tmp_path):
    url, _client = redis
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    with serve_pages() as pages:
        pages.gate = threading.Event()  # the page answers only when the test says so
        item_id = _archive_job(claim, checker, pages, "/slow")
        with worker_process(database, log=tmp_path / "worker1.log", extra_env={"REDIS_URL": url}) as first:
            wait_until(lambda: pages.hits == ["/slow"], what="the first worker fetching the page")
            assert _job().state == JobState.running and _job().worker.endswith(f":{first.pid}")
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(10)
        assert queue(app).pending_count() == 0  # Redis no longer holds it: only the desk's table does
        pages.gate.set()
        with worker_process(database, log=tmp_path / "worker2.log", extra_env={"REDIS_URL": url}):
            wait_until(lambda: _job().state == JobState.done, what="the second worker finishing the job")
    job = _job()
    assert job.attempts == 2 and "stopped while running it" in job.last_error
    assert "7,000 containers" in db.session.get(Evidence, item_id).archive_text
