"""Fetching for monitoring: the safe fetcher (factdesk.articles.fetch), plus what a polite crawler owes
the sites it reads: robots.txt, a pause between requests to one host, conditional requests.

robots.txt follows RFC 9309 as Python's robotparser reads it: a missing file (4xx) allows everything;
one that cannot be read (5xx, timeout, refused) allows nothing until it can, so a failing site is not
crawled blind. Its Crawl-delay lengthens the pause when it asks for more.
"""
from __future__ import annotations

import threading
import time
import urllib.robotparser
from urllib.parse import urlsplit

from flask import current_app

from ..articles.fetch import ALLOWED_TYPES, Fetched, FetchError, fetch

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml",
              "application/rdf+xml", "application/feed+json") + ALLOWED_TYPES
ROBOTS_AGENT = "Factdesk"
ROBOTS_TTL = 3600.0

_lock = threading.Lock()
_last_request: dict[str, float] = {}
_robots: dict[str, tuple[float, urllib.robotparser.RobotFileParser | None, str]] = {}


class Disallowed(FetchError):
    """robots.txt asks the desk not to read this URL."""

    code = "robots_disallowed"


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _safe_fetch(url: str, **options) -> Fetched:
    config = current_app.config
    return fetch(url, allow_private=bool(config.get("FACTDESK_ALLOW_PRIVATE_FETCH")),
                 timeout=float(config.get("FACTDESK_FETCH_TIMEOUT", 10)),
                 max_bytes=int(config.get("MAX_UPLOAD_BYTES", 5 * 1024 * 1024)), **options)


def _robots_for(host: str) -> tuple[urllib.robotparser.RobotFileParser | None, str]:
    """The host's robots rules (None: nothing allowed) and why, cached for an hour."""
    now = time.monotonic()
    with _lock:
        cached = _robots.get(host)
    if cached and now - cached[0] < ROBOTS_TTL:
        return cached[1], cached[2]
    parser = urllib.robotparser.RobotFileParser()
    reason = ""
    try:
        _pause(host, None)
        page = _safe_fetch(f"{host}/robots.txt", types=("text/plain",) + ALLOWED_TYPES)
        parser.parse(page.text.splitlines())
    except FetchError as exc:
        if " answered 4" in exc.message:
            parser.parse([])  # no robots.txt: everything is allowed
        else:
            parser, reason = None, f"robots.txt of {host} could not be read ({exc.message})"
    with _lock:
        _robots[host] = (now, parser, reason)
    return parser, reason


def _pause(host: str, robots: urllib.robotparser.RobotFileParser | None) -> None:
    """Wait until this host may be asked again (MONITOR_HOST_DELAY seconds, or its Crawl-delay)."""
    delay = float(current_app.config.get("MONITOR_HOST_DELAY", 2.0))
    if robots is not None:
        asked = robots.crawl_delay(ROBOTS_AGENT)
        if asked:
            delay = max(delay, min(float(asked), 60.0))
    while True:
        with _lock:
            now = time.monotonic()
            ready = _last_request.get(host, 0.0) + delay
            if now >= ready:
                _last_request[host] = now
                return
        time.sleep(ready - now)


def polite_fetch(url: str, *, types: tuple[str, ...] = ALLOWED_TYPES, etag: str | None = None,
                 last_modified: str | None = None) -> Fetched:
    """Fetch `url` as a polite crawler: robots.txt first, then the host's pace, then the safe fetcher."""
    host = _host(url)
    robots, reason = _robots_for(host)
    if robots is None:
        raise Disallowed(f"Not fetched: {reason}")
    if not robots.can_fetch(ROBOTS_AGENT, url):
        raise Disallowed(f"Not fetched: robots.txt of {host} disallows {url}")
    _pause(host, robots)
    return _safe_fetch(url, types=types, etag=etag, last_modified=last_modified)


def forget_hosts() -> None:
    """Drop cached robots rules and pacing (a new pass in tests, or after settings change)."""
    with _lock:
        _robots.clear()
        _last_request.clear()
