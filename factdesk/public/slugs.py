"""Readable public addresses: `/checks/<id>-<slug>` and `/articles/<id>-<slug>`.

The id decides; the slug is only for people and search engines, so a changed wording gives a new
slug and the old address answers with a permanent redirect to the current one. A check's slug comes
from its latest publication (what readers see), never from the claim on the desk.
"""
from __future__ import annotations

import re
import unicodedata

from flask import url_for

MAX_SLUG = 80
WORD = re.compile(r"[a-z0-9]+")


def slugify(text: str | None, fallback: str = "check") -> str:
    """Lower-case ASCII words joined by hyphens, cut at a word boundary."""
    text = text or ""
    if not text.isascii():  # NFKD then dropping what is not ASCII leaves ASCII text as it is
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = WORD.findall(text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > MAX_SLUG:
            break
        slug = candidate
    return slug or (words[0][:MAX_SLUG] if words else fallback)


def check_slug(publication) -> str:
    """The slug of a check, from its latest publication (or a row with its summary and quote)."""
    return slugify(publication.summary or publication.quote, "check")


def article_slug(article) -> str:
    return slugify(article.title, "article")


def check_path(publication, **kwargs) -> str:
    """The public address of a check, given its latest publication (pass _external=True for an absolute URL)."""
    return url_for("public.check", claim_id=publication.claim_id, slug=check_slug(publication), **kwargs)


def check_link(claim_id: int, **kwargs) -> str:
    """The short public address of a check (it redirects to the readable one): for the desk and the API."""
    return url_for("public.check_short", claim_id=claim_id, **kwargs)


def article_path(article, **kwargs) -> str:
    return url_for("public.article", article_id=article.id, slug=article_slug(article), **kwargs)


def version_path(latest, number: int, **kwargs) -> str:
    """The address of an earlier published version, given the check's latest publication."""
    return url_for("public.check_version", claim_id=latest.claim_id, slug=check_slug(latest), number=number, **kwargs)
