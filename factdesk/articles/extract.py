"""Article body and metadata from a web page, as the canonical text the desk stores (DESIGN.md §4, §5).

trafilatura finds the main content; the desk then reads its structured (XML) output and removes
what a reader would not count as the article, using only signals that hold on any news page:

- precision mode first (fewer sidebars and teasers), the default mode only when precision mode
  kept almost nothing, then the page's JSON-LD ``articleBody``;
- headings before the first paragraph are the headline, kicker and standfirst, which the desk
  stores as the title, not as body text;
- a "SEE MORE:" / "RELATED" cue and the run of link-only lines after it are cross-promotion;
- at the end of the body, headings with no text under them, link lists and lines that invite the
  reader to subscribe, follow, share or comment are page furniture, not reporting.

The work is bounded by the page's number of HTML elements (DESIGN.md §10: 2 s for any input within the
limits): trafilatura's two readings cost about 0.1 ms of CPU per element each, fine for a news page
(the 91 fixture pages have at most 1,600 elements) and tens of seconds for 20,000 tiny paragraphs. A
page past FULL_READING_ELEMENTS is read by trafilatura's baseline alone (a tenth of the work); a page
past MAX_ELEMENTS is refused, asking for its text to be pasted instead.
"""
from __future__ import annotations

import html as html_lib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.etree as etree
import lxml.html
import trafilatura
from trafilatura.core import bare_extraction, determine_returnstring
from trafilatura.settings import Extractor

from factdesk.errors import DomainError
from factdesk.text import canonicalize


class ExtractionError(DomainError):
    """No article body could be found in the page."""

    status = 422
    code = "no_article"


@dataclass(frozen=True)
class Extracted:
    """What an import stores from a page: canonical text plus the metadata a checker cites."""

    title: str | None
    author: str | None  # several authors are joined by "; "
    publisher: str | None
    published_at: str | None  # ISO date, YYYY-MM-DD
    text: str
    url: str | None = None  # the page's canonical address (else the address it was fetched from)
    description: str | None = None
    language: str | None = None
    method: str = "trafilatura"  # which path produced the text; for diagnostics
    sources: dict[str, str] = field(default_factory=dict)  # metadata field -> where it was read (SOURCES)


# --- blocks from trafilatura's XML --------------------------------------------------------------


@dataclass
class _Block:
    kind: str  # "p", "head", "list", "quote", "table", "code"
    text: str
    link_chars: int = 0

    @property
    def words(self) -> int:
        return len(_WORD.findall(self.text))

    @property
    def link_ratio(self) -> float:
        chars = len(re.sub(r"\s", "", self.text))
        return self.link_chars / chars if chars else 0.0


_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"[ \t\u00a0]+")


def _inline_text(el: etree._Element) -> tuple[str, int]:
    """Text of an element with ``<lb/>`` as line breaks, and how many non-space chars sit in links."""
    parts: list[str] = []
    link_chars = 0

    def walk(node: etree._Element, in_link: bool) -> None:
        nonlocal link_chars
        is_link = in_link or node.tag == "ref"
        if node.tag == "lb":
            parts.append("\n")
        elif node.text:
            parts.append(node.text)
            if is_link:
                link_chars += len(re.sub(r"\s", "", node.text))
        for child in node:
            walk(child, is_link)
            if child.tail:
                parts.append(child.tail)
                if in_link or node.tag == "ref":
                    link_chars += len(re.sub(r"\s", "", child.tail))

    walk(el, False)
    lines = [_SPACE.sub(" ", line).strip() for line in "".join(parts).split("\n")]
    return "\n".join(line for line in lines if line), link_chars


