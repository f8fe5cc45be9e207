"""Small pieces of markup every page may show, written in Python and offered to templates as globals.

As Jinja macros they were a fifth of a public check page's render at 100,000 claims: a macro call,
an escape per value, and each `{% from … import … %}` building the macro's template module again
on every render (`with context` always, an include's import too). Each piece here is one f-string
with its values escaped as Jinja escapes them (markupsafe; Markup passes as it is), returning
Markup so the template does not escape it again. Registered in factdesk/__init__.py `_register_template_helpers`.
"""
from __future__ import annotations

from functools import lru_cache

from flask import current_app, url_for
from markupsafe import Markup, escape

from .urls import is_web_url

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
TRUNCATE_LEEWAY = 5  # Jinja's `truncate` policy, which these pieces replaced: no cut for five characters over


def long_date(day) -> str:
    """"5 March 2026" (what `strftime("%-d %B %Y")` writes in English, without a call into the C library)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def stored_link(url, text=None, rel: str = "nofollow noopener noreferrer", css: str | None = None) -> Markup:
    """A stored link (article source, evidence, archive copy, appearance): an <a> only when it passes the
    desk's one rule for stored URLs (factdesk/urls.py `web_url`); a link stored before that rule
    (javascript:, data:, …) is shown as text, never followed."""
    if is_web_url(url):
        css_attr = f' class="{escape(css)}"' if css else ""
        return Markup(f'<a href="{escape(url)}" rel="{escape(rel)}"{css_attr}>{escape(text or url)}</a>')
    label = f"{escape(text)} " if text else ""
    return Markup(f'{label}<span class="url">{escape(url)}</span>')


@lru_cache(maxsize=256)  # a pure function of three short values, a few of them per desk, twenty times a home page
def badge(name: str | None, label: str | None, colour: str | None) -> Markup:
    """A rating's badge: the swatch shows the colour set in /admin/ratings, so a desk's own ratings are
    told apart too. Empty without a rating."""
    if not name:
        return Markup("")
    return Markup(f'<svg class="swatch" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" '
                  f'focusable="false"><circle cx="6" cy="6" r="6" fill="{escape(colour)}"/></svg> '
                  f'<span class="rating rating-{escape(label)}">{escape(name)}</span>')


def rating_badge(rating) -> Markup:
    """The badge of a rating (a Rating, a RatingVersion or a rating as published), or nothing."""
    return badge(rating.name, rating.label, rating.colour) if rating else Markup("")


def truncate(text, length: int) -> str:
    """Jinja's `truncate` (whole words, "...", its leeway) on the text itself: Markup is unescaped
    first, so a cut never splits an entity."""
    text = text.unescape() if isinstance(text, Markup) else str(text or "")
    if len(text) <= length + TRUNCATE_LEEWAY:
        return text
    return text[:length - 3].rsplit(" ", 1)[0] + "..."


def public_head(title, description, url=None, og_type: str = "website", image=None, image_alt=None) -> Markup:
    """The <head> lines every reader's page has: its stylesheet and feed, the canonical address, and the
    description and Open Graph / Twitter card a shared link shows."""
    desk = escape(current_app.config["DESK_NAME"])
    text = escape(truncate(description, 200))
    title = escape(title)
    lines = [f'<link rel="stylesheet" href="{escape(url_for("static", filename="css/public.css"))}">',
             f'<link rel="alternate" type="application/atom+xml" title="{desk}: fact checks" '
             f'href="{escape(url_for("public.feed"))}">']
    if url:
        lines.append(f'<link rel="canonical" href="{escape(url)}">')
    lines += [f'<meta name="description" content="{text}">', f'<meta property="og:site_name" content="{desk}">',
              f'<meta property="og:type" content="{escape(og_type)}">', f'<meta property="og:title" content="{title}">',
              f'<meta property="og:description" content="{text}">']
    if url:
        lines.append(f'<meta property="og:url" content="{escape(url)}">')
    if image:
        alt, image = escape(truncate(image_alt, 400)), escape(image)
        lines += [f'<meta property="og:image" content="{image}">',
                  '<meta property="og:image:type" content="image/png">',
                  '<meta property="og:image:width" content="1200">', '<meta property="og:image:height" content="630">',
                  f'<meta property="og:image:alt" content="{alt}">',
                  '<meta name="twitter:card" content="summary_large_image">',
                  f'<meta name="twitter:image" content="{image}">', f'<meta name="twitter:image:alt" content="{alt}">']
    else:
        lines.append('<meta name="twitter:card" content="summary">')
    return Markup("\n  ".join(lines))
