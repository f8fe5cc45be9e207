"""What a source lists: the items of an RSS/Atom feed (feedparser), of a sitemap (lxml, no entities, no
network), or the watched page itself. Each item has a stable key, so an item is imported once."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin

import feedparser
from lxml import etree

from ..articles.fetch import Fetched, FetchError
from ..models import SourceKind

MAX_ITEMS = 50  # per source and pass: a feed of thousands is read a page at a time, newest first
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"


class NotASource(FetchError):
    """The answer is not the kind of source it was added as (malformed XML, not a feed, no URLs)."""

    code = "bad_source"


@dataclass(frozen=True)
class Item:
    key: str
    url: str
    title: str = ""
    author: str | None = None
    published_at: date | None = None
    html: bytes | None = None  # the page itself, when the source is a watched page


def item_key(identity: str) -> str:
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()


def _date(parsed) -> date | None:
    return date(*parsed[:3]) if parsed else None


def feed_items(page: Fetched) -> list[Item]:
    parsed = feedparser.parse(page.body, response_headers={"content-location": page.url})
    entries = [entry for entry in parsed.entries if entry.get("link")]
    if parsed.bozo and not entries:
        # Malformed beyond what feedparser's lenient reading recovers (a feed with a stray entity still reads).
        raise NotASource(f"Not a readable feed: {parsed.get('bozo_exception') or 'no entries'}")
    items = []
    for entry in entries[:MAX_ITEMS]:
        link = entry["link"]
        link = urljoin(page.url, link)
        identity = entry.get("id") or link
        items.append(Item(item_key(identity), link, (entry.get("title") or "").strip()[:500],
                          (entry.get("author") or "").strip()[:300] or None,
                          _date(entry.get("published_parsed") or entry.get("updated_parsed"))))
    return items


def _parse_xml(body: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise NotASource(f"Not a readable sitemap: malformed XML ({exc})") from None
    if root is None:
        raise NotASource("Not a readable sitemap: empty document")
    return root


def sitemap_items(page: Fetched) -> tuple[list[Item], list[str]]:
    """The pages a sitemap lists, newest first, and the child sitemaps a sitemap index names."""
    root = _parse_xml(page.body)
    if root.tag == f"{SITEMAP_NS}sitemapindex":
        return [], [loc.text.strip() for loc in root.iter(f"{SITEMAP_NS}loc") if loc.text][:MAX_ITEMS]
    if root.tag != f"{SITEMAP_NS}urlset":
        raise NotASource(f"Not a sitemap: the document is <{etree.QName(root).localname}>")
    found = []
    for entry in root.iter(f"{SITEMAP_NS}url"):
        loc = entry.findtext(f"{SITEMAP_NS}loc")
        if not loc or not loc.strip():
            continue
        stamp = entry.findtext(f"{NEWS_NS}news/{NEWS_NS}publication_date") or entry.findtext(f"{SITEMAP_NS}lastmod")
        title = entry.findtext(f"{NEWS_NS}news/{NEWS_NS}title") or ""
        try:
            when = date.fromisoformat(stamp.strip()[:10]) if stamp else None
        except ValueError:
            when = None
        url = urljoin(page.url, loc.strip())
        found.append(Item(item_key(url), url, title.strip()[:500], None, when))
    found.sort(key=lambda item: item.published_at or date.min, reverse=True)
    return found[:MAX_ITEMS], []


def page_item(page: Fetched) -> Item:
    """A watched page is an item each time its content changes."""
    digest = hashlib.sha256(page.body).hexdigest()
    return Item(item_key(f"{page.url}#{digest}"), page.url, html=page.body)


def items_of(kind: SourceKind, page: Fetched) -> tuple[list[Item], list[str]]:
    if kind == SourceKind.feed:
        return feed_items(page), []
    if kind == SourceKind.sitemap:
        return sitemap_items(page)
    return [page_item(page)], []
