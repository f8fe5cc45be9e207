"""`flask --app wsgi bench`: build a desk of a given size, serve it with gunicorn, measure DESIGN.md §9.

What one run does, in order:
1. A fresh SQLite file in a temporary folder (or the empty database given by `--database-url`), the
   migrations, the bench people, and a tenth of the desk filled by `fill_desk` (progress on stderr),
   plus one article with 300 highlights and the same text with none.
2. SQL statements per page counted in-process (an engine event listener), at that tenth.
3. The rest of the desk filled; statements counted again at the full size.
4. gunicorn on 127.0.0.1 with a free port serving `factdesk.bench.serve:make_app()` — the real app plus
   the trivial route — with FACTDESK_ENV=production, a generated SECRET_KEY and ONE worker process
   with threads (`-w 1 -k gthread --threads 8`). One process is what the production config allows on
   SQLite (several workers need PostgreSQL, §10), and on this two-core machine it leaves the other
   core to the load generator, so the server, not the client, is what runs out of CPU.
5. The load generator (factdesk/bench/load.py, its own process) drives each page against its
   baseline: the queue page, a public check page and the public home against the trivial route; the
   article page with 300 highlights against the same text with none; full-text search against a page
   that reads one row by key (GET /api/v1/me). Each page is requested once first (its first render
   is the in-process `cold_ms` figure), then page and baseline alternate in short rounds (7; 3 with
   --quick) over `--concurrency` keep-alive connections, so a noisy neighbour slows both alike; a
   row's ratio is the median of its rounds' ratios.
6. The article page's JavaScript and CSS are fetched and weighed.
7. 50 writers (factdesk/bench/writers.py) hit the API with mixed reads and writes; then the
   database is read to prove every accepted write is there.
8. The report (factdesk/bench/report.py) is written (`--out`) and printed as a table.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from contextlib import contextmanager
from http.client import HTTPConnection
from pathlib import Path

import click

from . import report
from .load import build_request

HOST = "127.0.0.1"
USER_AGENT = "factdesk-bench"
HIGHLIGHTS = 300
FULL = {"claims": 100_000, "articles": 10_000}
QUICK = {"claims": 2_000, "articles": 200}


class BenchError(click.ClickException):
    """A step of the benchmark that cannot go on; one clear line, no traceback."""


# ---------------------------------------------------------------- progress on stderr

class Progress:
    """A one-line progress bar on stderr, fed by fill_desk's messages ("claims 5,000/100,000")."""

    PATTERN = re.compile(r"(claims|articles) ([\d,]+)/([\d,]+)")

    def __init__(self, label: str) -> None:
        self.label = label
        self.tty = sys.stderr.isatty()

    def __call__(self, message: str) -> None:
        match = self.PATTERN.search(message)
        if not match:
            if message.strip():
                self.line(message.strip())
            return
        what, done, total = match.group(1), int(match.group(2).replace(",", "")), int(match.group(3).replace(",", ""))
        width = 30
        filled = int(width * done / total) if total else width
        bar = f"{self.label} {what:8} [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,}"
        if self.tty:
            click.echo("\r" + bar, err=True, nl=done >= total)
        elif done >= total or done % (total // 4 or 1) < 5000:
            click.echo(bar, err=True)

    @staticmethod
    def line(message: str) -> None:
        click.echo(message, err=True)


# ---------------------------------------------------------------- the server

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, workdir: Path, *, threads: int = 8, worker_class: str = "gthread",
             fixtures: str | None = None):
    """gunicorn serving the bench app on 127.0.0.1; yields (port, error-log path); stops it after."""
    port = free_port()
    log = workdir / "gunicorn.log"
    env = {**os.environ, "DATABASE_URL": database_url, "FACTDESK_ENV": "production",
           "SECRET_KEY": secrets.token_hex(32), "WEB_CONCURRENCY": "1",
           "PUBLIC_URL": f"http://{HOST}:{port}", "PYTHONUNBUFFERED": "1"}
    if fixtures:
        env["FACTDESK_FIXTURES"] = fixtures
    root = Path(__file__).resolve().parents[2]
    command = [sys.executable, "-m", "gunicorn", "--workers", "1", "--worker-class", worker_class,
               "--threads", str(threads), "--bind", f"{HOST}:{port}", "--keep-alive", "30",
               "--backlog", "512", "--timeout", "120", "--error-logfile", str(log), "--log-level", "warning",
               "factdesk.bench.serve:make_app()"]
    app_log = open(workdir / "app.log", "wb")  # the app's own log (its tracebacks) goes to stderr
    process = subprocess.Popen(command, cwd=root, env=env, stdout=app_log, stderr=app_log, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise BenchError(f"gunicorn exited with {process.returncode}: {_tail(log)}")
            try:
                status, _, _ = http(port, "GET", "/bench/trivial")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"gunicorn did not answer within 60 s: {_tail(log)}")
            time.sleep(0.2)
        yield port, (workdir / "app.log", log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        app_log.close()


def _tail(path: Path, lines: int = 5) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return "(no log)"


def http(port: int, method: str, path: str, *, headers: dict | None = None, body: bytes | None = None,
         conn: HTTPConnection | None = None) -> tuple[int, dict, bytes]:
    """One request to the bench server (a fresh connection unless one is given)."""
    own = conn is None
    conn = conn or HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request(method, path, body=body, headers={"User-Agent": USER_AGENT, **(headers or {})})
        response = conn.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()} | {
            "set-cookie-all": response.headers.get_all("Set-Cookie") or []}, data
    finally:
        if own:
            conn.close()


