"""One job queue for everything that must not run inside a request (DESIGN.md §16).

The contract the rest of the desk codes against:

- ``@job("mail.send", retries=5, retry_delay=30)`` registers a function that takes JSON-able keyword
  arguments. Jobs are idempotent: a job may run again after its worker died half-way.
- ``enqueue("mail.send", **payload)`` writes a row to the desk's ``jobs`` table (the outbox: name,
  payload, state waiting/running/done/failed, attempts, last error, timestamps) in the current
  ``db.session``, i.e. in the request's own transaction. Once that transaction commits the job is
  handed to the queue; a transaction that rolls back enqueues nothing. ``key=`` names a job that must
  exist once (a scheduled slot); ``delay=`` (seconds) holds it back.
- ``flask --app wsgi worker`` runs the worker (``make run`` starts it beside the web server). It
  imports every module of ``JOB_MODULES``, re-enqueues what a dead worker left running, and runs the
  schedule of ``factdesk.jobs.schedule`` (source monitoring, source watch, link checks).
- A failed run is retried after ``retry_delay`` seconds, doubling each time (at most an hour), until
  ``retries`` retries are spent; then the job is ``failed`` with its error, shown on ``/admin/jobs``.
- Tests: ``factdesk.jobs.worker.run_pending(app)`` runs the queue's pending jobs in-process through
  the same code as the worker.

The queue itself is Huey (``factdesk.jobs.queue``): its SQLite storage in a file beside a SQLite
desk, its Redis storage when ``REDIS_URL`` is set (several hosts), and its PostgreSQL storage in the
desk's own database when the desk runs on PostgreSQL without Redis (several hosts too).
"""
from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Job, JobState, utcnow

# Every module that defines jobs; the worker (and enqueue, for a name it does not know yet) imports them.
JOB_MODULES = (
    "factdesk.claims.archive",
    "factdesk.assist.meaning",
    "factdesk.articles.watch",
    "factdesk.monitor.passes",
    "factdesk.mail",
    "factdesk.notify",
)

HANDOFF_KEY = "factdesk_jobs_to_hand_off"
MAX_RETRY_DELAY = 3600


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: Callable[..., object]
    retries: int
    retry_delay: float
    timeout: float

    def delay_after(self, attempts: int) -> float:
        """Seconds before the next try, after `attempts` failed ones: retry_delay, doubling."""
        return min(self.retry_delay * 2 ** max(attempts - 1, 0), MAX_RETRY_DELAY)


REGISTRY: dict[str, JobSpec] = {}


def job(name: str, *, retries: int = 3, retry_delay: float = 30, timeout: float = 900) -> Callable:
    """Register `func` as the job `name` (run by the worker with the payload as keyword arguments).

    `timeout` is how long a run may hold its claim: past it, the job counts as abandoned and runs again.
    """

    def register(func: Callable) -> Callable:
        if name in REGISTRY and REGISTRY[name].func is not func:
            raise ValueError(f"job {name!r} is registered twice ({REGISTRY[name].func.__module__} and "
                             f"{func.__module__})")
        REGISTRY[name] = JobSpec(name, func, retries, retry_delay, timeout)
        return func

    return register


def load_job_modules() -> None:
    for module in JOB_MODULES:
        importlib.import_module(module)


def spec_for(name: str) -> JobSpec:
    if name not in REGISTRY:
        load_job_modules()
    if name not in REGISTRY:
        raise LookupError(f"no job is registered as {name!r}; add its module to factdesk.jobs.JOB_MODULES")
    return REGISTRY[name]


def enqueue(name: str, *, key: str | None = None, delay: float | None = None, **payload) -> Job | None:
    """Write a job to the outbox in the current transaction; it is handed to the queue after commit.

    With `key`, a job of that key that exists already is kept and None is returned.
    """
    spec = spec_for(name)
    json.dumps(payload)  # a payload that is not JSON fails here, in the caller, not in the worker
    if key is not None and db.session.execute(select(Job.id).where(Job.key == key)).first() is not None:
        return None
    now = utcnow()
    row = Job(name=name, payload=payload, state=JobState.waiting, attempts=0, max_attempts=spec.retries + 1,
              key=key, created_at=now, run_after=now + timedelta(seconds=delay or 0))
    db.session.add(row)
    db.session.flush()
    db.session.info.setdefault(HANDOFF_KEY, []).append((row.id, row.run_after))
    return row


@event.listens_for(Session, "after_commit")
def _hand_off(session: Session) -> None:
    handoff = session.info.pop(HANDOFF_KEY, None)
    if handoff:
        from .queue import hand_off

        hand_off(handoff)


@event.listens_for(Session, "after_rollback")
def _drop(session: Session) -> None:
    session.info.pop(HANDOFF_KEY, None)
