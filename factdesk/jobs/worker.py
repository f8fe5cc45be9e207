"""Running jobs: claim a job in the desk's table, run it, record how it went; find what a dead worker left.

One Huey task, ``factdesk.run_job(job_id)``, runs every job: the name and payload are read from the
``jobs`` row, so what the queue holds is only a pointer and the desk's table is the record. Claiming
is one conditional UPDATE (waiting, or running past its lease, becomes running), so a job handed to
the queue twice runs once. A job's own writes and its ``done`` mark commit together.
"""
from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta, timezone

from flask import Flask
from huey import Huey
from sqlalchemy import and_, or_, select, update

from ..extensions import db
from ..models import Job, JobState, utcnow
from . import REGISTRY, load_job_modules, spec_for

log = logging.getLogger(__name__)

TASK_NAME = "factdesk.run_job"
# A waiting job not picked up this long after it was due is handed to the queue again (the handoff
# after commit may have failed, or the queue lost it); a second copy is harmless, claiming is atomic.
HANDOFF_GRACE = timedelta(minutes=5)
ERROR_CHARS = 2000


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def register_tasks(app: Flask, huey: Huey) -> None:
    """The one task that runs jobs, and the schedule, on this app's Huey."""

    @huey.task(name=TASK_NAME)
    def run_job(job_id: int) -> None:
        with app.app_context():
            try:
                run(huey, job_id)
            finally:
                db.session.remove()

    huey.factdesk_run_job = run_job
    from .schedule import register_schedule

    register_schedule(app, huey)


def send(huey: Huey, job_id: int, run_after: datetime | None = None) -> None:
    """Put one job id on the queue, now or at `run_after`."""
    task = huey.factdesk_run_job
    if run_after is not None and run_after > utcnow():
        task.schedule(args=(job_id,), eta=run_after)
    else:
        huey.enqueue(task.s(job_id))


def _reason(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {message}"[:ERROR_CHARS]


def _claim(job_id: int) -> Job | None:
    """Mark the job running for this worker, if nobody else holds it; commits."""
    row = db.session.execute(select(Job.name, Job.state).where(Job.id == job_id)).first()
    if row is None or row.state in (JobState.done, JobState.failed):
        db.session.rollback()
        return None
    spec = REGISTRY.get(row.name)
    now = utcnow()
    lease = now + timedelta(seconds=spec.timeout if spec else 60)
    claimed = db.session.execute(
        update(Job).where(Job.id == job_id, or_(Job.state == JobState.waiting,
                                                and_(Job.state == JobState.running, Job.lease_until < now)))
        .values(state=JobState.running, attempts=Job.attempts + 1, started_at=now, worker=worker_id(),
                lease_until=lease).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return db.session.get(Job, job_id) if claimed else None


def run(huey: Huey, job_id: int) -> JobState | None:
    """Run one job (inside an app context); returns its new state, or None when it was not ours to run."""
    job = _claim(job_id)
    if job is None:
        return None
    name, payload = job.name, dict(job.payload or {})
    try:
        spec = spec_for(name)
        spec.func(**payload)
    except Exception as exc:  # recorded on the job, shown on /admin/jobs, retried with backoff
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, name)
        return _failed(huey, job_id, _reason(exc))
    job = db.session.get(Job, job_id)
    job.state, job.finished_at, job.lease_until = JobState.done, utcnow(), None
    db.session.commit()
    return JobState.done


def _failed(huey: Huey, job_id: int, reason: str) -> JobState:
    job = db.session.get(Job, job_id)
    job.last_error = reason
    job.lease_until = None
    spec = REGISTRY.get(job.name)
    if spec is None or job.attempts >= job.max_attempts:
        job.state, job.finished_at = JobState.failed, utcnow()
        db.session.commit()
        return JobState.failed
    job.state = JobState.waiting
    job.run_after = utcnow() + timedelta(seconds=spec.delay_after(job.attempts))
    run_after = job.run_after
    db.session.commit()
    send(huey, job_id, run_after)
    return JobState.waiting


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _abandoned(job: Job, now: datetime) -> bool:
    """A running job whose worker is gone: its lease ran out, or its process on this host has died."""
    if job.lease_until is not None and job.lease_until < now:
        return True
    host, _, pid = (job.worker or "").rpartition(":")
    return host == socket.gethostname() and pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid))


def recover(huey: Huey) -> list[int]:
    """Hand again to the queue every job that will not finish by itself: running under a dead worker,
    or waiting well past its time. Inside an app context; commits. Returns the job ids sent."""
    now = utcnow()
    sent: list[int] = []
    for job in db.session.execute(select(Job).where(Job.state == JobState.running)).scalars():
        if not _abandoned(job, now):
            continue
        note = f"the worker {job.worker} stopped while running it"
        if job.attempts >= job.max_attempts:
            job.state, job.finished_at, job.last_error = JobState.failed, now, note
            continue
        job.state, job.run_after, job.lease_until, job.last_error = JobState.waiting, now, None, note
        sent.append(job.id)
    late = db.session.execute(select(Job).where(Job.state == JobState.waiting,
                                                Job.run_after < now - HANDOFF_GRACE)).scalars().all()
    for job in late:
        job.run_after = now
        sent.append(job.id)
    db.session.commit()
    for job_id in sent:
        send(huey, job_id)
    if sent:
        log.warning("re-enqueued %d job(s) that a worker left unfinished or the queue never got: %s", len(sent), sent)
    return sent


def run_pending(app: Flask, now: datetime | None = None) -> int:
    """Run every job the queue holds that is due by `now` (default: now), in this process, through the
    same code as the worker, until none is left; returns how many tasks ran. For tests and one-off runs."""
    from .queue import queue

    load_job_modules()
    huey = queue(app)
    ran = 0
    while True:
        moment = _naive(now or utcnow())
        for task in huey.read_schedule(moment):
            huey.enqueue(task)
        task = huey.dequeue()
        if task is None:
            return ran
        if not huey.ready_to_run(task, moment):
            huey.add_schedule(task)  # a task for later reaches the queue first, as with the consumer
            continue
        huey.execute(task, moment)
        ran += 1


def _naive(moment: datetime) -> datetime:
    """Huey's clock: naive UTC."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo is not None else moment