def _blocks(xml: str) -> list[_Block]:
    """The main content as a flat list of blocks, in reading order."""
    root = etree.fromstring(xml.encode("utf-8"))
    main = root.find("main")
    if main is None:
        return []
    out: list[_Block] = []

    def add(kind: str, el: etree._Element) -> None:
        text, links = _inline_text(el)
        if text:
            out.append(_Block(kind, text, links))

    def visit(el: etree._Element) -> None:
        tag = el.tag
        if tag in ("p", "head", "code"):
            add(tag, el)
        elif tag == "list":
            items = [_inline_text(i) for i in el.iter("item")]
            items = [(t, n) for t, n in items if t]
            if items:
                out.append(_Block("list", "\n".join(t for t, _ in items), sum(n for _, n in items)))
        elif tag == "table":
            rows = []
            links = 0
            for row in el.iter("row"):
                cells = [_inline_text(c) for c in row.iter("cell")]
                line = " | ".join(t.replace("\n", " ") for t, _ in cells if t)
                links += sum(n for _, n in cells)
                if line:
                    rows.append(line)
            if rows:
                out.append(_Block("table", "\n".join(rows), links))
        elif tag == "quote":
            if any(child.tag in ("p", "head", "list", "table", "quote") for child in el):
                for child in el:
                    visit(child)
            else:
                add("quote", el)
        else:
            for child in el:
                visit(child)
            if el.text and el.text.strip() and tag not in ("main",):
                out.append(_Block("p", _SPACE.sub(" ", el.text).strip()))

    for child in main:
        visit(child)
    return out


# --- cleaning rules -----------------------------------------------------------------------------

# A cue line that introduces links to other stories, in the words sites use across languages' English.
_PROMO_CUE = re.compile(
    r"^\W*(see more|see also|read more|read also|also read|read next|more on this|more from|"
    r"related|recommended|don'?t miss|must read|trending|most read|most popular|top stories|"
    r"you may also like|you might also like|further reading|watch more|more stories|latest news)"
    r"\b[^.!?]{0,40}?(:|$)",
    re.IGNORECASE,
)

# Lines that speak to the reader about the page rather than report: subscribe, follow, share...
_FURNITURE = re.compile(
    r"(newsletter|subscribe|sign up|signup|follow (us|me|him|her|them)\b|on (twitter|facebook|instagram)\b|"
    r"click here|all rights reserved|copyright|\u00a9|tell us what you think|have a tip|share this|"
    r"share on|read more|more information|comments?\b|join the conversation|leave a (comment|reply)|"
    r"in your inbox|delivered (to|through)|updated (at|on)\b|last updated|advertisement|"
    r"send us|contact us|reporting by|editing by|@\w+\.\w+|originally published|first published|"
    r"(article|story) (was )?(originally |first )?(published|appeared))",
    re.IGNORECASE,
)


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _similar(a: str, b: str) -> bool:
    """Same words, near enough (a headline vs the page title with a site suffix)."""
    wa, wb = set(_WORD.findall(a.lower())), set(_WORD.findall(b.lower()))
    if not wa or not wb:
        return False
    return len(wa & wb) / max(len(wa), len(wb)) >= 0.7


def _drop_leading_headings(blocks: list[_Block], title: str | None) -> list[_Block]:
    """Headline, kicker, standfirst and teaser links: what comes before the first body paragraph."""
    i = 0
    while i < len(blocks) - 1:
        block = blocks[i]
        if (
            block.kind == "head"
            or (title and block.words <= 40 and _similar(block.text, title))
            or (block.words <= 25 and block.link_ratio >= 0.8)
        ):
            i += 1
            continue
        break
    return blocks[i:]


def _drop_promotions(blocks: list[_Block]) -> list[_Block]:
    """A "SEE MORE:"-style cue and the link lines right after it."""
    kept: list[_Block] = []
    in_promo = False
    for block in blocks:
        short = block.words <= 25
        linky = block.link_ratio >= 0.5
        cue = _PROMO_CUE.match(block.text)
        cue_alone = cue is not None and "\n" in block.text and _PROMO_CUE.fullmatch(block.text.split("\n", 1)[0])
        if short and cue and (linky or block.words <= 4 or cue_alone):
            in_promo = True
            continue
        if in_promo and short and (linky or block.words <= 2):
            continue
        in_promo = False
        kept.append(block)
    return kept


