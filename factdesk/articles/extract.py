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
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import lxml.etree as etree
import lxml.html
import trafilatura

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
    author: str | None
    publisher: str | None
    published_at: str | None  # ISO date, YYYY-MM-DD
    text: str
    url: str | None = None
    description: str | None = None
    language: str | None = None
    method: str = "trafilatura"  # which path produced the text; for diagnostics


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


def _clean(blocks: list[_Block], title: str | None) -> list[_Block]:
    blocks = _drop_leading_headings(blocks, title)
    blocks = _drop_promotions(blocks)
    blocks = _drop_trailing_furniture(blocks)
    return blocks


# --- metadata -----------------------------------------------------------------------------------


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


def _meta(tree: lxml.html.HtmlElement, *names: str) -> str | None:
    for name in names:
        for value in tree.xpath(f'//meta[@property="{name}" or @name="{name}"]/@content'):
            if value and value.strip():
                return value.strip()
    return None


def _iso_date(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value)
    if match:
        try:
            return date(*map(int, match.groups())).isoformat()
        except ValueError:
            return None
    return None


def _strip_site_suffix(title: str | None, publisher: str | None) -> str | None:
    """'Headline – Site' → 'Headline' when the suffix is the publisher's name."""
    if not title or not publisher:
        return title
    for sep in (" | ", " – ", " — ", " - ", " :: ", " · "):
        head, found, tail = title.rpartition(sep)
        if found and head and _norm(tail) == _norm(publisher):
            return head.strip()
    return title


# --- extraction ---------------------------------------------------------------------------------

_MIN_WORDS = 8  # fewer words than a one-line news brief is a menu or an error page, not an article
_MIN_CHARS = 200  # below this, precision mode probably cut the body; try the default mode


def _trafilatura_xml(tree: lxml.html.HtmlElement, url: str | None, **options: Any) -> str | None:
    return trafilatura.extract(
        _copy(tree),
        url=url,
        output_format="xml",
        include_comments=False,
        include_links=True,
        include_formatting=True,
        include_tables=True,
        **options,
    )


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


def _body(tree: lxml.html.HtmlElement, url: str | None, title: str | None, ld: list[dict[str, Any]]) -> tuple[str, str]:
    """(canonical text, method) for the page's article body, or ("", "") when there is none."""
    precise_xml = _trafilatura_xml(tree, url, favor_precision=True)
    full_xml = _trafilatura_xml(tree, url)
    precise = _blocks(precise_xml) if precise_xml else []
    full = _blocks(full_xml) if full_xml else []
    best, method = _render(_clean(_fuse(precise, full), title)), "trafilatura"
    if len(best) < _MIN_CHARS:
        fallback = _render(_clean(full, title))
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


def extract(html: str | bytes, url: str | None = None) -> Extracted:
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

    meta = trafilatura.extract_metadata(_copy(tree), default_url=url)
    ld = _json_ld(tree)
    ld_article = next(iter(_ld_articles(ld)), {})

    publisher = meta.sitename or _ld_name(ld_article.get("publisher")) or _meta(tree, "og:site_name")
    title = meta.title or ld_article.get("headline") or _meta(tree, "og:title", "twitter:title")
    title = _strip_site_suffix(title.strip() if isinstance(title, str) else None, publisher)
    author = meta.author or _ld_name(ld_article.get("author")) or _meta(tree, "author", "article:author")
    if author and author.startswith(("http://", "https://")):
        author = None  # article:author is often a profile URL, not a name
    published = _iso_date(meta.date) or _iso_date(ld_article.get("datePublished")) or _iso_date(
        _meta(tree, "article:published_time", "og:published_time", "date", "pubdate")
    )

    text, method = _body(tree, url, title, ld)
    if len(_WORD.findall(text)) < _MIN_WORDS:
        raise ExtractionError("No article text was found on the page (only navigation or too little text)")
    return Extracted(
        title=title or None,
        author=author or None,
        publisher=publisher or None,
        published_at=published,
        text=text,
        url=meta.url or url,
        description=meta.description or None,
        language=meta.language or None,
        method=method,
    )
