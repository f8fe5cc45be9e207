"""Turning a selection or a quote into a claim anchored in an article's canonical text."""
from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select, update

from ..articles.anchoring import Anchor, anchor_at, find_quote
from ..errors import ConflictError, ValidationError
from ..extensions import db
from ..models import AnchorState, Article, Claim, User, utcnow
from .history import record


def locate(article: Article, *, start: int | None = None, end: int | None = None, quote: str | None = None,
           prefix: str | None = None, suffix: str | None = None) -> Anchor:
    """The anchor for a selection (start/end) or a typed quote; asks which one when a quote repeats."""
    max_quote = current_app.config["MAX_QUOTE_CHARS"]
    if start is not None or end is not None:
        if start is None or end is None:
            raise ValidationError("A selection needs both start and end.", fields={"start": "required",
                                                                                   "end": "required"})
        anchor = anchor_at(article.text, start, end, max_quote=max_quote)
        if quote and quote != anchor.quote:
            raise ValidationError("The quote does not match the text between start and end; reload the article.",
                                  code="quote_mismatch", fields={"quote": "mismatch"})
        return anchor
    if not quote or not quote.strip():
        raise ValidationError("Select words in the article or type the quote.", fields={"quote": "required"})
    if len(quote) > max_quote:
        raise ValidationError(f"The quote has {len(quote):,} characters; the limit is {max_quote:,}.",
                              code="too_long", fields={"quote": "too_long"})
    return find_quote(article.text, quote, prefix, suffix)


def add_claim(article: Article, by: User, anchor: Anchor, *, summary: str = "", claimant: str = "",
              claimed_at: date | None = None) -> Claim:
    duplicate = db.session.execute(
        select(Claim.id).where(Claim.article_id == article.id, Claim.anchor_start == anchor.start,
                               Claim.anchor_end == anchor.end, Claim.anchor_state != AnchorState.orphaned)
    ).scalar()
    if duplicate is not None:
        raise ConflictError(f"Those words are already highlighted as claim {duplicate}.", code="duplicate_highlight",
                            fields={"claim_id": duplicate})
    if len(summary or "") > 2000 or len(claimant or "") > 300:
        raise ValidationError("The wording is limited to 2,000 characters and the claimant to 300.",
                              fields={"summary" if len(summary or "") > 2000 else "claimant": "too_long"})
    now = utcnow()
    claim = Claim(article=article, anchor_start=anchor.start, anchor_end=anchor.end, quote=anchor.quote,
                  prefix=anchor.prefix, suffix=anchor.suffix, anchor_state=AnchorState.anchored,
                  summary=(summary or "").strip(), claimant=(claimant or "").strip(), claimed_at=claimed_at,
                  created_by=by, updated_by=by, created_at=now, updated_at=now)
    db.session.add(claim)
    db.session.execute(update(Article).where(Article.id == article.id).values(claim_count=Article.claim_count + 1))
    db.session.flush()
    record(claim, by, "created", field="quote", after=anchor.quote)
    return claim
