"""Routine CLI commands (`users token`, `db backup`) against a desk under read load (DESIGN.md §9, §10):
no worker crashes, no request is lost. (A page cache that opened SQLite's `-shm` file behind its back
dropped SQLite's locks in the worker: workers died with SIGBUS while these commands ran.)"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
import requests

from tests.support.addresses import path_of
from tests.support.factories import ArticleFactory, ClaimFactory, to_state
from tests.support.live import ROOT, desk_server

from tests.conftest import PG_URL

pytestmark = pytest.mark.slow

READERS = 6


def _flask(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL",)}
    env.update({"DATABASE_URL": database_url, "FACTDESK_ENV": "development"})
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_cli_commands_beside_a_desk_under_read_load_crash_no_worker_and_lose_no_request(app, checker, editor,
                                                                                       tmp_path):
    story = ArticleFactory(by=checker, title="Harbour figures",
                           text="The harbour authority said cargo volumes rose by 12 percent.")
    check = to_state(ClaimFactory(article=story, by=checker, quote="cargo volumes rose by 12 percent",
                                  summary="Cargo rose 12 percent."), "published", checker, editor)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    paths = ["/", path_of(app, check), "/feed.atom", "/sitemap.xml", "/api/v1/public/claimreviews"]
    log = tmp_path / "gunicorn.log"
    answers: list[int] = []
    lost: list[str] = []
    with desk_server(url, log=log, threads=4, workers=1) as (base, server):
        stop = threading.Event()

        def reader(n: int) -> None:
            with requests.Session() as session:
                i = n
                while not stop.is_set():
                    path = paths[i % len(paths)]
                    i += 1
                    try:
                        answers.append(session.get(base + path, timeout=30).status_code)
                    except requests.RequestException as exc:
                        lost.append(f"{path}: {type(exc).__name__}")

        readers = [threading.Thread(target=reader, args=(n,)) for n in range(READERS)]
        for t in readers:
            t.start()
        tokens, backups = [], []
        try:
            for n in range(2):
                made = _flask(url, "users", "token", editor.email, "--name", f"under load {n}")
                assert made.returncode == 0, made.stderr
                tokens.append(made.stdout.strip().splitlines()[-1].split()[-1])
                backup = tmp_path / f"backup-{n}.db"
                taken = _flask(url, "db", "backup", str(backup))
                if PG_URL:  # PostgreSQL is backed up with pg_dump: the command says so and stops
                    assert taken.returncode != 0 and "pg_dump" in taken.stderr, taken.stderr
                else:
                    assert taken.returncode == 0, taken.stderr
                backups.append(backup)
                time.sleep(0.3)
        finally:
            time.sleep(0.5)
            stop.set()
            for t in readers:
                t.join(30)
        assert server.poll() is None, "gunicorn died"
        for token in tokens:
            me = requests.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
            assert me.status_code == 200 and me.json()["email"] == editor.email
    server_log = log.read_text()
    assert lost == [], lost[:5]
    assert len(answers) > 100 and set(answers) == {200}, {s: answers.count(s) for s in set(answers)}
    assert "SIGBUS" not in server_log and "WORKER TIMEOUT" not in server_log and "was sent" not in server_log
    assert server_log.count("Booting worker") == 1, server_log[-2000:]
    if not PG_URL:  # on PostgreSQL `db backup` prints the pg_dump to use instead
        for backup in backups:
            with sqlite3.connect(backup) as copy:
                assert copy.execute("SELECT count(*) FROM claims").fetchone()[0] >= 1
                assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
