"""Claim highlights rendered by the server as marks in the canonical article text (DESIGN §4).

The output is the text itself, escaped, character for character, for an element with
``white-space: pre-wrap`` (no ``<p>``, no ``<br>``): browser selection offsets stay the canonical
offsets. Markup adds no text characters, so ``textContent`` of the result equals the text.

Markup for a stretch of text covered by highlights (split at every start and end, so overlapping
highlights never straddle one another)::

    <mark class="hl status-researching rating-false hl-overlap" data-claims="12 15"><a
      href="#claim-15" title="…">text</a></mark>

- ``class``: ``hl``, the ``css_class`` of the topmost highlight (the innermost: latest start, then
  earliest end, then later in the list), ``hl-overlap`` when more than one covers the stretch;
- ``data-claims``: the ids of every highlight covering it, topmost first;
- the ``<a>`` (a keyboard stop, Tab reaches every highlight) links to the topmost highlight's
  ``href``; its ``title`` joins the titles of all covering highlights, topmost first. Without an
  ``href`` the mark holds the text directly.
- Where a highlight begins, an empty ``<span class="hl-start" id="hl-<id>"></span>`` precedes the
  mark, so a claim panel can link back to its highlight with ``#hl-<id>``.
"""
from __future__ import annotations

import heapq
from typing import Any, Iterable, Mapping

from markupsafe import Markup, escape


def _get(h: Any, name: str, default: Any = None) -> Any:
    if isinstance(h, Mapping):
        return h.get(name, default)
    return getattr(h, name, default)


def render_marked_text(text: str, highlights: Iterable[Any]) -> Markup:
    """The escaped text with a mark for every highlight (objects or dicts with ``start``, ``end``,
    ``id``, ``css_class``, ``href``, ``title``). Highlights outside the text or empty are skipped."""
    n = len(text)
    hls = []
    for h in highlights:
        start, end = _get(h, "start"), _get(h, "end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= n):
            continue
        hls.append((start, end, len(hls), h))
    if not hls:
        return Markup(escape(text))

    hls.sort(key=lambda t: (t[0], t[2]))
    bounds = sorted({0, n, *(s for s, _, _, _ in hls), *(e for _, e, _, _ in hls)})
    out: list[str] = []
    # Topmost first: latest start, earliest end, later in the caller's list (lazy deletion heap).
    heap: list[tuple[int, int, int, Any]] = []
    active: dict[int, tuple[int, int, int, Any]] = {}
    ends: dict[int, list[int]] = {}
    for s, e, i, _ in hls:
        ends.setdefault(e, []).append(i)
    k = 0
    for a, b in zip(bounds, bounds[1:]):
        while k < len(hls) and hls[k][0] == a:
            s, e, i, h = hls[k]
            heapq.heappush(heap, (-s, e, -i, h))
            active[i] = hls[k]
            hl_id = _get(h, "id")
            if hl_id is not None:
                out.append(f'<span class="hl-start" id="hl-{escape(hl_id)}"></span>')
            k += 1
        for i in ends.pop(a, ()):
            del active[i]
        while heap and heap[0][1] <= a:
            heapq.heappop(heap)
        chunk = escape(text[a:b])
        if not heap:
            out.append(chunk)
            continue
        top = heap[0][3]
        covering = sorted(active.values(), key=lambda t: (-t[0], t[1], -t[2]))
        classes = "hl"
        if _get(top, "css_class"):
            classes += f" {_get(top, 'css_class')}"
        if len(covering) > 1:
            classes += " hl-overlap"
        ids = " ".join(str(_get(t[3], "id")) for t in covering if _get(t[3], "id") is not None)
        mark = f'<mark class="{escape(classes)}"'
        if ids:
            mark += f' data-claims="{escape(ids)}"'
        mark += ">"
        href = _get(top, "href")
        if href:
            titles = [str(_get(t[3], "title")) for t in covering if _get(t[3], "title")]
            link = f'<a href="{escape(href)}"'
            if titles:
                link += f' title="{escape(chr(10).join(titles))}"'
            out.append(f"{mark}{link}>{chunk}</a></mark>")
        else:
            out.append(f"{mark}{chunk}</mark>")
    return Markup("".join(out))
