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
_DEPTHS = {d: f" hl-d{d}" for d in range(2, DEEPEST + 1)}


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


def opening(ident: str | None, start_class: str, href: str | None, label: str | None) -> str:
    """The empty element where a highlight begins, its values escaped here (see the module's docstring)."""
    cls = f' class="{escape(start_class)}"' if start_class else ""
    anchor = f' id="hl-{ident}"' if ident is not None else ""
    if not href:
        return f'<span{cls}{anchor}></span>'
    name = f' aria-label="{escape(label)}"' if label else ""
    return f'<a{cls}{anchor} href="{escape(href)}"{name}></a>'


def render_marked_text(text: str, highlights: Iterable[Any]) -> Markup:
    """The escaped text with a mark for every highlight (objects or dicts with ``start``, ``end``,
    ``id``, ``css_class``, ``href``, ``label``). Highlights outside the text or empty are skipped."""
    marks = []
    for h in highlights:
        start, end, hl_id, css, start_css, href, label = _fields(h)
        if not (isinstance(start, int) and isinstance(end, int)):
            continue
        ident = None if hl_id is None else str(hl_id) if type(hl_id) is int else escape(hl_id)
        marks.append((start, end, ident, escape(css), opening(ident, start_css, href, label)))
    return render_marks(text, marks)


def render_marks(text: str, marks: Iterable[tuple[int, int, str | None, str, str]]) -> Markup:
    """The escaped text with prepared marks: each ``(start, end, ident, css_class, opening)`` with
    its strings already escaped (``ident`` the id as it appears in ``hl-<id>``, or None; ``opening``
    from `opening`). Spans outside the text or empty are skipped.

    One pass over the stretches between boundaries; the highlights covering a stretch are kept
    sorted topmost first by their own tuples (``-start, end, -order``), and each highlight's
    class attribute is made once, not once per stretch it covers."""
    n = len(text)
    hls = []  # (-start, end, -order, ident, class attribute's start, opening, start): topmost sorts first
    for start, end, ident, css, begin in marks:
        if 0 <= start < end <= n:
            hls.append((-start, end, -len(hls), ident, f"hl {css}" if css else "hl", begin, start))
    if not hls:
        return Markup(escape(text))
    # Text with no "&", "<" or ">" (most articles) is its own escaped form: its stretches need no escaping.
    plain = _MARKUP(text) is None

    hls.sort(key=lambda h: (h[6], -h[2]))  # where each begins, then the caller's order
    ends = {h[1] for h in hls}
    bounds = sorted({0, n, *(h[6] for h in hls), *ends})
    out: list[str] = []
    append = out.append
    active: list[tuple] = []  # the highlights covering the stretch, topmost first
    insort = bisect.insort
    k, count = 0, len(hls)
    following = hls[0][6]  # where the next highlight (in start order) begins
    for a, b in zip(bounds, bounds[1:]):
        if active and a in ends:
            active = [h for h in active if h[1] != a]
        while following == a:
            h = hls[k]
            insort(active, h)
            append(h[5])
            k += 1
            following = hls[k][6] if k < count else -1
        chunk = text[a:b] if plain else escape(text[a:b])
        if not active:
            append(chunk)
            continue
        top = active[0]
        classes = top[4] + " hl-end" if b in ends else top[4]
        if len(active) > 1:
            classes += _DEPTHS[len(active)] if len(active) < DEEPEST else _DEPTHS[DEEPEST]
            ids = " ".join([h[3] for h in active if h[3] is not None])
        else:
            ids = top[3]
        if ids:
            append(f'<mark class="{classes}" data-claims="{ids}">{chunk}</mark>')
        else:
            append(f'<mark class="{classes}">{chunk}</mark>')
    return Markup("".join(out))