def _drop_trailing_furniture(blocks: list[_Block]) -> list[_Block]:
    """Newsletter boxes, share and comment prompts, orphan headings and link lists at the end."""
    total = sum(b.words for b in blocks) or 1
    removed = 0
    end = len(blocks)
    while end > 1:
        block = blocks[end - 1]
        furniture = (
            block.kind == "head"
            or (block.words <= 40 and _FURNITURE.search(block.text) is not None)
            or (block.words <= 25 and block.link_ratio >= 0.6)
            or block.words <= 2
        )
        if not furniture or (removed + block.words) > 0.25 * total:
            break
        removed += block.words
        end -= 1
    return blocks[:end]


def _clean(blocks: list[_Block], title: str | None, rules: frozenset[str]) -> list[_Block]:
    if "leading_headings" in rules:
        blocks = _drop_leading_headings(blocks, title)
    if "promotions" in rules:
        blocks = _drop_promotions(blocks)
    if "trailing_furniture" in rules:
        blocks = _drop_trailing_furniture(blocks)
    return blocks


# --- metadata -----------------------------------------------------------------------------------
#
# A page says who wrote it, when and where in several places; the page's own structured data (JSON-LD
# NewsArticle, OpenGraph ``article:*``, ``<link rel=canonical>``, meta tags) is what its publisher
# declares, so it is read first, then the visible byline, then a date in the page's address, and
# trafilatura's guesses last. Every field records which source it came from.

SOURCES = ("json-ld", "opengraph", "meta", "byline", "url", "trafilatura", "fetch")
_EARLIEST = date(1995, 1, 1)  # before news sites: a placeholder such as 0001-01-01, not a date


def _json_ld(tree: lxml.html.HtmlElement) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, flattened out of lists and @graph."""
    found: list[dict[str, Any]] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except (ValueError, TypeError):
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                found.append(item)
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])
    return found


def _ld_articles(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def is_article(obj: dict[str, Any]) -> bool:
        kind = obj.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        return any(isinstance(k, str) and (k.endswith("Article") or k in ("BlogPosting", "Report")) for k in kinds)

    return [o for o in objects if is_article(o)]


def _ld_name(value: Any) -> str | None:
    """A name from a JSON-LD person/organisation (string, object or list of them)."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return _ld_name(value.get("name"))
    if isinstance(value, list):
        names = [n for n in (_ld_name(v) for v in value) if n]
        return "; ".join(dict.fromkeys(names)) or None
    return None


def _ld_url(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return _ld_url(value.get("@id") or value.get("url"))
    return None


def _meta(tree: lxml.html.HtmlElement, *names: str) -> str | None:
    for name in names:
        for value in tree.xpath(f'//meta[@property="{name}" or @name="{name}"]/@content'):
            if value and value.strip():
                return value.strip()
    return None


def _iso_date(value: Any) -> str | None:
    """The date as the page wrote it (an ISO string's own day, not converted to UTC), if plausible."""
    if not isinstance(value, str) or not value.strip():
        return None
    match = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", value)
    if not match:
        return None
    try:
        day = date(*map(int, match.groups()))
    except ValueError:
        return None
    return day.isoformat() if _EARLIEST <= day <= date.today() else None


_URL_DATE = re.compile(r"/((?:19|20)\d\d)/(\d\d?|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*/(\d\d?)(?:/|$)",
                       re.IGNORECASE)
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                       "nov", "dec"), start=1)}


def _url_date(url: str | None) -> str | None:
    """A /YYYY/MM/DD/ (or /YYYY/mon/DD/) path: the day the publisher filed the story under."""
    match = _URL_DATE.search(url or "")
    if not match:
        return None
    year, month, day = match.groups()
    month_number = int(month) if month.isdigit() else _MONTHS[month[:3].lower()]
    try:
        return _iso_date(date(int(year), month_number, int(day)).isoformat())
    except ValueError:
        return None


