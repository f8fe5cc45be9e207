"""Evidence that lasts (DESIGN.md §12): archive copies of evidence pages, taken in the background.

When evidence is added through a page or the API, an `evidence.archive` job is written in the same
transaction (factdesk.jobs); the worker fetches the link through the safe fetcher
(factdesk.articles.fetch: same address policy, size and time limits as article import), extracts its
text and stores it on the evidence row (`archive_text`, `archived_at`, `archive_status`). The request
that added the evidence never waits for the fetch. A fetch that fails records why in
`archive_status` and leaves the evidence as it was.

`flask evidence check` (and the weekly `evidence.check` job) re-checks every link's health
(`link_status`, `link_checked_at`) and takes the archive copies that are missing.

Settings: EVIDENCE_ARCHIVE (default on, off under FACTDESK_ENV=testing so the suite never reaches for
the internet; tests that want it switch it on), FACTDESK_ALLOW_PRIVATE_FETCH and FACTDESK_FETCH_TIMEOUT
as for article import.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import click
import lxml.html
from flask import Flask, current_app, has_request_context
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import undefer

from ..articles.extract import ExtractionError, extract
from ..articles.fetch import Fetched, fetch
from ..errors import DomainError
from ..extensions import db
from ..jobs import enqueue, job
from ..models import Evidence, utcnow
from ..text import canonicalize
from .history import record

log = logging.getLogger(__name__)

MAX_ARCHIVE_CHARS = 500_000
DEFAULT_TIMEOUT = 15.0


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


@job("evidence.archive", retries=2, retry_delay=60)
def archive_job(evidence_id: int) -> None:
    """Take the archive copy of one evidence link (a link removed meanwhile needs none)."""
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is not None:
        take_archive(evidence)


def enabled(app: Flask) -> bool:
    return bool(app.config.get("EVIDENCE_ARCHIVE", app.config.get("FACTDESK_ENV") != "testing"))


def request_archive(evidence: Evidence) -> None:
    """Ask for an archive copy of this evidence: a job, handed to the queue once this transaction commits."""
    enqueue("evidence.archive", evidence_id=evidence.id)


def archive_new_evidence(evidence: Evidence) -> None:
    """Evidence added by a person through a page or the API gets its archive copy in the background; a
    CLI run (demo load, imports) leaves it to `flask evidence check`."""
    if has_request_context() and enabled(current_app):
        request_archive(evidence)


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


@job("evidence.check", retries=1, retry_delay=600, timeout=6 * 3600)
def check_all(claim_id: int | None = None, echo=lambda line: None) -> tuple[int, int]:
    """Re-check every evidence link (or one claim's), one transaction per link; (checked, broken)."""
    query = select(Evidence.id).order_by(Evidence.id)
    if claim_id is not None:
        query = query.where(Evidence.claim_id == claim_id)
    ids = list(db.session.execute(query).scalars())
    broken = 0
    for evidence_id in ids:
        evidence = db.session.execute(select(Evidence).where(Evidence.id == evidence_id)
                                      .options(undefer(Evidence.archive_text))).scalar_one_or_none()
        if evidence is None:  # removed meanwhile
            continue
        outcome = check_link(evidence)
        db.session.commit()  # one link, one transaction: a long run keeps what it has checked
        broken += not outcome.ok
        archive = f"; archive: {evidence.archive_status}" if evidence.archive_status else ""
        echo(f"evidence {evidence_id}: {outcome.status}{archive}  {evidence.url}")
    return len(ids), broken


evidence_cli = AppGroup("evidence", help="Evidence links: health checks and archive copies.")


@evidence_cli.command("check")
@click.option("--claim", "claim_id", type=int, default=None, help="Only this claim's evidence.")
def check_command(claim_id: int | None) -> None:
    """Re-check every evidence link (link_status, link_checked_at) and take the missing archive copies."""
    checked, broken = check_all(claim_id, echo=click.echo)
    click.echo(f"{checked} link(s) checked, {broken} broken.", err=True)
