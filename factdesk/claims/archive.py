"""Evidence that lasts (DESIGN.md §12): archive copies of evidence pages, taken in the background.

When evidence is added through a page or the API its id is queued on the database session, and once
that transaction commits a small pool of worker threads fetches the link through the safe fetcher
(factdesk.articles.fetch: same address policy, size and time limits as article import), extracts its
text and stores it on the evidence row (`archive_text`, `archived_at`, `archive_status`). The request
that added the evidence never waits for the fetch. A fetch that fails records why in
`archive_status` and leaves the evidence as it was.

Each job runs in its own application context, hence its own database session and transaction.
`flask evidence check` re-checks every link's health (`link_status`, `link_checked_at`) and takes
the archive copies that are missing.

Settings: EVIDENCE_ARCHIVE (default on, off under FACTDESK_ENV=testing so the suite never reaches for
the internet; tests that want it switch it on), EVIDENCE_ARCHIVE_WORKERS (default 2),
FACTDESK_ALLOW_PRIVATE_FETCH and FACTDESK_FETCH_TIMEOUT as for article import.
"""
from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

import click
import lxml.html
from flask import Flask, current_app, has_app_context, has_request_context
from flask.cli import AppGroup
from sqlalchemy import event, select
from sqlalchemy.orm import Session, undefer

from ..articles.extract import ExtractionError, extract
from ..articles.fetch import Fetched, FetchError, fetch
from ..errors import DomainError
from ..extensions import db
from ..models import Evidence, utcnow
from ..text import canonicalize
from .history import record

log = logging.getLogger(__name__)

QUEUE_KEY = "factdesk_archive_queue"
MAX_ARCHIVE_CHARS = 500_000
DEFAULT_TIMEOUT = 15.0

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pending: set[Future] = set()


# ---------------------------------------------------------------- what a page's text is

def page_text(page: Fetched) -> str:
    """The readable text of a fetched page: the article body when there is one, else all visible text."""
    if page.content_type == "text/plain":
        return canonicalize(page.text)[:MAX_ARCHIVE_CHARS]
    try:
        return extract(page.body, url=page.url).text[:MAX_ARCHIVE_CHARS]
    except ExtractionError:
        pass
    tree = lxml.html.document_fromstring(page.body or b"<html></html>")
    for bad in tree.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    body = tree.find("body")
    text = (body if body is not None else tree).text_content()
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return canonicalize("\n\n".join(line for line in lines if line))[:MAX_ARCHIVE_CHARS]


def _fetch(url: str) -> Fetched:
    config = current_app.config
    return fetch(url, allow_private=bool(config.get("FACTDESK_ALLOW_PRIVATE_FETCH")),
                 timeout=float(config.get("FACTDESK_FETCH_TIMEOUT", DEFAULT_TIMEOUT)),
                 max_bytes=int(config.get("MAX_UPLOAD_BYTES", 5 * 1024 * 1024)))


def _reason(exc: Exception) -> str:
    message = exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
    return message[:280]


# ---------------------------------------------------------------- taking one archive copy

@dataclass
class Outcome:
    evidence_id: int
    ok: bool
    status: str


def take_archive(evidence: Evidence, page: Fetched | None = None) -> Outcome:
    """Fetch (unless given) and store the archive copy of one evidence link; flushes, never raises for a bad link."""
    try:
        page = page or _fetch(evidence.url)
        text = page_text(page)
        if not text.strip():
            raise ExtractionError("The page has no readable text.")
    except (DomainError, OSError, ValueError) as exc:
        status = f"failed: {_reason(exc)}"
        evidence.archive_status = status[:300]
        db.session.flush()
        return Outcome(evidence.id, False, status)
    evidence.archive_text = text
    evidence.archived_at = utcnow()
    evidence.archive_status = f"archived ({len(text):,} characters)"
    record(evidence.claim, None, "evidence_archived", field="evidence",
           after={"id": evidence.id, "url": evidence.url, "archived_at": evidence.archived_at.isoformat()},
           comment="Archive copy of the linked page's text taken by the desk.")
    db.session.flush()
    return Outcome(evidence.id, True, evidence.archive_status)


def _job(app: Flask, evidence_id: int) -> Outcome | None:
    with app.app_context():
        try:
            evidence = db.session.get(Evidence, evidence_id)
            if evidence is None:  # removed before its turn came
                return None
            outcome = take_archive(evidence)
            db.session.commit()
            return outcome
        except Exception:  # a worker must never die silently with the transaction open
            db.session.rollback()
            log.exception("archive of evidence %s failed", evidence_id)
            raise
        finally:
            db.session.remove()


