"""`flask --app wsgi monitor run`: one monitoring pass now, in this process."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from .passes import run_pass

monitor_cli = AppGroup("monitor", help="Monitoring: sources followed, repeats of published checks found.")


@monitor_cli.command("run")
def run_command() -> None:
    """Read every active source now and import its new items (the worker does this every 15 minutes)."""
    outcomes = run_pass(echo=click.echo)
    new = sum(len(o.imported) for o in outcomes)
    failed = sum(o.error is not None for o in outcomes)
    click.echo(f"{len(outcomes)} source(s) read, {new} new item(s), {failed} source(s) failed.", err=True)