def _web_address(value: str, base: str | None) -> str | None:
    """A declared address made absolute, kept only if it is http(s) and of a storable length."""
    absolute = urljoin(base or "", value)
    return absolute if re.match(r"https?://[^\s/]", absolute, re.IGNORECASE) and len(absolute) <= 2000 else None


def _profile_url(value: str | None) -> str | None:
    """article:author is often a profile URL, not a name."""
    return None if value is None or value.startswith(("http://", "https://", "@")) else value


_BYLINE = re.compile(r"^\s*by\s+(?P<names>.+)", re.IGNORECASE | re.DOTALL)
# Tried where a whitespace run begins, never inside one (each start inside a long run rescanned it).
_BYLINE_END = re.compile(r"(?<!\s)\s++(?:on|-|–|—|\||published|updated)\s+.*$", re.IGNORECASE | re.DOTALL)


def _byline(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """Author names from the visible "By …" line that follows the headline (its links, or its words)."""
    for heading in tree.xpath("//h1")[:1]:
        following = heading.xpath("following::*[self::p or self::div or self::span][position() <= 12]")
        for element in following:
            text = " ".join(element.text_content().split())
            match = _BYLINE.match(text) if len(text) <= 200 else None
            if not match:
                continue
            links = [" ".join(a.text_content().split()) for a in element.xpath(".//a")]
            names = [n for n in links if n and not n.startswith("@") and len(n.split()) <= 5]
            if not names:
                names = [n.strip() for n in re.split(r",| and ", _BYLINE_END.sub("", match["names"])) if n.strip()]
            if names and all(len(n.split()) <= 5 for n in names):
                return {"author": "; ".join(dict.fromkeys(names))}
    return {}


def _headline(tree: lxml.html.HtmlElement, title: str | None) -> str | None:
    """The visible headline when the declared title is it with more (a section or site suffix) or less
    (cut short for search results); a declared title with other words stays."""
    heading = next((" ".join(h.text_content().split()) for h in tree.xpath("//h1")), "")
    if not title or not heading:
        return title or heading or None
    said, shown = _norm(title), _norm(heading)
    if shown and said and shown != said and (said.startswith(shown) or shown.startswith(said)):
        return heading
    return title


_NAME_PARTICLES = {"de", "da", "del", "der", "van", "von", "bin", "al", "la", "le", "di", "du", "dos", "ter"}


def _clean_authors(value: str | None, publisher: str | None) -> str | None:
    """People's names only: "By" dropped, a trailing ", Site.com" or the publisher itself is not an author,
    and a part that does not read as a name (lower-case words, figures) is left out."""
    if not value:
        return None
    names = []
    for part in re.split(r";", value):
        part = re.sub(r"^\s*by\s+", "", part.strip(), flags=re.IGNORECASE)
        pieces = [p.strip() for p in part.split(",")]
        pieces = [p for p in pieces if p and not re.search(r"\w\.(com|org|net|co\.uk|ca)$", p, re.IGNORECASE)
                  and _norm(p).replace(" ", "") != _norm(publisher or "").replace(" ", "")]
        name = ", ".join(pieces)
        words = name.split()
        if 0 < len(words) <= 5 and all(w[0].isupper() or w.lower() in _NAME_PARTICLES for w in words):
            names.append(name)
    return "; ".join(dict.fromkeys(names)) or None


def _strip_site_suffix(title: str | None, publisher: str | None) -> str | None:
    """'Headline – Site' → 'Headline' when the suffix is the publisher's name."""
    if not title or not publisher:
        return title
    for sep in (" | ", " – ", " — ", " - ", " :: ", " · "):
        head, found, tail = title.rpartition(sep)
        if found and head and _norm(tail).replace(" ", "") == _norm(publisher).replace(" ", ""):
            return head.strip()
    return title


def _metadata(tree: lxml.html.HtmlElement, url: str | None) -> tuple[dict[str, str | None], dict[str, str]]:
    """(title, author, publisher, published_at, canonical_url, description, language; which source gave each)."""
    ld = next(iter(_ld_articles(_json_ld(tree))), {})
    meta = trafilatura.extract_metadata(_copy(tree), default_url=url)
    canonical_link = next((h.strip() for h in tree.xpath('//link[@rel="canonical"]/@href') if h.strip()), None)
    site_name = _meta(tree, "og:site_name")
    offered: dict[str, dict[str, Any]] = {
        "json-ld": {"title": ld.get("headline"), "author": _ld_name(ld.get("author")),
                    "publisher": _ld_name(ld.get("publisher")), "published_at": _iso_date(ld.get("datePublished")),
                    "canonical_url": _ld_url(ld.get("mainEntityOfPage")) or _ld_url(ld.get("url"))},
        "opengraph": {"title": _meta(tree, "og:title"), "author": _profile_url(_meta(tree, "article:author")),
                      "publisher": site_name if site_name and not site_name.startswith("@") else None,
                      "published_at": _iso_date(_meta(tree, "article:published_time")),
                      "canonical_url": _meta(tree, "og:url")},
        "meta": {"author": _profile_url(_meta(tree, "author", "parsely-author", "sailthru.author", "dc.creator")),
                 "published_at": _iso_date(_meta(tree, "parsely-pub-date", "pubdate", "publish-date", "date",
                                                  "dc.date", "sailthru.date")
                                           or next(iter(tree.xpath('//*[@itemprop="datePublished"]/@content'
                                                                   ' | //*[@itemprop="datePublished"]/@datetime')),
                                                   None)),
                 "canonical_url": canonical_link},
        "byline": _byline(tree),
        "trafilatura": {"title": meta.title, "author": meta.author, "publisher": meta.sitename,
                        "published_at": _iso_date(meta.date), "canonical_url": meta.url if meta.url != url else None},
    }
    order = {  # canonical_url first: a date in the canonical address is one of the date's sources
        "canonical_url": ("meta", "opengraph", "json-ld", "fetch"),
        "title": ("json-ld", "opengraph", "trafilatura"),
        "author": ("json-ld", "opengraph", "meta", "byline", "trafilatura"),
        "publisher": ("json-ld", "opengraph", "trafilatura"),
        "published_at": ("json-ld", "opengraph", "meta", "url", "trafilatura"),
    }
    values: dict[str, str | None] = {}
    sources: dict[str, str] = {}
    for key, names in order.items():
        for name in names:
            if name == "url":
                value = _url_date(values.get("canonical_url") or url)
            elif name == "fetch":
                value = url
            else:
                value = offered[name].get(key)
            value = html_lib.unescape(value).strip() if isinstance(value, str) else None
            if name == "trafilatura" and key == "publisher" and value and value == urlsplit(url or "").netloc:
                value = None  # trafilatura names a site after its host when the page does not say
            if key == "canonical_url" and value:
                value = _web_address(value, url)
            if value:
                values[key], sources[key] = value, name
                break
        else:
            values[key] = None
    values["title"] = _headline(tree, _strip_site_suffix(values["title"], values["publisher"]))
    values["author"] = _clean_authors(values["author"], values["publisher"])
    if not values["author"]:
        sources.pop("author", None)
    values["description"] = meta.description or None
    values["language"] = meta.language or None
    return values, sources


# --- extraction ---------------------------------------------------------------------------------

FULL_READING_ELEMENTS = 4_000  # both readings and the desk's rules up to here (news pages: < 2,000)
MAX_ELEMENTS = 20_000  # past this the page is refused: a news article, however long, has a few thousand
_MIN_WORDS = 8  # fewer words than a one-line news brief is a menu or an error page, not an article
_MIN_CHARS = 200  # below this, precision mode probably cut the body; try the default mode


def _trafilatura_xml(tree: lxml.html.HtmlElement, url: str | None, *, favor_precision: bool = False) -> str | None:
    """What `trafilatura.extract(output_format="xml", …)` returns, less the document's fingerprint.

    `extract` also hashes the whole text into a simhash `fingerprint` attribute the desk never reads;
    on a page at the 500,000-character limit that hash was most of extraction's time (the bench's
    worst_case_text). The steps are extract's own: `bare_extraction`, then `determine_returnstring`."""
    options = Extractor(output_format="xml", precision=favor_precision, comments=False, links=True,
                        formatting=True, tables=True, url=url)
    document = bare_extraction(_copy(tree), options=options, as_dict=False)
    if document is None:
        return None
    return determine_returnstring(document, options)


def _copy(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(etree.tostring(tree))


def _render(blocks: list[_Block]) -> str:
    return canonicalize("\n\n".join(b.text for b in blocks))


def _shingle_set(text: str, n: int = 4) -> set[tuple[str, ...]]:
    tokens = _WORD.findall(text.lower())
    return {tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1))} if tokens else set()


