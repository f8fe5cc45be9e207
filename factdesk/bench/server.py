"""The servers of a bench run, each a process it starts and stops by its own pid, on 127.0.0.1 only:
gunicorn serving the bench app, and for the multi-host shape a throwaway PostgreSQL cluster and Redis
(as `scripts/with-postgres.sh` and the tests start them: Debian's binaries, no persistence)."""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from .client import HOST, BenchError, http

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 5) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(process: subprocess.Popen, seconds: float = 30) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def gunicorn(database_url: str, workdir: Path, *, workers: int = 1, threads: int = 8, redis_url: str | None = None,
             fixtures: str | None = None):
    """gunicorn serving the bench app in production mode; yields (port, [log paths]); stops it after."""
    port = free_port()
    log = workdir / "gunicorn.log"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update({"DATABASE_URL": database_url, "FACTDESK_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
                "WEB_CONCURRENCY": str(workers), "PUBLIC_URL": f"http://{HOST}:{port}", "PYTHONUNBUFFERED": "1",
                # Production needs a mail server's address; nothing is delivered, as no worker runs in the bench.
                "MAIL_URL": f"smtp://{HOST}:25"})
    if redis_url:
        env["REDIS_URL"] = redis_url
    if fixtures:
        env["FACTDESK_FIXTURES"] = fixtures
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", "gthread",
               "--threads", str(threads), "--bind", f"{HOST}:{port}", "--keep-alive", "30",
               "--backlog", "512", "--timeout", "120", "--error-logfile", str(log), "--log-level", "warning",
               "factdesk.bench.serve:make_app()"]
    app_log = open(workdir / "app.log", "wb")  # the app's own log (its tracebacks) goes to stderr
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=app_log, stderr=app_log, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise BenchError(f"gunicorn exited with {process.returncode}: {_tail(log)} "
                                 f"| app: {_tail(workdir / 'app.log')}")
            try:
                if http(port, "GET", "/bench/trivial")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"gunicorn did not answer within 60 s: {_tail(log)} "
                                 f"| app: {_tail(workdir / 'app.log')}")
            time.sleep(0.2)
        yield port, [workdir / "app.log", log]
    finally:
        _stop(process)
        app_log.close()


def _binary(name: str, hint: str) -> str:
    """Debian's own PostgreSQL binaries first (its PATH entries are wrappers), then PATH."""
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[4]))
    found = str(candidates[-1]) if candidates else shutil.which(name)
    if found:
        return found
    raise BenchError(f"{name} is not installed: {hint}")


@contextmanager
def postgres(workdir: Path):
    """A throwaway PostgreSQL cluster on a free loopback port; yields its database URL."""
    initdb = _binary("initdb", "apt-get install postgresql (make test-postgres installs it)")
    pg_ctl = str(Path(initdb).with_name("pg_ctl"))
    port = free_port()
    data = workdir / "pg"
    data.mkdir()
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(workdir, "postgres", "postgres")
        shutil.chown(data, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    run = {"check": True, "capture_output": True, "text": True}
    subprocess.run([*as_postgres, initdb, "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                    "--locale=C.UTF-8"], **run)
    subprocess.run([*as_postgres, pg_ctl, "-D", str(data), "-l", str(workdir / "pg.log"), "-w", "-o",
                    f"-c listen_addresses={HOST} -p {port} -k {workdir} -c fsync=off -c full_page_writes=off "
                    "-c max_connections=200", "start"], **run)
    try:
        subprocess.run([*as_postgres, str(Path(initdb).with_name("createdb")), "-h", HOST, "-p", str(port),
                        "-U", "postgres", "bench"], **run)
        yield f"postgresql+psycopg://postgres@{HOST}:{port}/bench"
    finally:
        subprocess.run([*as_postgres, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)


@contextmanager
def redis(workdir: Path):
    """A throwaway redis-server on a free loopback port, no persistence; yields its URL."""
    binary = _binary("redis-server", "apt-get install redis-server (make test installs it)")
    port = free_port()
    process = subprocess.Popen([binary, "--bind", HOST, "--port", str(port), "--save", "", "--appendonly", "no",
                                "--dir", str(workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection((HOST, port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise BenchError(f"redis-server did not start on {HOST}:{port}") from None
                time.sleep(0.05)
        yield f"redis://{HOST}:{port}/0"
    finally:
        _stop(process, 10)
