"""The job queue (DESIGN.md §16): the outbox in the request's transaction, retries with backoff, jobs
that survive a killed worker, /admin/jobs."""
from __future__ import annotations

import os
import signal
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from factdesk.claims.archive import request_archive
from factdesk.claims.evidence import add_evidence
from factdesk.extensions import db
from factdesk.jobs import enqueue
from factdesk.jobs.queue import queue
from factdesk.models import Evidence, Job, JobState, Role, utcnow

from tests.conftest import login, post_form
from tests.support.archiving import archive_settings, claim  # noqa: F401  (a fixture)
from tests.support.factories import UserFactory
from tests.support.live import wait_until, worker_process
from tests.support.pages_server import serve_pages

PAGE = ("<html><head><title>Briefing</title></head><body><article><h1>Briefing</h1><p>The ministry said that about "
        "7,000 containers of munitions had been shipped since August, according to its weekly briefing.</p>"
        "<p>Officials would publish a further update next month with new figures on the transfers.</p>"
        "</article></body></html>")


@pytest.fixture
def app_settings():
    return archive_settings(timeout=30)



def _jobs() -> list[Job]:
    """The jobs the test made: a worker process also runs the schedule, whose slots (keyed) may fall due."""
    db.session.rollback()
    return list(db.session.execute(select(Job).where(Job.key.is_(None)).order_by(Job.id)).scalars())


def test_a_job_is_written_in_the_request_transaction_and_handed_over_after_commit(app, client, claim, checker,
                                                                                  run_jobs):
    with serve_pages() as pages:
        login(client, checker)
        response = post_form(client, f"/desk/claims/{claim.id}/evidence", {"evidence-url": pages.page("/b", PAGE)})
        assert response.status_code == 302
        [job] = _jobs()
        assert (job.name, job.state, job.attempts) == ("evidence.archive", JobState.waiting, 0)
        assert queue(app).pending_count() == 1
        assert run_jobs() == 1
    [job] = _jobs()
    assert job.state == JobState.done and job.attempts == 1 and job.finished_at is not None
    assert queue(app).pending_count() == 0


def test_a_request_that_rolls_back_enqueues_nothing(app, client, claim, checker):
    login(client, checker)
    # An evidence link that fails validation after the job would have been written: the form comes back
    # (422) and the transaction is rolled back, job and all.
    response = post_form(client, f"/desk/claims/{claim.id}/evidence",
                         {"evidence-url": "http://example.org/x", "evidence-accessed_at": "2999-01-01"})
    assert response.status_code == 422
    assert _jobs() == []
    enqueue("evidence.archive", evidence_id=1)
    db.session.rollback()
    assert _jobs() == [] and queue(app).pending_count() == 0


def test_a_failing_job_is_retried_with_backoff_then_marked_failed_with_its_error(app, claim, checker, run_jobs):
    item = add_evidence(claim, checker, {"url": "http://127.0.0.1:9/nothing"})
    job = enqueue("evidence.archive", evidence_id=item.id)
    job.payload = {"evidence_id": item.id, "colour": "red"}  # a payload the job does not take: it fails each time
    db.session.commit()
    job_id = job.id
    assert run_jobs() == 1
    db.session.rollback()
    job = db.session.get(Job, job_id)
    assert job.state == JobState.waiting and job.attempts == 1
    assert "TypeError" in job.last_error and "colour" in job.last_error
    first_delay = (job.run_after - utcnow()).total_seconds()
    assert 50 < first_delay <= 60  # retry_delay of evidence.archive
    assert run_jobs() == 0  # not due yet
    assert run_jobs(now=utcnow() + timedelta(hours=2)) == 2  # the second try, then the third (120 s later)
    db.session.rollback()
    job = db.session.get(Job, job_id)
    assert job.state == JobState.failed and job.attempts == 3 == job.max_attempts
    assert job.finished_at is not None and "colour" in job.last_error


