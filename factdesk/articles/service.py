"""Articles and their revisions: the one place text enters the desk."""
from __future__ import annotations

from datetime import date

from flask import current_app

from ..errors import TooLarge, ValidationError
from ..extensions import db
from ..models import Article, ArticleRevision, User, utcnow
from ..text import canonicalize
from ..urls import web_url


def check_text(text: str) -> str:
    """Canonical text within the desk's size limit, or a clear refusal."""
    text = canonicalize(text or "")
    if "\x00" in text:
        raise ValidationError("The text contains NUL characters.", fields={"text": "invalid"})
    limit = current_app.config["MAX_ARTICLE_CHARS"]
    if len(text) > limit:
        raise TooLarge(f"The article text has {len(text):,} characters; the limit is {limit:,}.",
                       fields={"text": "too_long"})
    if not text.strip():
        raise ValidationError("The article has no text.", fields={"text": "required"})
    return text


def default_title(text: str) -> str:
    """The first line of the text, shortened: a plain-text article names itself."""
    first = next((line.strip() for line in text.split("\n") if line.strip()), "Untitled article")
    return first if len(first) <= 200 else first[:199].rstrip() + "…"


def create_article(*, text: str, by: User | None, title: str | None = None, source_url: str | None = None,
                   publisher: str | None = None, author: str | None = None, published_at: date | None = None,
                   source_html: bytes | None = None) -> Article:
    text = check_text(text)
    source_url = web_url(source_url, "source_url")
    title = (title or "").strip() or default_title(text)
    if len(title) > 500:
        raise ValidationError("The title is longer than 500 characters.", fields={"title": "too_long"})
    now = utcnow()
    article = Article(title=title, source_url=source_url or None, publisher=publisher or None,
                      author=author or None, published_at=published_at, text=text, revision=1,
                      source_html=source_html, created_by=by, created_at=now, updated_at=now)
    article.revisions.append(ArticleRevision(number=1, text=text, created_by=by, created_at=now, note="imported"))
    db.session.add(article)
    db.session.flush()
    return article
