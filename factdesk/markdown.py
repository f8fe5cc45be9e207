"""Markdown for rationales and comments: rendered with markdown-it-py, then sanitised with nh3 (an allow-list).

Raw HTML in the source is never passed through (markdown-it's `html` option is off, so it is shown as
text), and the rendered HTML is cleaned again with an explicit allow-list of tags and attributes;
links keep only http, https and mailto targets and get rel="nofollow noopener".
"""
from __future__ import annotations

import html
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    return md


def render_markdown(text: str | None) -> Markup:
    """Safe HTML for a Markdown text; empty input gives an empty Markup."""
    if not text:
        return Markup("")
    html = _parser().render(text)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener",
        strip_comments=True,
    )
    return Markup(clean)


def markdown_text(text: str | None) -> str:
    """The words of a Markdown text without its markup (for search and snippets)."""
    if not text:
        return ""
    return " ".join(html.unescape(nh3.clean(_parser().render(text), tags=set())).split())
