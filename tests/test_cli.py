"""The command line of DESIGN.md §8."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from factdesk.extensions import db
from factdesk.models import ApiToken, Article, Claim, ClaimHistory, Rating, User

from tests.conftest import PG_URL

ROOT = Path(__file__).resolve().parents[1]


def _counts() -> dict:
    return {model.__name__: db.session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (User, Article, Claim, ClaimHistory, Rating)}


def test_demo_load_twice_leaves_the_same_rows(runner):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "checker@factdesk.test" in first.output and "password:" in first.output
    once = _counts()
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert _counts() == once
    assert once["User"] == 3 and once["Article"] == 1 and once["Claim"] >= 4


def test_users_create_with_password_on_stdin(runner):
    result = runner.invoke(args=["users", "create", "New@Desk.test", "--role", "editor", "--name", "New Editor",
                                 "--password-stdin"], input="a-long-password\n")
    assert result.exit_code == 0, result.output
    user = db.session.execute(select(User).where(User.email == "New@Desk.test")).scalar_one()
    assert user.role.value == "editor" and user.password_hash.startswith("scrypt:")


def test_users_create_refuses_duplicate_email_in_any_case(runner, editor):
    result = runner.invoke(args=["users", "create", editor.email.upper(), "--role", "checker", "--name", "X",
                                 "--password-stdin"], input="a-long-password\n")
    assert result.exit_code != 0
    assert "already has an account" in result.output
    assert "Traceback" not in result.output


def test_users_create_bad_role_is_one_clear_line(runner):
    result = runner.invoke(args=["users", "create", "x@desk.test", "--role", "boss", "--name", "X"])
    assert result.exit_code == 2
    assert "boss" in result.output


def test_users_token_prints_a_working_token(runner, client, checker):
    result = runner.invoke(args=["users", "token", checker.email, "--name", "cms"])
    assert result.exit_code == 0, result.output
    raw = result.output.strip()
    assert raw.startswith("fd_")
    stored = db.session.execute(select(ApiToken)).scalar_one()
    assert raw not in (stored.token_hash, stored.prefix)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).get_json()["email"] == checker.email


def test_users_token_for_unknown_email(runner):
    result = runner.invoke(args=["users", "token", "nobody@desk.test"])
    assert result.exit_code != 0 and "No user with e-mail nobody@desk.test" in result.output


@pytest.mark.skipif(bool(PG_URL), reason="SQLite backup; PostgreSQL desks use pg_dump (tested below)")
def test_db_backup_makes_a_working_copy(runner, tmp_path, seed_article):
    target = tmp_path / "backup.db"
    result = runner.invoke(args=["db", "backup", str(target)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(target) as copy:
        assert copy.execute("select title from articles").fetchone()[0] == seed_article.title
    again = runner.invoke(args=["db", "backup", str(target)])
    assert again.exit_code != 0 and "exists already" in again.output


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only")
def test_db_backup_on_postgres_gives_pg_dump_advice(runner, tmp_path):
    result = runner.invoke(args=["db", "backup", str(tmp_path / "x")])
    assert result.exit_code != 0 and "pg_dump" in result.output


def _flask(*args, env=None, input=None):
    environment = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, input=input, timeout=60)


def test_production_without_secret_key_exits_with_one_line():
    env = {"FACTDESK_ENV": "production", "SECRET_KEY": "", "DATABASE_URL": "sqlite:////tmp/x.db"}
    result = _flask("routes", env=env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "SECRET_KEY" in lines[0], result.stderr


def test_production_refuses_sqlite_with_several_workers():
    env = {"FACTDESK_ENV": "production", "SECRET_KEY": "s" * 40, "WEB_CONCURRENCY": "4",
           "PUBLIC_URL": "https://checks.example.org",
           "DATABASE_URL": "sqlite:////tmp/x.db"}
    result = _flask("routes", env=env)
    assert result.returncode != 0
    assert "DATABASE_URL=postgresql" in result.stderr and "Traceback" not in result.stderr
