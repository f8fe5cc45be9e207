"""`flask --app wsgi worker`: the job queue's worker (DESIGN.md §15, §16)."""
from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from . import load_job_modules
from .queue import queue
from .worker import recover


@click.command("worker")
@click.option("--threads", type=click.IntRange(1, 32), default=2, show_default=True, help="Jobs run at once.")
@click.option("--no-schedule", is_flag=True, help="Run queued jobs only, not the schedule (another worker runs it).")
@click.option("--poll", type=click.FloatRange(0.1, 60), default=2.0, show_default=True,
              help="Longest pause between looks at an idle queue, in seconds.")
@with_appcontext
def worker_command(threads: int, no_schedule: bool, poll: float) -> None:
    """Run background jobs until stopped (Ctrl-C finishes the running jobs first)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = current_app._get_current_object()
    load_job_modules()
    huey = queue(app)
    resent = recover(huey)
    db.session.remove()
    click.echo(f"worker: {type(huey.storage).__name__}, {threads} thread(s), schedule "
               f"{'off' if no_schedule else 'on'}; {len(resent)} unfinished job(s) handed to the queue again",
               err=True)
    consumer = huey.create_consumer(workers=threads, worker_type="thread", periodic=not no_schedule,
                                    initial_delay=0.1, backoff=1.15, max_delay=poll, check_worker_health=True)
    consumer.run()