def _fuse(precise: list[_Block], full: list[_Block]) -> list[_Block]:
    """Precision mode's choice of region, with the full mode's paragraphs inside that region.

    Precision mode sometimes splits or drops prose paragraphs in the middle of the story (inline
    markup it distrusts). Full-mode blocks that precision mode also kept are taken whole, and
    full-mode blocks lying between two of them are kept when they read as prose: long enough,
    few links. Nothing before the first or after the last shared block is added, so sidebars and
    footers precision mode left out stay out. When the two modes disagree on where the story is,
    precision mode wins.
    """
    if not precise or not full:
        return precise
    if [b.text for b in precise] == [b.text for b in full]:
        return full  # the two readings agree on every paragraph: nothing to fuse, no shingles to build
    grams_p = [_shingle_set(b.text) for b in precise]
    words_p = [_norm(b.text) for b in precise]

    def within(k: int, block: _Block, grams: set) -> bool:
        """Is precise[k] the same text as (or a fragment of) this full-mode block, or vice versa?"""
        if len(grams_p[k]) <= 2 or len(grams) <= 2:
            a, b = words_p[k], _norm(block.text)
            return bool(a and b) and (a in b or b in a)
        common = len(grams_p[k] & grams)
        return common >= 0.5 * len(grams_p[k]) or common >= 0.5 * len(grams)

    fused: list[_Block] = []
    pending: list[_Block] = []  # prose since the last shared block, kept if another shared one follows
    matched_words = 0
    j = 0
    for block in full:
        if j >= len(precise):
            break  # all of precision mode's text is placed; the rest is outside the story
        grams = _shingle_set(block.text)
        hit = next((k for k in range(j, min(j + 4, len(precise))) if within(k, block, grams)), None)
        if hit is None:
            if fused and block.kind == "p" and block.words >= 15 and block.link_ratio < 0.3 \
                    and not _FURNITURE.search(block.text) and not _PROMO_CUE.match(block.text):
                pending.append(block)
            continue
        j = hit + 1
        while j < len(precise) and within(j, block, grams):
            j += 1  # precision mode split this paragraph into fragments
        matched_words += sum(p.words for p in precise[hit:j])
        fused.extend(pending)
        pending = []
        fused.append(block)
    if matched_words < 0.9 * sum(b.words for b in precise):
        return precise  # the modes disagree on where the story is
    return fused


