"""Getting articles in (DESIGN.md §5): pasted text, an uploaded file or a URL, one path for page, API and CLI.

Every import ends in ``create_article`` (canonical text, revision 1); every refusal raises a domain
error with a message a checker can act on, before anything is stored. Metadata found in a page
(title, author, publisher, date) fills what the person did not type: what they typed wins.

Slow steps report progress: each import is also a generator of steps (``url_steps``, ``file_steps``,
``html_steps``) that yields one line of progress at a time and returns the Article; the desk page
streams those lines to the browser, and ``import_url(..., progress=callback)`` (the CLI prints on stderr)
drives the same steps.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, replace
from datetime import date
from pathlib import PurePath
from typing import Callable, Generator

from flask import current_app

from ..errors import TooLarge, ValidationError
from ..models import Article, User
from ..text import canonicalize
from ..urls import web_url
from .extract import Extracted, extract
from .fetch import AddressCheck, fetch
from .service import create_article

Progress = Callable[[str], None]
# An import as steps: yields progress lines, returns the stored Article (the page streams the lines).
Steps = Generator[str, None, Article]

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
ACCEPTED = ".txt, .md or .html"
# A fetch's total time budget unless the desk sets FACTDESK_FETCH_TIMEOUT (seconds).
DEFAULT_FETCH_TIMEOUT = 10.0


def _quiet(message: str) -> None:
    return None


@dataclass(frozen=True)
class ArticleMeta:
    """The metadata a person gives with an import; empty fields are filled from the page, if any."""

    title: str | None = None
    source_url: str | None = None
    publisher: str | None = None
    author: str | None = None
    published_at: date | None = None

    def __post_init__(self):
        # Refused before anything is fetched or extracted; create_article checks the stored value again.
        web_url(self.source_url, "source_url")

    def filled_from(self, found: Extracted | None, *, source_url: str | None = None) -> ArticleMeta:
        """These fields, with the blanks filled from an extraction (typed values always win)."""
        def pick(typed, extracted):
            typed = typed.strip() if isinstance(typed, str) else typed
            return typed if typed else (extracted or None)

        published = self.published_at
        if published is None and found is not None and found.published_at:
            published = parse_date(found.published_at, strict=False)
        return ArticleMeta(
            title=pick(self.title, found.title if found else None),
            source_url=pick(self.source_url, source_url),
            publisher=pick(self.publisher, found.publisher if found else None),
            author=pick(self.author, found.author if found else None),
            published_at=published,
        )


def parse_date(value: str | date | None, *, strict: bool = True, field: str = "published_at") -> date | None:
    """A YYYY-MM-DD date; with ``strict`` a bad value is refused, else (page metadata) ignored."""
    if value is None or isinstance(value, date):
        return value
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        if strict:
            raise ValidationError(f"{value!r} is not a date; write it as YYYY-MM-DD.",
                                  fields={field: "invalid"}) from None
        return None


def _save(text: str, meta: ArticleMeta, by: User | None, source_html: bytes | None) -> Steps:
    yield "Saving the article…"
    article = create_article(text=text, by=by, title=meta.title, source_url=meta.source_url,
                             publisher=meta.publisher, author=meta.author, published_at=meta.published_at,
                             source_html=source_html)
    yield f"Saved as article {article.id}: {len(article.text):,} characters."
    return article


def run(steps: Steps, progress: Progress = _quiet) -> Article:
    """Drive an import's steps to the end, handing each progress line to ``progress``."""
    while True:
        try:
            progress(next(steps))
        except StopIteration as done:
            return done.value


def import_text(text: str, by: User | None, meta: ArticleMeta = ArticleMeta(), *,
                progress: Progress = _quiet) -> Article:
    """Pasted (or API-sent) plain text."""
    return run(_save(text or "", meta, by, None), progress)


def import_html(html: str | bytes, by: User | None, meta: ArticleMeta = ArticleMeta(), *,
                progress: Progress = _quiet) -> Article:
    """HTML sent directly (API ``html``): the article body and metadata are extracted from it."""
    return run(html_steps(html, by, meta), progress)


def html_steps(html: str | bytes, by: User | None, meta: ArticleMeta) -> Steps:
    raw = html.encode("utf-8") if isinstance(html, str) else html
    _check_size(len(raw), "The HTML")
    found = yield from _extract(raw, meta.source_url)
    return (yield from _save(found.text, meta.filled_from(found), by, raw))


