"""`make run` (scripts/run-desk.sh): the web server and the job queue's worker start together, and Ctrl-C
stops both."""
from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest
import requests

from factdesk import create_app
from factdesk.extensions import db
from factdesk.jobs import enqueue
from factdesk.models import Job, JobState

from tests.support.live import ROOT, free_port, wait_until


def _group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(entry.name))
    return members


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


@pytest.mark.slow
def test_make_run_starts_web_server_and_worker_and_ctrl_c_stops_both(tmp_path):
    database = f"sqlite:///{tmp_path / 'run.db'}"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update({"DATABASE_URL": database, "PORT": str(port), "FACTDESK_ENV": "development"})
    log = open(tmp_path / "run.log", "ab")
    script = subprocess.Popen(["bash", str(ROOT / "scripts" / "run-desk.sh")], cwd=ROOT, env=env, stdout=log,
                              stderr=log, start_new_session=True)
    try:
        wait_until(lambda: _answers(f"http://127.0.0.1:{port}/healthz") or script.poll() is not None,
                   seconds=120, what="the web server answering")
        assert script.poll() is None, (tmp_path / "run.log").read_text()[-2000:]
        # The worker beside it runs a job written by someone else to the same desk.
        app = create_app({"SQLALCHEMY_DATABASE_URI": database, "FACTDESK_ENV": "testing", "SECRET_KEY": "x"})
        with app.app_context():
            job_id = enqueue("evidence.archive", evidence_id=999_999).id  # no such evidence: nothing to fetch
            db.session.commit()

            def done() -> bool:
                db.session.rollback()
                return db.session.get(Job, job_id).state == JobState.done

            wait_until(done, seconds=60, what="the worker running the job")
            db.session.remove()
            db.engine.dispose()
        assert len(_group_members(script.pid)) >= 3  # the script, the worker, the web server
        os.killpg(script.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        script.wait(30)
        wait_until(lambda: not _group_members(script.pid), seconds=30, what="web server and worker exiting")
        assert not _answers(f"http://127.0.0.1:{port}/healthz")
        output = (tmp_path / "run.log").read_text()
        assert "Demo logins" in output and "worker: SqliteStorage" in output
    finally:
        if script.poll() is None or _group_members(script.pid):
            os.killpg(script.pid, signal.SIGKILL)
        log.close()