# The desk's rules on top of trafilatura, each one switchable so `make extract-score` can check, fold by
# fold, that it helps on sites it was not tuned on (factdesk/articles/score.py); RULES are the ones kept.
ALL_RULES = ("embedded_posts", "fuse", "leading_headings", "promotions", "trailing_furniture")
RULES = frozenset(ALL_RULES)


def _unwrap_embedded_posts(tree: lxml.html.HtmlElement) -> None:
    """An embedded post (a tweet quoted in the story) is a blockquote inside a widget wrapper that
    content filters read as social-media furniture: keep the quote, drop the wrapper."""
    for quote in tree.xpath("//blockquote[p]"):
        for name in ("class", "id"):
            quote.attrib.pop(name, None)
        parent = quote.getparent()
        while (parent is not None and parent.tag == "div" and parent.getparent() is not None
               and sum(1 for child in parent if child.tag != "script" and isinstance(child.tag, str)) == 1):
            grand = parent.getparent()
            quote.tail = parent.tail
            grand.replace(parent, quote)
            parent = grand


@dataclass(frozen=True)
class Modes:
    """trafilatura's two readings of a page (precision mode and default mode), as blocks."""

    precise: list[_Block]
    full: list[_Block]


def read_modes(tree: lxml.html.HtmlElement, url: str | None, rules: frozenset[str] = RULES) -> Modes:
    """The expensive part of extraction, done once per page (the scorer reuses it for every rule set)."""
    if "embedded_posts" in rules:
        tree = _copy(tree)
        _unwrap_embedded_posts(tree)
    precise_xml = _trafilatura_xml(tree, url, favor_precision=True)
    full_xml = _trafilatura_xml(tree, url)
    return Modes(_blocks(precise_xml) if precise_xml else [], _blocks(full_xml) if full_xml else [])