# ---------------------------------------------------------------- the background pool

def _executor(app: Flask) -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=int(app.config.get("EVIDENCE_ARCHIVE_WORKERS", 2)),
                                       thread_name_prefix="evidence-archive")
        return _pool


def submit(app: Flask, evidence_id: int) -> Future:
    """Take the archive copy of one evidence row in the background (the row must be committed)."""
    future = _executor(app).submit(_job, app, evidence_id)
    with _lock:
        _pending.add(future)
    future.add_done_callback(lambda f: _forget(f))
    return future


def _forget(future: Future) -> None:
    with _lock:
        _pending.discard(future)


def drain(timeout: float | None = None) -> bool:
    """Wait for the archive jobs queued so far (CLI and tests); True when all finished."""
    with _lock:
        futures = set(_pending)
    done, not_done = wait(futures, timeout=timeout)
    return not not_done


def enabled(app: Flask) -> bool:
    return bool(app.config.get("EVIDENCE_ARCHIVE", app.config.get("FACTDESK_ENV") != "testing"))


def request_archive(evidence: Evidence) -> None:
    """Ask for an archive copy of this evidence once the current transaction commits."""
    session = db.session() if has_app_context() else None
    if session is not None and evidence.id is not None:
        session.info.setdefault(QUEUE_KEY, []).append(evidence.id)


@event.listens_for(Evidence, "after_insert")
def _queue_new_evidence(mapper, connection, target: Evidence) -> None:
    # Only evidence added by a person through a page or the API: a CLI run (demo load, imports) would
    # otherwise wait at exit for fetches; `flask evidence check` takes those copies instead.
    if has_request_context() and enabled(current_app):
        session = Session.object_session(target)
        if session is not None:
            session.info.setdefault(QUEUE_KEY, []).append(target.id)


@event.listens_for(Session, "after_commit")
def _start_queued(session: Session) -> None:
    ids = session.info.pop(QUEUE_KEY, None)
    if ids and has_app_context():
        app = current_app._get_current_object()
        for evidence_id in dict.fromkeys(ids):
            submit(app, evidence_id)


@event.listens_for(Session, "after_rollback")
def _drop_queued(session: Session) -> None:
    session.info.pop(QUEUE_KEY, None)


# ---------------------------------------------------------------- link health

def check_link(evidence: Evidence) -> Outcome:
    """Re-check one link: record its health, and take the archive copy when it has none yet."""
    try:
        page = _fetch(evidence.url)
    except (DomainError, OSError, ValueError) as exc:
        evidence.link_status = f"broken: {_reason(exc)}"[:300]
        evidence.link_checked_at = utcnow()
        db.session.flush()
        return Outcome(evidence.id, False, evidence.link_status)
    moved = f", redirected to {page.url}" if page.redirects else ""
    evidence.link_status = f"ok ({page.status}{moved})"[:300]
    evidence.link_checked_at = utcnow()
    if evidence.archived_at is None:
        take_archive(evidence, page)
    db.session.flush()
    return Outcome(evidence.id, True, evidence.link_status)


evidence_cli = AppGroup("evidence", help="Evidence links: health checks and archive copies.")


@evidence_cli.command("check")
@click.option("--claim", "claim_id", type=int, default=None, help="Only this claim's evidence.")
def check_command(claim_id: int | None) -> None:
    """Re-check every evidence link (link_status, link_checked_at) and take the missing archive copies."""
    query = select(Evidence.id).order_by(Evidence.id)
    if claim_id is not None:
        query = query.where(Evidence.claim_id == claim_id)
    ids = list(db.session.execute(query).scalars())
    broken = 0
    for evidence_id in ids:
        evidence = db.session.execute(select(Evidence).where(Evidence.id == evidence_id)
                                      .options(undefer(Evidence.archive_text))).scalar_one()
        outcome = check_link(evidence)
        db.session.commit()  # one link, one transaction: a long run keeps what it has checked
        broken += not outcome.ok
        archive = f"; archive: {evidence.archive_status}" if evidence.archive_status else ""
        click.echo(f"evidence {evidence_id}: {outcome.status}{archive}  {evidence.url}")
    click.echo(f"{len(ids)} link(s) checked, {broken} broken.", err=True)
