"""The queue behind the outbox: Huey, with the storage that fits how the desk is run.

- A SQLite desk: Huey's SQLite storage in a file beside the desk's database (``factdesk-jobs.db``
  next to ``factdesk.db``): one machine, nothing else to run.
- ``REDIS_URL`` set: Huey's Redis storage, shared by workers on several hosts.
- A PostgreSQL desk without Redis: Huey's PostgreSQL storage in the desk's own database (tables
  ``huey_*``, created by Huey, outside the models), so several hosts share it too.

The queue carries only job ids: what a job is lives in the desk's ``jobs`` table, so nothing is lost
when the queue loses a task (a worker killed while running it); ``worker.recover`` finds such jobs.
"""
from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import Huey
from huey.storage import PostgresStorage, RedisStorage, SqliteStorage
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

EXTENSION = "factdesk.jobs"
QUEUE_NAME = "factdesk"
QUEUE_TABLE_PREFIX = "huey_"


def storage_for(config: dict) -> tuple[type, dict]:
    """The Huey storage class and its arguments for this desk's settings."""
    if config.get("REDIS_URL"):
        return RedisStorage, {"url": config["REDIS_URL"]}
    url = make_url(config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "postgresql":
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return PostgresStorage, {"dsn": dsn, "table_prefix": QUEUE_TABLE_PREFIX.rstrip("_")}
    if url.database in (None, "", ":memory:"):
        raise RuntimeError("the job queue needs a SQLite desk stored in a file (or REDIS_URL)")
    path = Path(url.database)
    return SqliteStorage, {"filename": str(path.with_name(f"{path.stem}-jobs.db"))}


def queue(app: Flask | None = None) -> Huey:
    """This app's Huey, made on first use (a request that enqueues nothing never opens it)."""
    app = app or current_app._get_current_object()
    huey = app.extensions.get(EXTENSION)
    if huey is None:
        storage, options = storage_for(app.config)
        huey = Huey(QUEUE_NAME, results=False, utc=True, storage_class=storage, **options)
        from .worker import register_tasks

        register_tasks(app, huey)
        app.extensions[EXTENSION] = huey
    return huey


def hand_off(jobs: list[tuple[int, datetime]]) -> None:
    """Give committed jobs to the queue. If the queue cannot take them now, they stay waiting in the
    desk's table and the worker's sweep hands them over later."""
    if not has_app_context():
        log.error("jobs %s committed outside an app context; the worker's sweep will hand them over",
                  [job_id for job_id, _ in jobs])
        return
    from .worker import send

    huey = queue()
    for job_id, run_after in jobs:
        try:
            send(huey, job_id, run_after)
        except Exception:  # the job is safe in the desk's table: log it, the sweep retries the handoff
            log.exception("could not hand job %s to the queue; the worker's sweep will", job_id)