def login_cookie(port: int, email: str, password: str) -> str:
    """Log in through the real form on the running server; returns the Cookie header to send."""
    from .pages import CSRF

    status, headers, body = http(port, "GET", "/login")
    jar = _cookies(headers)
    match = CSRF.search(body.decode("utf-8", "replace"))
    form = {"email": email, "password": password}
    if match:
        form["csrf_token"] = match.group(1) or match.group(2)
    status, headers, body = http(port, "POST", "/login", headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": _cookie_header(jar)},
        body=urllib.parse.urlencode(form).encode())
    if status != 302:
        raise BenchError(f"logging in as {email} on the bench server answered {status}")
    jar.update(_cookies(headers))
    # A browser keeps what the desk sets on its first page (the session's CSRF secret), so do the same.
    status, headers, _ = http(port, "GET", "/desk", headers={"Cookie": _cookie_header(jar)})
    jar.update(_cookies(headers))
    return _cookie_header(jar)


def _cookies(headers: dict) -> dict:
    jar = {}
    for raw in headers.get("set-cookie-all", []):
        name, _, rest = raw.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def _cookie_header(jar: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


# ---------------------------------------------------------------- load

def load(port: int, *, phases: list[dict], concurrency: int) -> list[dict]:
    """Run the load generator in its own process over `phases` (one after the other); their figures."""
    job = {"host": HOST, "port": port, "concurrency": concurrency,
           "phases": [{**phase, "requests": [r.decode("latin-1") for r in phase["requests"]]} for phase in phases]}
    budget = sum((p["duration"] * 10 + p["warmup"]) for p in phases) + 120
    done = subprocess.run([sys.executable, "-m", "factdesk.bench.load"], input=json.dumps(job), text=True,
                          capture_output=True, cwd=Path(__file__).resolve().parents[2], timeout=budget)
    if done.returncode != 0:
        raise BenchError(f"the load generator failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout)


def _merge(runs: list[dict]) -> dict:
    """Slices of one page as one figure: all requests over all measured seconds."""
    requests = sum(r["requests"] for r in runs)
    seconds = sum(r["seconds"] for r in runs)
    statuses: dict[str, int] = {}
    for r in runs:
        for k, v in r["statuses"].items():
            statuses[k] = statuses.get(k, 0) + v
    p50s = sorted(r["latency_ms"]["p50"] for r in runs if r["latency_ms"]["p50"] is not None)
    return {"requests": requests, "seconds": round(seconds, 3), "rps": round(requests / seconds, 1) if seconds else 0.0,
            "ok": sum(r["ok"] for r in runs), "statuses": statuses,
            "p50_ms": p50s[len(p50s) // 2] if p50s else None, "slices": len(runs),
            "errors": {k: v for r in runs for k, v in r["errors"].items()}}


def _median(values: list[float]) -> float | None:
    values = sorted(values)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


# ---------------------------------------------------------------- assets

ASSET = re.compile(r'<script[^>]*\bsrc="([^"]+)"|<link[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"'
                   r'|<link[^>]*\bhref="([^"]+)"[^>]*\brel="stylesheet"')
JS_IMPORT = re.compile(r'''(?:^|[;\n])\s*(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|(?:^|[;\n])\s*import\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)''')
CSS_IMPORT = re.compile(r'''@import\s+(?:url\()?["']?([^"')\s;]+)''')


def page_assets(port: int, path: str, headers: dict) -> dict:
    """Bytes of every script and stylesheet a page loads, following ES-module and CSS imports."""
    status, _, body = http(port, "GET", path, headers=headers)
    if status != 200:
        return {"status": status, "files": {}, "bytes": 0}
    html = body.decode("utf-8", "replace")
    queue = [next(g for g in m.groups() if g) for m in ASSET.finditer(html)]
    files: dict[str, int] = {}
    while queue:
        url = queue.pop(0).split("#", 1)[0]
        parsed = urllib.parse.urlsplit(url)
        if parsed.netloc or url in files:
            continue  # another host: not ours to weigh (the CSP allows none anyway)
        status, _, data = http(port, "GET", url, headers=headers)
        files[url] = len(data) if status == 200 else 0
        text = data.decode("utf-8", "replace")
        found = JS_IMPORT.findall(text) if parsed.path.endswith((".js", ".mjs")) else CSS_IMPORT.findall(text)
        for groups in found:
            target = next((g for g in (groups if isinstance(groups, tuple) else (groups,)) if g), None)
            if target:
                queue.append(urllib.parse.urljoin(url, target))
    return {"status": 200, "files": files, "bytes": sum(files.values())}


# ---------------------------------------------------------------- the command

@click.command("bench")
@click.option("--claims", type=click.IntRange(min=10), default=None, help="Claims on the desk (default 100,000).")
@click.option("--articles", type=click.IntRange(min=2), default=None, help="Articles (default 10,000).")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), default=None, help="Write the JSON report here.")
@click.option("--quick", is_flag=True, help="A small desk and short runs: under a minute.")
@click.option("--duration", type=click.FloatRange(min=0.2), default=None,
              help="Seconds of load per page, over all its rounds (default 7; 1 with --quick).")
@click.option("--concurrency", type=click.IntRange(min=1, max=256), default=None,
              help="Keep-alive connections of the load generator (default 16).")
@click.option("--writers", type=click.IntRange(min=1, max=200), default=50, show_default=True,
              help="Concurrent API clients in the writers' test.")
@click.option("--writer-requests", type=click.IntRange(min=1, max=1000), default=None,
              help="Requests each writer sends (default 20; 4 with --quick).")
@click.option("--database-url", default=None,
              help="An EMPTY database to fill instead of a temporary SQLite file (it is migrated and filled).")
@click.option("--keep", is_flag=True, help="Keep the temporary folder (database, gunicorn log).")
def bench(claims, articles, out, quick, duration, concurrency, writers, writer_requests, database_url, keep):
    """Measure DESIGN.md §9 on a desk of --claims claims across --articles articles; print the table."""
    from flask import current_app

    size = dict(QUICK if quick else FULL)
    if claims is not None:
        size["claims"] = claims
    if articles is not None:
        size["articles"] = articles
    if size["articles"] > size["claims"]:
        raise click.BadParameter("a desk needs at least as many claims as articles.", param_hint="--articles")
    duration = duration or (1.0 if quick else 7.0)
    warmup = 0.1 if quick else 0.2
    concurrency = concurrency or (8 if quick else 16)
    per_writer = writer_requests or (4 if quick else 20)
    workdir = Path(tempfile.mkdtemp(prefix="factdesk-bench-"))
    url = database_url or f"sqlite:///{workdir / 'bench.db'}"
    started = time.monotonic()
    try:
        result = _run(size, url, workdir, duration=duration, warmup=warmup, concurrency=concurrency,
                      writers=writers, per_writer=per_writer, quick=quick,
                      fixtures=current_app.config.get("FACTDESK_FIXTURES"))
    finally:
        if keep:
            click.echo(f"kept {workdir}", err=True)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    result["seconds"] = round(time.monotonic() - started, 1)
    if out:
        report.write(result, out)
    click.echo(report.table(result))
    click.echo(f"\n{sum(r['met'] for r in result['rows'])}/{len(result['rows'])} targets met "
               f"in {result['seconds']:.0f} s" + (f"; report in {out}" if out else ""))


def _run(size: dict, url: str, workdir: Path, *, duration: float, warmup: float, concurrency: int,
         writers: int, per_writer: int, quick: bool, fixtures: str | None) -> dict:
    from flask_migrate import upgrade

    from .. import create_app
    from ..accounts.tokens import issue_token
    from ..extensions import db
    from . import pages as P
    from .generate import fill_desk
    from .writers import prepare_writers, run_writers, verify_writers

    say = Progress.line
    overrides = {"SQLALCHEMY_DATABASE_URI": url, "FACTDESK_ENV": "development", "SECRET_KEY": secrets.token_hex(16)}
    if fixtures:
        overrides["FACTDESK_FIXTURES"] = fixtures
    app = create_app(overrides)
    small = {"claims": max(10, size["claims"] // 10), "articles": max(1, size["articles"] // 10)}
    with app.app_context():
        if url.startswith("sqlite") and db.session.execute(db.text(
                "SELECT count(*) FROM sqlite_master WHERE name = 'claims'")).scalar():
            raise BenchError("the database already has a desk; give --database-url an empty one")
        say(f"bench: migrating {db.engine.url.render_as_string(hide_password=True)}")
        upgrade()
        editor, checker, password = P.bench_people()
        db.session.commit()
        fill_desk(small["claims"], small["articles"], Progress("desk 1/2"))
        heavy, empty = P.heavy_article(HIGHLIGHTS, checker)
        db.session.commit()
        heavy_id, empty_id = heavy.id, empty.id
        _, raw_token = issue_token(editor, "bench")
        db.session.commit()
        token_headers = {"Authorization": f"Bearer {raw_token}"}
        editor_email = editor.email
    client = P.fresh_context_client(app)
    P.login(client, editor_email, password)
    with app.app_context():
        heavy, empty = db.session.get(P.Article, heavy_id), db.session.get(P.Article, empty_id)
        page_list = P.discover(app, client, heavy, empty, token_headers=token_headers)
    say(f"bench: counting SQL per page at {small['claims']:,} claims")
    counted = [p for p in page_list if p.name in P.COUNTED]
    counts_small = P.statements_per_page(app, client, counted, token_headers)
    with app.app_context():
        fill_desk(size["claims"] - small["claims"], size["articles"] - small["articles"], Progress("desk 2/2"), seed=8)
        db.session.commit()
    say(f"bench: counting SQL per page at {size['claims']:,} claims")
    counts_full = P.statements_per_page(app, client, counted, token_headers)
    say("bench: timing each page's render in-process, page cache off")
    cold = P.cold_costs(app, client, page_list, token_headers, 3 if quick else 10)
    from .ingest import measure as measure_ingest

    say("bench: monitoring ingest, sentences scored and matched in-process")
    ingest_row = measure_ingest(app)
    from .worstcase import LIMIT, measure as measure_worst_case

    say("bench: text functions on worst-case inputs (factdesk/bench/worstcase.py)")
    worst_case_row = measure_worst_case(LIMIT // 10 if quick else LIMIT, echo=say)
    with app.app_context():
        writer_plan = prepare_writers(writers)
        db.session.commit()
        from ..models import Article, Claim
        actual = {"claims": db.session.execute(db.select(db.func.count(Claim.id))).scalar_one(),
                  "articles": db.session.execute(db.select(db.func.count(Article.id))).scalar_one()}
        db.session.remove()
        db.engine.dispose()

    rows = [_sql_row(counts_small, counts_full, small, size, P.missing(page_list))]
    rounds = 3 if quick else 7
    slice_s = max(0.2, duration / rounds)
    with gunicorn(url, workdir, fixtures=fixtures) as (port, logs):
        cookie = login_cookie(port, editor_email, password)
        auth = {"session": {"Cookie": cookie}, "token": token_headers, None: {}}
        by_name = {p.name: p for p in page_list}

        def requests_for(*names: str) -> list[bytes]:
            return [build_request("GET", by_name[n].path, HOST, port, auth[by_name[n].auth]) for n in names
                    if n in by_name]

        trivial = [build_request("GET", "/bench/trivial", HOST, port)]

        def pair(label: str, target: list[bytes], base: list[bytes], base_label: str) -> dict | None:
            """Alternate slices of the page and its baseline; a noisy neighbour slows both alike."""
            if not target or not base:
                say(f"bench: {label}: page missing, not measured")
                return None
            # One request of each first: the steady state is measured; the first render of each page
            # (what it costs after the desk changed) is the in-process `cold_ms` figure.
            for request_bytes in target + base:
                method, path = request_bytes.split(b" ", 2)[:2]
                headers = dict(line.split(": ", 1) for line in request_bytes.decode("latin-1").split("\r\n")[1:]
                               if ": " in line)
                headers.pop("Host", None)
                headers.pop("Connection", None)
                http(port, method.decode(), path.decode(), headers=headers)
            phases = []
            for _ in range(rounds):
                phases += [{"requests": base, "duration": slice_s, "warmup": warmup},
                           {"requests": target, "duration": slice_s, "warmup": warmup}]
            runs = load(port, phases=phases, concurrency=concurrency)
            result = {"target": _merge(runs[1::2]), "baseline": _merge(runs[0::2]),
                      "rounds": [{"target_rps": t["rps"], "baseline_rps": b["rps"]}
                                 for b, t in zip(runs[0::2], runs[1::2])]}
            say(f"bench: {label:24} {result['target']['rps']:8.1f} req/s  vs {base_label} "
                f"{result['baseline']['rps']:8.1f} req/s  statuses {result['target']['statuses']}")
            return result

        figures = {
            "queue": pair("queue page", requests_for("queue"), trivial, "trivial"),
            "check": pair("public check page", requests_for("check"), trivial, "trivial"),
            "home": pair("public home", requests_for("home"), trivial, "trivial"),
            "article": pair(f"article, {HIGHLIGHTS} highlights", requests_for("article_highlights"),
                            requests_for("article_empty"), "none"),
            "search": pair("search", requests_for(*(n for n in by_name if n.startswith("search_"))),
                           requests_for("by_key"), "by key"),
        }
        assets = page_assets(port, by_name["article_highlights"].path, auth["session"]) \
            if "article_highlights" in by_name else None

        say(f"bench: {writers} writers, {per_writer} requests each")
        writer_result = run_writers(port, writer_plan, per_writer=per_writer)
        server_log = "".join(log.read_text(errors="replace") for log in logs if log.exists())
    with app.app_context():
        writer_check = verify_writers(writer_plan, writer_result)
        db.session.remove()
        db.engine.dispose()

    rows += _speed_rows(figures, cold)
    rows.append(_assets_row(assets))
    rows.append(_writers_row(writer_result, writer_check, server_log))
    rows.append(ingest_row)
    rows.append(worst_case_row)
    return report.build(
        {"claims": actual["claims"], "articles": actual["articles"]}, rows,
        requested=size, server={"gunicorn": "1 worker, gthread, 8 threads", "env": "production",
                                "database": "sqlite" if url.startswith("sqlite") else url.split(":", 1)[0]},
        load={"duration_s": duration, "rounds": rounds, "slice_s": slice_s, "warmup_s": warmup,
              "concurrency": concurrency},
        cold_ms=cold,
        pages={p.name: p.path for p in page_list}, missing_pages=P.missing(page_list), quick=quick)


def _ok(f: dict | None) -> bool:
    """Every answer measured was a success (a page answering 500s fast must not pass)."""
    return bool(f) and f["requests"] > 0 and f["ok"] == f["requests"]


def _rate_ratio(p: dict) -> float | None:
    """Median over rounds of page req/s ÷ baseline req/s."""
    return _median([r["target_rps"] / r["baseline_rps"] for r in p["rounds"] if r["baseline_rps"]])


def _cost_ratio(p: dict) -> float | None:
    """Median over rounds of page ms ÷ baseline ms (= baseline req/s ÷ page req/s)."""
    return _median([r["baseline_rps"] / r["target_rps"] for r in p["rounds"] if r["target_rps"]])


def _speed_rows(figures: dict, cold: dict) -> list[dict]:
    rows = []
    q = figures.get("queue")
    rows.append(report.row(
        "queue_page", q["target"]["rps"] if q else None, q["baseline"]["rps"] if q else None, unit="req/s",
        ratio=_rate_ratio(q) if q else None, met=bool(q) and _ok(q["target"]) and _ok(q["baseline"]),
        explains="queue page (50 rows, filtered, sorted) req/s vs the trivial route's, alternated; ratio = median of rounds",
        raw=q, cold_ms=cold.get("queue")))
    check, home = figures.get("check"), figures.get("home")
    both = [p for p in (check, home) if p]
    worst = min(both, key=_rate_ratio) if len(both) == 2 else None
    rows.append(report.row(
        "public_pages", worst["target"]["rps"] if worst else None, worst["baseline"]["rps"] if worst else None,
        unit="req/s", ratio=_rate_ratio(worst) if worst else None,
        met=len(both) == 2 and all(_ok(p["target"]) for p in both),
        explains="the worse of a public check page and the public home, req/s vs the trivial route's",
        raw={"check": check, "home": home}, cold_ms={"check": cold.get("check"), "home": cold.get("home")}))
    art = figures.get("article")
    rows.append(report.row(
        "article_highlights", report.ms_per_request(art["target"]["rps"]) if art else None,
        report.ms_per_request(art["baseline"]["rps"]) if art else None, unit="ms",
        ratio=_cost_ratio(art) if art else None, met=bool(art) and _ok(art["target"]) and _ok(art["baseline"]),
        explains="ms per request of the article page with 300 highlights vs the same text with none",
        raw=art, cold_ms={"with_highlights": cold.get("article_highlights"), "without": cold.get("article_empty")}))
    se = figures.get("search")
    rows.append(report.row(
        "search", report.ms_per_request(se["target"]["rps"]) if se else None,
        report.ms_per_request(se["baseline"]["rps"]) if se else None, unit="ms",
        ratio=_cost_ratio(se) if se else None, met=bool(se) and _ok(se["target"]) and _ok(se["baseline"]),
        explains="ms per request of GET /api/v1/search vs a page reading one row by key (GET /api/v1/me)",
        raw=se, cold_ms={"search": {k: v for k, v in cold.items() if k.startswith("search_")}, "by_key": cold.get("by_key")}))
    return rows


def _sql_row(small_counts: dict, full_counts: dict, small: dict, size: dict, missing: list[str]) -> dict:
    pages = {name: {"small": small_counts[name]["statements"], "full": full_counts[name]["statements"],
                    "status": [small_counts[name]["status"], full_counts[name]["status"]]}
             for name in full_counts}
    equal = all(p["small"] == p["full"] for p in pages.values())
    served = all(all(s < 400 for s in p["status"]) for p in pages.values())
    measured = sum(p["full"] for p in pages.values())
    baseline = sum(p["small"] for p in pages.values())
    return report.row("sql_per_page", measured, baseline or None, unit="statements", met=equal and served and bool(pages),
                      explains=f"SQL statements of the counted pages at {size['claims']:,} claims vs at "
                               f"{small['claims']:,}; met when every page costs the same at both sizes",
                      pages=pages, sizes={"small": small, "full": size}, missing_pages=missing)


def _assets_row(assets: dict | None) -> dict:
    if not assets or assets["status"] != 200:
        return report.row("assets_kb", None, 60.0, unit="KB", met=False,
                          explains="JS + CSS of the article page in KB vs the 60 KB budget (page missing)", raw=assets)
    kb = assets["bytes"] / 1024
    return report.row("assets_kb", kb, 60.0, unit="KB", explains="JS + CSS of the article page in KB vs the 60 KB budget",
                      files=assets["files"])


def _writers_row(result: dict, check: dict, server_log: str) -> dict:
    locked_in_log = server_log.count("database is locked")
    failures = result["server_errors"] + result["locked"] + locked_in_log + check["lost"] + result["transport_errors"]
    worked = result["accepted_writes"] > 0 and not result.get("missing_endpoints")
    return report.row("concurrent_writers", float(failures), float(result["requests"]), unit="",
                      ratio=(failures / result["requests"]) if result["requests"] else None, met=worked,
                      explains="failures (5xx, 'database is locked', lost writes, broken connections) out of "
                               "all requests of the writers",
                      locked_in_server_log=locked_in_log, run=result, verified=check)
