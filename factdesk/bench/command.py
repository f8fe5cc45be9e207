"""`flask --app wsgi bench`: build a desk of a given size, serve it with gunicorn, measure DESIGN.md §9.

What one run does, in order:
1. A fresh SQLite file in a temporary folder — or, with `--postgres`, a throwaway PostgreSQL cluster
  and Redis started by the bench (or the empty database given by `--database-url`) — migrated, with
  the bench people, and a tenth of the desk filled by `fill_desk`, plus one article with 300
  highlights and the same text with none.
2. SQL statements of each page counted in-process (factdesk/bench/statements.py) at that tenth, the
  rest of the desk filled, and counted again at the full size: one row per page.
3. gunicorn on 127.0.0.1 (factdesk/bench/server.py) serving the real app plus the by-key page and the
  trivial route (factdesk/bench/serve.py), in production mode: on SQLite ONE worker process with 8
  threads (what production allows on SQLite); on PostgreSQL four workers with 4 threads and Redis.
4. Writers commit at `--writes-per-second` (default 5) during the whole run (factdesk/bench/writers.py).
5. The load generator (factdesk/bench/load.py, its own process) alternates each page with its unit in
  short rounds, so a noisy neighbour slows both alike; every request of a page is a first view: an
  address nobody asked before in the run (a different queue filter, check, query, claim).
6. The article page's JavaScript and CSS are weighed (factdesk/bench/assets.py); monitoring's
  ingest is measured in-process on the full desk (factdesk/bench/ingest.py).
7. 50 clients edit shared claims for 30 s; the database is read to prove every accepted edit is there.
8. The report (factdesk/bench/rows.py, report.py) is written (`--out`) and printed as a table.
"""
from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import quote

import click

from . import report, rows
from .client import HOST, BenchError, http, login_cookie
from .load import build_request

HIGHLIGHTS = 300
FULL = {"claims": 100_000, "articles": 10_000}
QUICK = {"claims": 2_000, "articles": 200}


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
                say(message.strip())
            return
        what, done, total = match.group(1), int(match.group(2).replace(",", "")), int(match.group(3).replace(",", ""))
        width = 30
        filled = int(width * done / total) if total else width
        bar = f"{self.label} {what:8} [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,}"
        if self.tty:
            click.echo("\r" + bar, err=True, nl=done >= total)
        elif done >= total or done % (total // 4 or 1) < 5000:
            click.echo(bar, err=True)


def say(message: str) -> None:
    click.echo(message, err=True)


def load(port: int, *, lists: dict[str, list[bytes]], phases: list[dict], concurrency: int,
         min_requests: int = 20) -> list[dict]:
    """Run the load generator in its own process over `phases` (one after the other); their figures."""
    job = {"host": HOST, "port": port, "concurrency": concurrency, "min_requests": min_requests,
           "lists": {name: [r.decode("latin-1") for r in requests] for name, requests in lists.items()},
           "phases": phases}
    budget = sum((p["duration"] * 10 + p["warmup"]) for p in phases) + 120
    done = subprocess.run([sys.executable, "-m", "factdesk.bench.load"], input=json.dumps(job), text=True,
                          capture_output=True, cwd=Path(__file__).resolve().parents[2], timeout=budget)
    if done.returncode != 0:
        raise BenchError(f"the load generator failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout)


@click.command("bench")
@click.option("--claims", type=click.IntRange(min=10), default=None, help="Claims on the desk (default 100,000).")
@click.option("--articles", type=click.IntRange(min=2), default=None, help="Articles (default 10,000).")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), default=None, help="Write the JSON report here.")
@click.option("--quick", is_flag=True, help="A small desk and short runs: under a minute.")
@click.option("--duration", type=click.FloatRange(min=0.2), default=None,
              help="Seconds of load per page, over all its rounds (default 7; 1.5 with --quick).")
@click.option("--concurrency", type=click.IntRange(min=1, max=256), default=None,
              help="Keep-alive connections of the load generator (default 16; 8 with --quick).")
