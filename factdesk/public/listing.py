"""The public home's list of checks: each check's card as plain values, rendered in one pass.

Twenty cards as a Jinja macro were a third of the home page's time (an escape and a lookup per value,
a `url_for` per card and per tag); here each card is one f-string, escaped like the queue's rows
(desk/queue_rows.py), with the repeated links made once per page. The markup is the card of
templates/public/home.html; the rating badge is factdesk/pieces.py `badge`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlencode

from flask import request, url_for
from markupsafe import Markup

from ..articles.marks import escape
from ..pieces import badge, long_date
from .slugs import check_slug


@dataclass(frozen=True)
class Card:
    """What a check's card shows, from its latest publication."""

    claim_id: int
    summary: str
    quote: str
    claimant: str
    first_published_at: datetime  # when the check was first published (the claim's date)
    rating_name: str | None
    rating_label: str | None
    rating_colour: str | None
    tags: tuple[str, ...]


URL_SAFE = "!$'()*,/:;?@"  # what werkzeug's url_for leaves unquoted in a query value


def home_address(**values) -> str:
    """The public home with these query values (None left out, in this order), as `url_for` writes
    it: the pager and tag links, a dozen a page, without building each through the URL map."""
    query = urlencode([(k, v) for k, v in values.items() if v is not None], safe=URL_SAFE)
    home = url_for("public.home")
    return f"{home}?{query}" if query else home


@lru_cache(maxsize=4096)  # pure: the home's path and a tag; a desk has a few hundred tags
def _tag_link(home: str, tag: str) -> str:
    return escape(f"{home}?{urlencode({'tag': tag}, safe=URL_SAFE)}")


@lru_cache(maxsize=16)
def _check_base(script_root: str) -> str:
    """Where every check's address starts under this script root (a card's link is base + id-slug)."""
    return url_for("public.check", claim_id=0, slug="s").removesuffix("0-s")


def render_cards(cards: list[Card], snippets: dict[int, Markup]) -> Markup:
    """One `<article class="check-card">` per card; a search hit's snippet (already safe HTML) under its title."""
    check_base, home = _check_base(request.script_root), url_for("public.home")
    tag_links = {tag: _tag_link(home, tag) for tag in {t for card in cards for t in card.tags}}
    out = []
    for card in cards:
        snippet = snippets.get(card.claim_id)
        tags = ""
        if card.tags:
            tags = ('<ul class="tag-list" aria-label="Tags">' + "".join(
                f'<li><a class="tag" href="{tag_links[tag]}">{escape(tag)}</a></li>'
                for tag in card.tags) + "</ul>")
        claimant = f'<span class="claimant">{escape(card.claimant)}</span>' if card.claimant else ""
        first = card.first_published_at
        out.append(
            f'<article class="check-card"><h2 class="check-card-title">'
            f'<a href="{check_base}{card.claim_id}-{check_slug(card)}">{escape(card.summary or card.quote)}</a></h2>'
            + (f'<p class="snippet">{snippet}</p>' if snippet else "")
            + f'<p class="meta">{badge(card.rating_name, card.rating_label, card.rating_colour)} {claimant}'
            f' · <time datetime="{first.date().isoformat()}">{long_date(first)}</time></p>'
            f'{tags}</article>')
    return Markup("".join(out))
