"""Source watch (DESIGN.md §12): re-fetch the articles behind published checks, follow changes.

`flask --app wsgi articles watch` (and the daily `articles.watch` job of factdesk.jobs.schedule)
fetches, through the safe fetcher, the source URL of every article that has a published claim.
When the source now says something else, the desk stores the new text as the article's next
revision (factdesk.articles.revise: every claim is re-anchored, none is lost), keeps the fetched page
as provenance, and tells each published claim's checker (assignee, else the person who highlighted
it) and the editor who published it, with a short diff and the claim's new anchor state.

What counts as a change: for an article imported from its URL (the fetched HTML was kept), the text
extracted from the page then and now must differ, so a page whose furniture moved (ads, menus) does
not make a revision; for an article pasted with a source URL, the text extracted now must differ
from the article's text.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import exists, select
from sqlalchemy.orm import undefer

from ..errors import DomainError
from ..extensions import db
from ..jobs import job
from ..models import Article, Claim, Status
from ..notify import check_owners, notify
from ..text import canonicalize
from .diff import Budget, opcodes
from .extract import extract
from .fetch import Fetched, fetch
from .revise import revise_article

KIND = "source_changed"
DIFF_CHARS = 900


@dataclass
class Watched:
    article_id: int
    url: str
    outcome: str  # unchanged, revised, failed
    detail: str = ""
    notified: list[int] = field(default_factory=list)  # notification ids


def _text_of(body: bytes, content_type: str, url: str | None, fallback: str | None = None) -> str:
    if content_type == "text/plain":
        return canonicalize(fallback if fallback is not None else body.decode("utf-8", errors="replace"))
    return extract(body, url=url).text


def short_diff(old: str, new: str, limit: int = DIFF_CHARS) -> str:
    """The changed paragraphs, '−' for removed and '+' for added, cut to `limit` characters.

    The paragraphs are matched by the revision diff's budgeted patience diff, so a page of thousands
    of tiny or shuffled paragraphs costs the watch no more than its size.
    """
    a, b = old.split("\n\n"), new.split("\n\n")
    lines: list[str] = []
    size = 0
    for tag, i1, i2, j1, j2 in opcodes(a, b, Budget()):
        if tag == "equal":
            continue
        changed = [f"− {p}" for p in a[i1:i2]] + [f"+ {p}" for p in b[j1:j2]]
        lines += changed
        size += sum(len(line) + 1 for line in changed)
        if size > limit:
            break
    text = "\n".join(lines)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def watched_articles() -> list[Article]:
    """Articles with a source URL and at least one published claim."""
    published = exists().where(Claim.article_id == Article.id, Claim.status == Status.published)
    return list(db.session.execute(
        select(Article).where(Article.source_url.is_not(None), Article.source_url != "", published)
        .options(undefer(Article.text), undefer(Article.source_html)).order_by(Article.id)).scalars())


def _fetch(url: str) -> Fetched:
    config = current_app.config
    return fetch(url, allow_private=bool(config.get("FACTDESK_ALLOW_PRIVATE_FETCH")),
                 timeout=float(config.get("FACTDESK_FETCH_TIMEOUT", 15)),
                 max_bytes=int(config.get("MAX_UPLOAD_BYTES", 5 * 1024 * 1024)))


def watch_article(article: Article) -> Watched:
    """Re-fetch one article's source; on a change, revise it and notify. Flushes; the caller commits."""
    url = article.source_url or ""
    try:
        page = _fetch(url)
        new_text = _text_of(page.body, page.content_type, page.url, page.text if page.content_type == "text/plain"
                            else None)
        if article.source_html:
            try:
                before = _text_of(article.source_html, "text/html", url)
            except DomainError:
                before = article.text
        else:
            before = article.text
    except DomainError as exc:
        return Watched(article.id, url, "failed", exc.message)
    if canonicalize(new_text) == canonicalize(before) or canonicalize(new_text) == article.text:
        return Watched(article.id, url, "unchanged")

    old_text = article.text
    revised = revise_article(article, new_text, None,
                             note=f"The source changed: re-fetched from {url} by the source watch.", tell=False)
    if page.content_type != "text/plain":
        article.source_html = page.body
    diff = short_diff(old_text, article.text)
    notes = []
    for claim in revised.claims:
        if claim.status != Status.published:
            continue
        message = (f"The source of “{article.title}” changed; the desk stored it as revision {revised.revision}. "
                   f"Published claim {claim.id} is now {claim.anchor_state.value} in the new text."
                   + (" The article changed under this published check: readers keep the published quote until it "
                      "is reopened and published again." if claim in revised.flagged else "") + f"\n\n{diff}")
        notes += notify(check_owners(claim), KIND, claim, None, message)
    db.session.flush()
    return Watched(article.id, url, "revised", f"revision {revised.revision}", [n.id for n in notes])


@job("articles.watch", retries=1, retry_delay=600, timeout=6 * 3600)
def watch_all(article_id: int | None = None, echo=lambda line: None) -> list[Watched]:
    """Watch every article behind a published check (or one), one transaction per article."""
    results = []
    for article in watched_articles():
        if article_id is not None and article.id != article_id:
            continue
        result = watch_article(article)
        db.session.commit()
        echo(f"article {result.article_id}: {result.outcome}"
             + (f" ({result.detail})" if result.detail else "")
             + (f", {len(result.notified)} notification(s)" if result.notified else "") + f"  {result.url}")
        results.append(result)
    return results


@click.command("watch")
@click.option("--article", "article_id", type=int, default=None, help="Only this article.")
@with_appcontext
def watch_command(article_id: int | None) -> None:
    """Re-fetch the sources of articles with published checks; store changes as revisions and notify."""
    results = watch_all(article_id, echo=click.echo)
    revised = sum(r.outcome == "revised" for r in results)
    failed = sum(r.outcome == "failed" for r in results)
    click.echo(f"{len(results)} article(s) watched, {revised} changed, {failed} could not be fetched.", err=True)