@click.option("--writers", type=click.IntRange(min=1, max=200), default=50, show_default=True,
              help="Concurrent API clients in the writers' row.")
@click.option("--writer-seconds", type=click.FloatRange(min=0.5), default=None,
              help="Seconds the writers' row runs (default 30; 4 with --quick).")
@click.option("--writes-per-second", type=click.FloatRange(min=0), default=5.0, show_default=True,
              help="Commits per second by a background writer during the whole run.")
@click.option("--postgres", is_flag=True,
              help="The multi-host shape: a throwaway PostgreSQL and Redis started here, four gunicorn workers.")
@click.option("--database-url", default=None,
              help="An EMPTY database to fill instead of a temporary SQLite file (it is migrated and filled); "
                   "a PostgreSQL one runs four workers with REDIS_URL, or a throwaway Redis when it is unset.")
@click.option("--keep", is_flag=True, help="Keep the temporary folder (database, gunicorn log).")
def bench(claims, articles, out, quick, duration, concurrency, writers, writer_seconds, writes_per_second, postgres,
          database_url, keep):
    """Measure DESIGN.md §9 on a desk of --claims claims across --articles articles; print the table."""
    from flask import current_app

    from .server import postgres as postgres_cluster, redis

    size = dict(QUICK if quick else FULL)
    if claims is not None:
        size["claims"] = claims
    if articles is not None:
        size["articles"] = articles
    if size["articles"] > size["claims"]:
        raise click.BadParameter("a desk needs at least as many claims as articles.", param_hint="--articles")
    if postgres and database_url:
        raise click.BadParameter("give --postgres (a throwaway cluster) or --database-url, not both.")
    settings = {"duration": duration or (1.5 if quick else 7.0), "warmup": 0.1 if quick else 0.3,
                "concurrency": concurrency or (8 if quick else 16), "writers": writers,
                "writer_seconds": writer_seconds or (4.0 if quick else 30.0), "writes_per_second": writes_per_second,
                "rounds": 3 if quick else 7, "quick": quick}
    workdir = Path(tempfile.mkdtemp(prefix="factdesk-bench-"))
    started = time.monotonic()
    try:
        with ExitStack() as services:
            url, redis_url, workers = database_url or f"sqlite:///{workdir / 'bench.db'}", None, 1
            if postgres:
                say("bench: starting PostgreSQL and Redis on 127.0.0.1")
                url = services.enter_context(postgres_cluster(workdir))
                redis_url = services.enter_context(redis(workdir))
                workers = 4
            elif url.startswith("postgresql"):
                # The multi-host shape on a database given: four workers share their login throttle
                # through Redis (production refuses several workers without it), the desk's own
                # REDIS_URL when it has one, else a throwaway one as --postgres starts.
                redis_url = current_app.config.get("REDIS_URL") or services.enter_context(redis(workdir))
                workers = 4
            result = _run(size, url, workdir, settings, redis_url=redis_url, workers=workers,
                          fixtures=current_app.config.get("FACTDESK_FIXTURES"))
    finally:
        if keep:
            say(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    result["seconds"] = round(time.monotonic() - started, 1)
    if out:
        report.write(result, out)
    click.echo(report.table(result))
    click.echo(f"\n{sum(r['met'] for r in result['rows'])}/{len(result['rows'])} rows met "
               f"in {result['seconds']:.0f} s" + (f"; report in {out}" if out else ""))


def _load_average() -> list[float] | None:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return None


def _run(size: dict, url: str, workdir: Path, settings: dict, *, redis_url: str | None, workers: int,
         fixtures: str | None) -> dict:
    from flask_migrate import upgrade

    from .. import create_app
    from ..accounts.tokens import issue_token
    from ..extensions import db
    from ..models import Article, Claim
    from . import pages as P
    from ..demo.generate import fill_desk
    from .writers import prepare_writers, verify_writers

    overrides = {"SQLALCHEMY_DATABASE_URI": url, "FACTDESK_ENV": "development", "SECRET_KEY": secrets.token_hex(16)}
    if fixtures:
        overrides["FACTDESK_FIXTURES"] = fixtures
    app = create_app(overrides)
    small = {"claims": max(10, size["claims"] // 10), "articles": max(1, size["articles"] // 10)}
    with app.app_context():
        if db.inspect(db.engine).has_table("claims"):
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
        heavy, empty = db.session.get(Article, heavy_id), db.session.get(Article, empty_id)
        counted = [p for p in P.discover(app, client, heavy, empty, token_headers=token_headers) if p.name in P.COUNTED]
    say(f"bench: counting SQL per page at {small['claims']:,} claims")
    counts_small = P.statements_per_page(app, client, counted, token_headers)
    with app.app_context():
        fill_desk(size["claims"] - small["claims"], size["articles"] - small["articles"], Progress("desk 2/2"), seed=8)
        db.session.commit()
    say(f"bench: counting SQL per page at {size['claims']:,} claims")
    counts_full = P.statements_per_page(app, client, counted, token_headers)
    from .ingest import measure as measure_ingest

    say("bench: monitoring ingest, sentences scored and matched in-process")
    ingest_row = measure_ingest(app)
    quick = settings["quick"]
    from .worstcase import LIMIT, measure as measure_worst_case

    say("bench: text functions on worst-case inputs (factdesk/bench/worstcase.py)")
    worst_case_row = measure_worst_case(LIMIT // 10 if quick else LIMIT, echo=say)
    with app.app_context():
        plan = prepare_writers(settings["writers"])
        db.session.commit()
        actual = {"claims": db.session.execute(db.select(db.func.count(Claim.id))).scalar_one(),
                  "articles": db.session.execute(db.select(db.func.count(Article.id))).scalar_one()}
    first_views = {
        "queue": P.queue_urls(400 if quick else 2000),
        "check": P.check_urls(app, 300 if quick else 20000),
        "home": P.home_urls(app, 3000 if quick else 20000),
        "terms": P.search_terms(400 if quick else 8000),
        "by_key": [f"/bench/by-key/{i}" for i in P.claim_ids(app, 2000 if quick else 40000)],
    }
    with app.app_context():
        db.session.remove()
        db.engine.dispose()

    load_before = _load_average()
    with gunicorn_for(url, workdir, workers=workers, redis_url=redis_url, fixtures=fixtures) as (port, logs):
        figures, assets, html_bytes, background, writer_result = _measure(
            port, settings, first_views, heavy_id, empty_id, editor_email, password, token_headers, plan)
        server_log = "".join(log.read_text(errors="replace") for log in logs if log.exists())
    with app.app_context():
        writer_check = verify_writers(plan, writer_result)
        db.session.remove()
        db.engine.dispose()

    result_rows = [
        rows.render_row("queue_page", figures["queue"], "ms per request of the queue (50 rows, a different filter, "
                        "sort and page each time) vs the by-key page"),
        rows.worst_render_row("search", {"public": figures["search_public"], "desk": figures["search_desk"]},
                              "ms per request of full-text search (the public /?q= and the desk's "
                              "/api/v1/search?q=, a different query each time) vs the by-key page; "
                              "the worse of the two"),
        rows.worst_render_row("public_pages", {"check": figures["check"], "home": figures["home"]},
                              "ms per request of public check pages (a different check each time) and the public "
                              "home (a different page or filter each time) vs the by-key page; the worse of the two"),
        rows.article_row(figures["article"], html_bytes),
        rows.revalidation_row(figures["revalidation"]),
        *rows.sql_rows(counts_small, counts_full, {"small": small, "full": size}),
        rows.assets_row(assets),
        rows.writers_row(writer_result, writer_check, server_log),
        ingest_row,
        worst_case_row,
    ]
    database = "sqlite" if url.startswith("sqlite") else url.split(":", 1)[0].split("+")[0]
    return report.build(
        actual, result_rows, requested=size,
        server={"gunicorn": f"{workers} worker{'s' if workers > 1 else ''}, gthread, "
                            f"{8 if workers == 1 else 4} threads",
                "env": "production", "database": database, "redis": bool(redis_url)},
        load={k: settings[k] for k in ("duration", "rounds", "warmup", "concurrency")},
        busy_desk=background, load_average={"before": load_before, "after": _load_average()},
        missing_pages=P.missing(counted), quick=quick)


def gunicorn_for(url: str, workdir: Path, *, workers: int, redis_url: str | None, fixtures: str | None):
    from .server import gunicorn

    return gunicorn(url, workdir, workers=workers, threads=8 if workers == 1 else 4, redis_url=redis_url,
                    fixtures=fixtures)


def _measure(port: int, settings: dict, first_views: dict, heavy_id: int, empty_id: int, email: str, password: str,
             token_headers: dict, plan: dict):
    from .assets import page_assets
    from .writers import BackgroundWrites, run_writers

    session = {"Cookie": login_cookie(port, email, password)}

    def build(paths, headers=None) -> list[bytes]:
        return [build_request("GET", path, HOST, port, headers or {}) for path in paths]

    etags = []
    for path in first_views["check"][:200]:
        status, headers, _ = http(port, "GET", path)
        if status == 200 and headers.get("etag"):
            etags.append((path, headers["etag"]))
    lists = {
        "by_key": build(first_views["by_key"]),
        "trivial": build(["/bench/trivial"]),
        "queue": build(first_views["queue"], session),
        "check": build(first_views["check"]),
        "home": build(first_views["home"]),
        "search_public": build([f"/?q={quote(t)}" for t in first_views["terms"]]),
        "search_desk": build([f"/api/v1/search?q={quote(t)}" for t in reversed(first_views["terms"])], token_headers),
        "article": build([f"/desk/articles/{heavy_id}"], session),
        "article_empty": build([f"/desk/articles/{empty_id}"], session),
        "revalidation": [build_request("GET", path, HOST, port, {"If-None-Match": etag}) for path, etag in etags],
    }
    pairs = [("queue", "by_key"), ("search_public", "by_key"), ("search_desk", "by_key"), ("check", "by_key"),
             ("home", "by_key"), ("article", "article_empty"), ("revalidation", "trivial")]
    rounds, slice_s = settings["rounds"], max(0.2, settings["duration"] / settings["rounds"])
    background = BackgroundWrites(port, plan, settings["writes_per_second"])
    background.start()
    figures = {}
    try:
        for target, unit in pairs:
            if not lists[target] or not lists[unit]:
                say(f"bench: {target}: nothing to ask, not measured")
                figures[target] = None
                continue
            phases = []
            for _ in range(rounds):
                phases += [{"list": unit, "duration": slice_s, "warmup": settings["warmup"]},
                           {"list": target, "duration": slice_s, "warmup": settings["warmup"]}]
            runs = load(port, lists={unit: lists[unit], target: lists[target]}, phases=phases,
                        concurrency=settings["concurrency"], min_requests=5 if settings["quick"] else 20)
            pair = {"target": rows.merge(runs[1::2]), "baseline": rows.merge(runs[0::2]),
                    "rounds": [{"target_rps": t["rps"], "baseline_rps": b["rps"]} for b, t in zip(runs[0::2],
                                                                                                  runs[1::2])]}
            figures[target] = pair
            say(f"bench: {target:14} {pair['target']['rps']:8.1f} req/s (p50 {pair['target']['latency_ms']['p50']} ms) "
                f"vs {unit} {pair['baseline']['rps']:8.1f} req/s; statuses {pair['target']['statuses']}")
        assets = page_assets(port, f"/desk/articles/{heavy_id}", session)
        html_bytes = assets.get("html_bytes") if assets.get("status") == 200 else None
    finally:
        busy = background.stop()
    say(f"bench: busy desk: {busy['commits']} commits in {busy['seconds']} s ({busy['commits_per_second']}/s)")
    say(f"bench: {settings['writers']} writers for {settings['writer_seconds']:g} s")
    writer_result = run_writers(port, plan, seconds=settings["writer_seconds"])
    return figures, assets, html_bytes, busy, writer_result
