"""The `flask --app wsgi …` commands of DESIGN.md §8. Bad arguments: one clear line on stderr, exit 2."""
from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_migrate.cli import db as db_group

from .errors import DomainError
from .extensions import db
from .mail import where_mail_goes

users = AppGroup("users", help="Manage the desk's people.")
demo = AppGroup("demo", help="The demo desk.")


def fail(message: str) -> None:
    """Stop a command with one clear line and a non-zero exit, never a traceback."""
    raise click.ClickException(message)


@db_group.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def backup(path: str) -> None:
    """Write a consistent copy of a live SQLite desk to PATH (PostgreSQL: use pg_dump)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        fail("This desk runs on PostgreSQL: back it up with `pg_dump --format=custom --file=BACKUP \"$DATABASE_URL\"` "
             "(drop the +psycopg part of the URL), and restore with pg_restore.")
    target = Path(path)
    if target.exists():
        fail(f"{target} exists already; choose a new file name.")
    if not target.parent.exists():
        fail(f"The folder {target.parent} does not exist.")
    source = sqlite3.connect(url.database)
    copy = sqlite3.connect(str(target))
    try:
        # SQLite's online backup API copies a consistent snapshot while writers go on.
        with copy:
            source.backup(copy)
    finally:
        copy.close()
        source.close()
    click.echo(f"Backed up {url.database} to {target} ({target.stat().st_size:,} bytes).")


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["checker", "editor", "admin"]), required=True)
@click.option("--name", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password as one line from standard input.")
def users_create(email: str, role: str, name: str, password_stdin: bool) -> None:
    """Create a person who can log in."""
    from .accounts.users import create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email, name, role, password)
    except DomainError as exc:
        fail(exc.message)
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.name} <{user.email}> (id {user.id}).")


@users.command("token")
@click.argument("email")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
def users_token(email: str, name: str) -> None:
    """Print a new API token for EMAIL, once (recorded as made by the server's operator)."""
    from .accounts.tokens import issue_token
    from .accounts.users import find_by_email

    user = find_by_email(email)
    if user is None:
        fail(f"No user with e-mail {email}.")
    if not user.active:
        fail(f"{email} is deactivated; reactivate the account first.")
    try:
        _, raw = issue_token(user, name)
    except DomainError as exc:
        fail(exc.message)
    db.session.commit()
    click.echo(raw)


@demo.command("load")
@click.option("--claims", type=click.IntRange(min=0), default=None, help="Fill the desk to this many claims.")
@click.option("--articles", type=click.IntRange(min=1), default=None, help="…across this many articles.")
def demo_load(claims: int | None, articles: int | None) -> None:
    """Demo users (one per role), the seed article and its claims; running it again changes nothing."""
    from .demo import load_demo

    if current_app.config["FACTDESK_ENV"] == "production":
        fail("demo load refuses to run with FACTDESK_ENV=production: demo logins have published passwords.")
    try:
        logins = load_demo(claims=claims, articles=articles, echo=lambda m: click.echo(m, err=True))
    except DomainError as exc:
        fail(exc.message)
    click.echo("Demo logins (development only):")
    for role, email, password in logins:
        click.echo(f"  {role:8} {email:28} password: {password}")
    click.echo(where_mail_goes(current_app.config))


def register_commands(app) -> None:
    app.cli.add_command(users)
    app.cli.add_command(demo)
    from .articles.cli import articles

    app.cli.add_command(articles)
    from .assist.evaluate import register as register_rankers

    register_rankers(app)  # `flask rankers evaluate`
    from .claims.archive import evidence_cli

    app.cli.add_command(evidence_cli)  # `flask evidence check`
    from .bench.command import bench

    app.cli.add_command(bench)  # `flask bench` (DESIGN.md §9)
    from .jobs.cli import worker_command

    app.cli.add_command(worker_command)
    from .monitor.cli import monitor_cli

    app.cli.add_command(monitor_cli)
