"""Readable public addresses: `/checks/<id>-<slug>` and `/articles/<id>-<slug>`.

The id decides; the slug is only for people and search engines, so a changed wording gives a new
slug and the old address answers with a permanent redirect to the current one.
"""
from __future__ import annotations

import re
import unicodedata

from flask import url_for

MAX_SLUG = 80


def slugify(text: str | None, fallback: str = "check") -> str:
    """Lower-case ASCII words joined by hyphens, cut at a word boundary."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > MAX_SLUG:
            break
        slug = candidate
    return slug or (words[0][:MAX_SLUG] if words else fallback)


def check_slug(claim) -> str:
    return slugify(claim.summary or claim.quote, "check")


def article_slug(article) -> str:
    return slugify(article.title, "article")


def check_path(claim, **kwargs) -> str:
    """The public address of a published check (pass _external=True for an absolute URL)."""
    return url_for("public.check", claim_id=claim.id, slug=check_slug(claim), **kwargs)


def article_path(article, **kwargs) -> str:
    return url_for("public.article", article_id=article.id, slug=article_slug(article), **kwargs)


def version_path(claim, number: int, **kwargs) -> str:
    return url_for("public.check_version", claim_id=claim.id, slug=check_slug(claim), number=number, **kwargs)