def import_file(filename: str, data: bytes, by: User | None, meta: ArticleMeta = ArticleMeta(), *,
                progress: Progress = _quiet) -> Article:
    """An uploaded ``.txt``, ``.md`` or ``.html`` file (a ``.gz`` of one of them is read unzipped).

    Markdown is kept as its text: the desk quotes what the author wrote, markup characters included,
    so a claim's quote is exactly what the file says.
    """
    return run(file_steps(filename, data, by, meta), progress)


def file_steps(filename: str, data: bytes, by: User | None, meta: ArticleMeta) -> Steps:
    name = PurePath(filename or "").name
    lower = name.lower()
    if not name:
        raise ValidationError("Choose a file to upload.", fields={"file": "required"})
    _check_size(len(data), f"The file {name}")
    if lower.endswith(".gz"):
        data = _gunzip(data, name)
        lower = lower[:-3]
    if lower.endswith(TEXT_SUFFIXES):
        yield f"Reading {name}…"
        return (yield from _save(_decode_text(data, name), meta, by, None))
    if lower.endswith(HTML_SUFFIXES):
        found = yield from _extract(data, meta.source_url)
        return (yield from _save(found.text, meta.filled_from(found), by, data))
    raise ValidationError(f"{name} is not a {ACCEPTED} file; the desk imports only those.",
                          code="unsupported_file", fields={"file": "unsupported_type"})


def import_url(url: str, by: User | None, meta: ArticleMeta = ArticleMeta(), *, progress: Progress = _quiet,
               check_address: AddressCheck | None = None) -> Article:
    """Fetch a page with the safe fetcher, extract the article and keep the fetched HTML as provenance.

    Private addresses are refused unless the desk sets FACTDESK_ALLOW_PRIVATE_FETCH. ``check_address``
    replaces that address policy for one call (the fetcher's own hook; used by tests to allow only
    their server, never set by a page or the API).
    """
    return run(url_steps(url, by, meta, check_address=check_address), progress)


def url_steps(url: str, by: User | None, meta: ArticleMeta, *, check_address: AddressCheck | None = None) -> Steps:
    url = (url or "").strip()
    if not url:
        raise ValidationError("Give the article's URL.", fields={"url": "required"})
    if len(url) > 2000:
        raise ValidationError("The URL is longer than 2,000 characters.", fields={"url": "too_long"})
    config = current_app.config
    yield f"Fetching {url}…"
    page = fetch(url, allow_private=bool(config["FACTDESK_ALLOW_PRIVATE_FETCH"]), check_address=check_address,
                 max_bytes=config["MAX_UPLOAD_BYTES"],
                 timeout=float(config.get("FACTDESK_FETCH_TIMEOUT", DEFAULT_FETCH_TIMEOUT)))
    hops = f" after {len(page.redirects)} redirect(s)" if page.redirects else ""
    yield f"Fetched {len(page.body):,} bytes ({page.content_type or 'no type'}){hops} from {page.url}."
    if page.content_type == "text/plain":
        return (yield from _save(page.text, replace(meta, source_url=(meta.source_url or "").strip() or url), by, None))
    found = yield from _extract(page.body, page.url)
    # The page's own canonical address, not the one it was fetched from (a typed one still wins).
    return (yield from _save(found.text, meta.filled_from(found, source_url=found.url or url), by, page.body))


def _extract(html: bytes, url: str | None) -> Generator[str, None, Extracted]:
    yield "Extracting the article from the page…"
    found = extract(html, url=url)
    words = len(found.text.split())
    yield f"Found {words:,} words" + (f": “{found.title}”" if found.title else "") + "."
    if found.sources:
        yield "Metadata read from the page: " + ", ".join(
            f"{field.replace('_', ' ')} from {where}" for field, where in found.sources.items()) + "."
    return found


def _check_size(size: int, what: str) -> None:
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    if size > limit:
        raise TooLarge(f"{what} is {size:,} bytes; the limit is {limit:,} bytes ({limit / 1048576:g} MB).",
                       fields={"file": "too_large"})


def _gunzip(data: bytes, name: str) -> bytes:
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    z = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = z.decompress(data, limit + 1)
    except zlib.error:
        raise ValidationError(f"{name} is not a valid gzip file.", fields={"file": "invalid"}) from None
    if len(out) > limit:
        raise TooLarge(f"{name} unzips to more than the limit of {limit:,} bytes.", fields={"file": "too_large"})
    return out


def _decode_text(data: bytes, name: str) -> str:
    try:
        return canonicalize(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValidationError(f"{name} is not UTF-8 text; save it as UTF-8 and upload it again.",
                              fields={"file": "not_utf8"}) from None

