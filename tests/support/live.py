"""Real servers on 127.0.0.1 for the hardening suites: the desk under gunicorn, and a throwaway Redis.

Each helper starts a process it owns and stops it by its own pid; nothing listens beyond loopback.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: "
                               f"{process.stderr.read()[-2000:] if process.stderr else ''}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer in {seconds} seconds")


@contextmanager
def desk_server(database_url: str, *, workers: int = 1, redis_url: str | None = None, log: Path | None = None,
                extra_env: dict | None = None, access_log: Path | None = None, threads: int = 1):
    """The desk under gunicorn on a free loopback port, against `database_url` (a test's own database);
    `access_log` records every request that reached it."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update({"FACTDESK_ENV": "development", "DATABASE_URL": database_url,
                "SECRET_KEY": "hardening-tests-shared-secret", "WEB_CONCURRENCY": str(workers),
                "PYTHONPATH": str(ROOT)})
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra_env or {})
    out = open(log or os.devnull, "ab")
    logging = ["--access-logfile", str(access_log)] if access_log else []
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(workers), "--threads", str(threads), "--bind", f"127.0.0.1:{port}",
         "--timeout", "60", "--graceful-timeout", "2", *logging, "wsgi:app"],
        cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/healthz", process)
        yield base, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        out.close()


@contextmanager
def redis_server(workdir: Path):
    """A throwaway redis-server on a free loopback port, no persistence; stopped by its pid."""
    binary = shutil.which("redis-server")
    if binary is None:
        import pytest

        pytest.fail("redis-server is not installed (`make test` installs it from Debian: apt-get install redis-server)")
    port = free_port()
    pidfile = workdir / "redis.pid"
    subprocess.run([binary, "--daemonize", "yes", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                    "--appendonly", "no", "--pidfile", str(pidfile), "--dir", str(workdir)], check=True,
                   capture_output=True)
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    end = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > end:
                raise
            time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0", client
    finally:
        pid = None
        for _ in range(50):
            if pidfile.exists() and pidfile.read_text().strip():
                pid = int(pidfile.read_text().strip())
                break
            time.sleep(0.05)
        if pid:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        client.close()


def csrf_from(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def browser_login(session: requests.Session, base: str, email: str, password: str) -> requests.Response:
    token = csrf_from(session.get(f"{base}/login", timeout=10).text)
    return session.post(f"{base}/login", data={"csrf_token": token, "email": email, "password": password},
                        allow_redirects=False, timeout=10)


@contextmanager
def worker_process(database_url: str, *, log: Path | None = None, extra_env: dict | None = None):
    """`flask --app wsgi worker` against `database_url`, in its own process group; yields the process.
    Stopped with SIGINT (as Ctrl-C) if still running at the end.

    Its schedule is off (`--no-schedule`): the schedule follows the wall clock, so a worker running on a
    quarter hour would add a `monitor.pass` job (at :05 a `mail.digest`) to the jobs a test counts.
    `tests/test_run.py` runs the worker with its schedule, as `make run` does."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update({"FACTDESK_ENV": "development", "DATABASE_URL": database_url, "SECRET_KEY": "worker-tests-secret",
                "FACTDESK_ALLOW_PRIVATE_FETCH": "1", "PYTHONPATH": str(ROOT), **(extra_env or {})})
    out = open(log or os.devnull, "ab")
    process = subprocess.Popen([str(BIN / "flask"), "--app", "wsgi", "worker", "--poll", "0.2", "--no-schedule"],
                               cwd=ROOT, env=env,
                               stdout=out, stderr=out, start_new_session=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        out.close()


def wait_until(predicate, seconds: float = 60, what: str = "the condition") -> None:
    """Poll `predicate` until it is true; fail after `seconds` (a bound against hanging, not a timing test)."""
    end = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError(f"{what} did not happen within {seconds} seconds")
        time.sleep(0.1)