def compose_body(modes: Modes, tree: lxml.html.HtmlElement, title: str | None, ld: list[dict[str, Any]],
                 rules: frozenset[str] = RULES) -> tuple[str, str]:
    """(canonical text, method) for the page's article body, or ("", "") when there is none."""
    chosen = _fuse(modes.precise, modes.full) if "fuse" in rules else modes.precise
    best, method = _render(_clean(chosen, title, rules)), "trafilatura"
    if len(best) < _MIN_CHARS:
        fallback = _render(_clean(modes.full, title, rules))
        if len(fallback) > len(best):
            best, method = fallback, "trafilatura-full"
    if len(best) < _MIN_CHARS:
        for obj in _ld_articles(ld):
            body = obj.get("articleBody")
            if isinstance(body, str) and len(body.strip()) > len(best):
                if "<" in body:
                    body = lxml.html.fromstring(body).text_content()
                best, method = canonicalize(body), "json-ld"
    if not best:
        best, method = canonicalize(trafilatura.baseline(_copy(tree))[1] or ""), "baseline"
    return best, method


def extract(html: str | bytes, url: str | None = None, *, rules: frozenset[str] = RULES) -> Extracted:
    """The article in a web page: canonical body text and its title, author, publisher and date.

    Raises ExtractionError when the page holds no article body.
    """
    if isinstance(html, str):
        html = html.encode("utf-8")  # let lxml/trafilatura honour a <meta charset> consistently
    if not html or not html.strip():
        raise ExtractionError("The page is empty: there is no article to extract")
    tree = trafilatura.load_html(html)
    if tree is None:
        raise ExtractionError("The page could not be read as HTML")

    elements = int(tree.xpath("count(//*)"))  # counted by libxml2: no Python step per element
    if elements > MAX_ELEMENTS:
        raise ExtractionError(f"The page has {elements:,} HTML elements; the desk reads pages of up to "
                              f"{MAX_ELEMENTS:,} (a news article has a few thousand). "
                              "Paste the article's text instead.")
    found, sources = _metadata(tree, url)
    ld = _json_ld(tree)
    if elements > FULL_READING_ELEMENTS:
        text, method = canonicalize(trafilatura.baseline(_copy(tree))[1] or ""), "baseline (large page)"
    else:
        text, method = compose_body(read_modes(tree, url, rules), tree, found["title"], ld, rules)
    if len(_WORD.findall(text)) < _MIN_WORDS:
        raise ExtractionError("No article text was found on the page (only navigation or too little text)")
    return Extracted(
        title=found["title"],
        author=found["author"],
        publisher=found["publisher"],
        published_at=found["published_at"],
        text=text,
        url=found["canonical_url"],
        description=found["description"],
        language=found["language"],
        method=method,
        sources=sources,
    )
