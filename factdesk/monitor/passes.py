"""A monitoring pass: every active source read (one job per source, so one failing source never stops
the others), each new item imported once as a monitored article, then scored and matched."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from ..articles.fetch import ALLOWED_TYPES, FetchError
from ..articles.importing import ArticleMeta, import_html, import_text
from ..errors import DomainError
from ..extensions import db
from ..jobs import enqueue, job
from ..models import MonitorItem, MonitorSource, SourceKind, utcnow
from .crawl import FEED_TYPES, polite_fetch
from .ingest import record_article
from .reading import Item, items_of

ITEM_ATTEMPTS = 3  # an item whose page cannot be read is tried on this many passes, then left


class SourceFailed(DomainError):
    """A source could not be read; the reason is on the source and on its job."""

    code = "source_failed"


@dataclass
class Outcome:
    source_id: int
    url: str
    error: str | None = None
    unchanged: bool = False
    imported: list[int] = field(default_factory=list)  # article ids
    skipped: int = 0
    failed_items: list[str] = field(default_factory=list)

    def line(self) -> str:
        if self.error:
            return f"source {self.source_id}: failed: {self.error}  {self.url}"
        if self.unchanged:
            return f"source {self.source_id}: unchanged (304)  {self.url}"
        failed = f", {len(self.failed_items)} item(s) failed" if self.failed_items else ""
        return (f"source {self.source_id}: {len(self.imported)} new item(s), {self.skipped} seen before{failed}  "
                f"{self.url}")


def _types(kind: SourceKind) -> tuple[str, ...]:
    return FEED_TYPES if kind in (SourceKind.feed, SourceKind.sitemap) else ALLOWED_TYPES


def _listed(source: MonitorSource) -> tuple[list[Item], object]:
    page = polite_fetch(source.url, types=_types(source.kind), etag=source.etag, last_modified=source.last_modified)
    if page.status == 304:
        return [], page
    items, children = items_of(source.kind, page)
    for child in children:  # a sitemap index: its sitemaps, as one source
        items += items_of(source.kind, polite_fetch(child, types=FEED_TYPES))[0]
    return items, page


def import_item(source: MonitorSource, item: Item) -> tuple[str, int | None]:
    """Import one listed item unless seen before: ("new", article id), ("seen", None) or ("failed", None).
    Flushes; the caller commits."""
    row = db.session.execute(select(MonitorItem).where(MonitorItem.source_id == source.id,
                                                       MonitorItem.key == item.key)).scalar_one_or_none()
    if row is not None and (row.article_id is not None or row.attempts >= ITEM_ATTEMPTS):
        return "seen", None
    if row is None:
        row = MonitorItem(source_id=source.id, key=item.key, url=item.url[:2000], title=item.title, author=item.author,
                          published_at=item.published_at, attempts=0, seen_at=utcnow())
        db.session.add(row)
    row.attempts += 1
    try:
        # Inside the try: an item whose link is no http(s) URL (a feed's javascript:) fails alone.
        meta = ArticleMeta(title=item.title or None, source_url=item.url, author=item.author,
                           published_at=item.published_at)
        if item.html is not None:
            article = import_html(item.html, None, meta)
        else:
            page = polite_fetch(item.url)
            article = import_text(page.text, None, meta) if page.content_type == "text/plain" \
                else import_html(page.body, None, meta)
    except DomainError as exc:
        row.error = exc.message[:2000]
        db.session.flush()
        return "failed", None
    article.monitored = True
    if not article.publisher:
        article.publisher = source.name or urlsplit(item.url).hostname
    row.article_id, row.error = article.id, None
    db.session.flush()
    record_article(source, row, article)
    return "new", article.id


def check_source(source: MonitorSource) -> Outcome:
    """Read one source and import its new items; commits after the listing and after each item."""
    outcome = Outcome(source.id, source.url)
    source.last_checked_at = utcnow()
    try:
        items, page = _listed(source)
    except FetchError as exc:
        source.last_error = outcome.error = exc.message[:2000]
        db.session.commit()
        return outcome
    source.last_error = None
    if page.status == 304:
        outcome.unchanged = True
    else:
        source.etag, source.last_modified = (page.etag or None), (page.last_modified or None)
    db.session.commit()
    for item in items:
        state, article_id = import_item(source, item)
        db.session.commit()  # one item, one transaction: what is imported stays imported
        if state == "new":
            outcome.imported.append(article_id)
        elif state == "seen":
            outcome.skipped += 1
        else:
            outcome.failed_items.append(item.url)
    return outcome


@job("monitor.source", retries=2, retry_delay=120, timeout=1800)
def source_job(source_id: int) -> None:
    source = db.session.get(MonitorSource, source_id)
    if source is None or not source.active:
        return
    outcome = check_source(source)
    if outcome.error:
        raise SourceFailed(f"{source.url}: {outcome.error}")


@job("monitor.pass", retries=0, timeout=300)
def monitor_pass() -> int:
    """One job per active source; sources on one host start a host's pause apart."""
    delay = float(current_app.config.get("MONITOR_HOST_DELAY", 2.0))
    per_host: dict[str, int] = defaultdict(int)
    sources = list(db.session.execute(select(MonitorSource).where(MonitorSource.active)
                                      .order_by(MonitorSource.id)).scalars())
    for source in sources:
        host = (urlsplit(source.url).hostname or "").lower()
        enqueue("monitor.source", source_id=source.id, delay=per_host[host] * delay or None)
        per_host[host] += 1
    return len(sources)


def run_pass(echo=lambda line: None) -> list[Outcome]:
    """One pass now, in this process (`flask monitor run`)."""
    outcomes = []
    for source in db.session.execute(select(MonitorSource).where(MonitorSource.active)
                                     .order_by(MonitorSource.id)).scalars().all():
        outcome = check_source(source)
        echo(outcome.line())
        outcomes.append(outcome)
    return outcomes