def test_backoff_doubles_each_retry():
    from factdesk.jobs import JobSpec

    spec = JobSpec("x", print, retries=5, retry_delay=30, timeout=60)
    assert [spec.delay_after(n) for n in (1, 2, 3, 4, 8)] == [30, 60, 120, 240, 3600]


def test_a_job_handed_over_twice_runs_once(app, claim, checker, run_jobs):
    from factdesk.jobs.worker import send

    with serve_pages() as pages:
        item = add_evidence(claim, checker, {"url": pages.page("/b", PAGE)})
        job = enqueue("evidence.archive", evidence_id=item.id)
        db.session.commit()
        send(queue(app), job.id)  # a second copy on the queue (a sweep, or a second scheduler)
        assert run_jobs() == 2
        assert pages.hits == ["/b"]
    [job] = _jobs()
    assert job.state == JobState.done and job.attempts == 1


def test_a_job_the_queue_never_got_is_handed_over_by_the_sweep(app, claim, checker, run_jobs):
    from factdesk.jobs.worker import recover

    item = add_evidence(claim, checker, {"url": "http://127.0.0.1:9/x"})
    job = enqueue("evidence.archive", evidence_id=item.id)
    db.session.commit()
    queue(app).flush()  # the queue lost it (or the handoff after commit failed)
    job.run_after = utcnow() - timedelta(minutes=10)
    db.session.commit()
    assert recover(queue(app)) == [job.id]
    assert run_jobs() == 1
    [job] = _jobs()
    assert job.state == JobState.done


@pytest.mark.slow
def test_a_worker_killed_in_the_middle_of_a_job_loses_no_job(app, claim, checker, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with serve_pages() as pages:
        item = add_evidence(claim, checker, {"url": pages.page("/slow", PAGE)})
        pages.gate = threading.Event()  # the page answers only when the test says so
        request_archive(item)
        db.session.commit()
        item_id = item.id
        with worker_process(url, log=tmp_path / "worker1.log") as first:
            wait_until(lambda: pages.hits == ["/slow"], what="the first worker fetching the page")
            [job] = _jobs()
            assert job.state == JobState.running and job.worker.endswith(f":{first.pid}")
            os.killpg(first.pid, signal.SIGKILL)  # killed in the middle of the job
            first.wait(10)
        [job] = _jobs()
        assert job.state == JobState.running  # what the dead worker left
        pages.gate.set()
        with worker_process(url, log=tmp_path / "worker2.log"):
            wait_until(lambda: _jobs()[0].state == JobState.done, what="the second worker finishing the job")
    [job] = _jobs()
    assert job.attempts == 2 and "stopped while running it" in job.last_error
    archived = db.session.get(Evidence, item_id)
    assert archived.archive_status.startswith("archived") and "7,000 containers" in archived.archive_text
    assert pages.hits == ["/slow", "/slow"]


def test_admin_jobs_shows_waiting_running_and_failed_jobs_with_their_errors(app, client, admin, claim):
    waiting = enqueue("evidence.archive", evidence_id=101)
    running = enqueue("evidence.archive", evidence_id=102)
    failed = enqueue("evidence.check", claim_id=5)
    db.session.flush()
    running.state, running.worker, running.started_at, running.attempts = JobState.running, "deskhost:4242", utcnow(), 1
    failed.state, failed.attempts, failed.finished_at = JobState.failed, 2, utcnow()
    failed.last_error = "FetchError: Could not connect to <source> (refused)"
    db.session.commit()
    editor = UserFactory(role=Role.editor, email="ed@desk.test")
    login(client, editor)
    assert client.get("/admin/jobs").status_code == 403
    client.post("/logout")
    other = app.test_client()
    login(other, admin)
    page = other.get("/admin/jobs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Waiting (1)" in html and "Running (1)" in html and "Failed (1)" in html
    assert "deskhost:4242" in html
    assert "FetchError: Could not connect to &lt;source&gt; (refused)" in html
    assert "<code>evidence_id=101</code>" in html and waiting.id
