"""Claim highlights rendered by the server as marks in the canonical article text (DESIGN §4).

The output is the text itself, escaped, character for character, for an element with
``white-space: pre-wrap`` (no ``<p>``, no ``<br>``): browser selection offsets stay the canonical
offsets. Markup adds no text characters, so ``textContent`` of the result equals the text.

Each claim is named once, where it begins, and every stretch of text says only which claims cover
it: a page with 300 overlapping highlights stays small (no title repeated on every stretch) and has
one keyboard stop per claim, not one per stretch::

    <a class="s-researching" id="hl-12" href="#claim-12" aria-label="Claim 12, researching"></a>
    <mark class="hl s-researching r-false hl-d2 hl-end" data-claims="15 12">text</mark>

- The empty link where a highlight begins (a ``<span>`` when the highlight has no ``href``) carries
  the highlight's ``start_class`` (its ``css_class`` if it has none: the start needs fewer classes
  than the stretches), its ``label`` as the accessible name, and the id ``hl-<id>`` that a claim
  panel links back to. The stylesheet draws it as an opening bracket and ``hl-end`` (on the
  last stretch of one or more highlights) as a closing one, so nested and overlapping highlights
  show where each claim starts and ends.
- ``mark``: ``hl``, the ``css_class`` of the topmost highlight (the innermost: latest start, then
  earliest end, then later in the caller's list), ``hl-d<depth>`` (2…4, 4 meaning four or more)
  when several cover the stretch; ``data-claims`` holds the ids of every highlight
  covering it, topmost first (static/js/highlight.js offers them all on a click).
"""
from __future__ import annotations

import bisect
import re
from html import escape as _escape
from typing import Any, Iterable, Mapping

from markupsafe import Markup

DEEPEST = 4  # depth classes stop here: beyond four stacked underlines nobody counts them
_SPECIAL = re.compile(r"[&<>\"']").search
_MARKUP = re.compile(r"[&<>]").search  # what element content must escape (quotes only inside attributes)


def escape(value: Any) -> str:
    """HTML-escaped text, quotes included; a plain str (hundreds of calls a page: no Markup objects,
    and no work on the many strings with nothing to escape)."""
    value = str(value)
    return _escape(value) if _SPECIAL(value) else value


def _fields(h: Any) -> tuple:
    get = h.get if type(h) is dict or isinstance(h, Mapping) else (lambda name, default=None: getattr(h, name, default))
    css = get("css_class") or ""
    return (get("start"), get("end"), get("id"), css, get("start_class") or css, get("href"),
            get("label") or get("title"))


def _topmost(h: tuple) -> tuple[int, int, int]:
    """Sort key, topmost first: the innermost (latest start, earliest end), then later in the list."""
    return -h[0], h[1], -h[2]


def render_marked_text(text: str, highlights: Iterable[Any]) -> Markup:
    """The escaped text with a mark for every highlight (objects or dicts with ``start``, ``end``,
    ``id``, ``css_class``, ``href``, ``label``). Highlights outside the text or empty are skipped."""
    n = len(text)
    hls = []  # (start, end, order, id, css_class, opening markup)
    for h in highlights:
        start, end, hl_id, css, start_css, href, label = _fields(h)
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= n):
            continue
        css = escape(css)
        cls = f' class="{escape(start_css)}"' if start_css else ""
        ident = None if hl_id is None else str(hl_id) if type(hl_id) is int else escape(hl_id)
        anchor = f' id="hl-{ident}"' if ident is not None else ""
        name = f' aria-label="{escape(label)}"' if label else ""
        if href:
            opening = f'<a{cls}{anchor} href="{escape(href)}"{name}></a>'
        else:
            opening = f'<span{cls}{anchor}></span>'
        hls.append((start, end, len(hls), ident, css, opening))
    if not hls:
        return Markup(escape(text))

    # Text with no "&", "<" or ">" (most articles) is its own escaped form: its stretches need no escaping.
    plain = _MARKUP(text) is None
    hls.sort(key=lambda t: (t[0], t[2]))
    ends = {h[1] for h in hls}
    bounds = sorted({0, n, *(h[0] for h in hls), *ends})
    out: list[str] = []
    active: list[tuple] = []  # the highlights covering the stretch, topmost first
    k, count = 0, len(hls)
    for a, b in zip(bounds, bounds[1:]):
        if a in ends:
            active = [h for h in active if h[1] != a]
        while k < count and hls[k][0] == a:
            h = hls[k]
            bisect.insort(active, h, key=_topmost)
            out.append(h[5])
            k += 1
        chunk = text[a:b] if plain else escape(text[a:b])
        if not active:
            out.append(chunk)
            continue
        top = active[0]
        classes = f"hl {top[4]}" if top[4] else "hl"
        if b in ends:
            classes += " hl-end"
        if len(active) > 1:
            classes += f" hl-d{min(len(active), DEEPEST)}"
            ids = " ".join(h[3] for h in active if h[3] is not None)
        else:
            ids = top[3]
        claims = f' data-claims="{ids}"' if ids else ""
        out.append(f'<mark class="{classes}"{claims}>{chunk}</mark>')
    return Markup("".join(out))
