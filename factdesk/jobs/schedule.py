"""What the worker runs on a schedule (times in UTC), in one table.

Each entry enqueues a job through the outbox with a key naming its time slot, so that two workers
running the schedule (several hosts) make one job per slot, and the job is recorded like any other.
"""
from __future__ import annotations

import logging
from datetime import datetime

from flask import Flask
from huey import Huey, crontab

from ..extensions import db
from ..models import utcnow

log = logging.getLogger(__name__)

# job name → when (Huey's crontab, in UTC)
SCHEDULE = {
    "monitor.pass": crontab(minute="*/15"),                       # every source: four times an hour
    "articles.watch": crontab(minute="0", hour="3"),              # source watch: daily
    "evidence.check": crontab(minute="30", hour="3", day_of_week="0"),  # every evidence link: weekly
    "mail.digest": crontab(minute="5"),  # digests due in DESK_TIMEZONE's day: looked for hourly
    "claims.vectors": crontab(minute="*/5"),  # new and changed claims' vectors (the `semantic` extra)
}


def enqueue_scheduled(name: str, at: datetime) -> bool:
    """Enqueue the scheduled job `name` for the minute `at`; False when that slot has its job already.
    Inside an app context; commits."""
    from . import enqueue

    made = enqueue(name, key=f"{name}@{at:%Y-%m-%dT%H:%M}")
    db.session.commit()
    return made is not None


def register_schedule(app: Flask, huey: Huey) -> None:
    from .worker import recover

    def scheduled(name: str):
        def enqueue_slot() -> None:
            with app.app_context():
                try:
                    enqueue_scheduled(name, utcnow())
                finally:
                    db.session.remove()

        return enqueue_slot

    for name, when in SCHEDULE.items():
        huey.periodic_task(when, name=f"schedule:{name}")(scheduled(name))

    @huey.periodic_task(crontab(), name="factdesk.sweep")
    def sweep() -> None:
        with app.app_context():
            try:
                recover(huey)
            finally:
                db.session.remove()
