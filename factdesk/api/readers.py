"""Readers' data on the API (no token needed) and the desk's full-text search (DESIGN.md §8)."""
from __future__ import annotations

from flask import jsonify, request
from ..access import READER
from ..errors import ValidationError
from ..models import Role
from ..params import MAX_PAGE
from ..monitor.appearances import public_of_claims
from ..public.caching import claimreviews_validator, readers_page
from ..public import reading
from ..public.claimreview import claim_review
from ..search import search_desk
from . import schemas, serialize
from .base import endpoint, query_int
from .queue import ClaimSummary

_named = schemas.component("NamedThing", {
    "type": "object", "required": ["@type", "name"],
    "description": "A schema.org Person or Organization.",
    "properties": {"@type": {"type": "string"}, "name": {"type": "string"}, "url": {"type": "string"}},
})
_work = schemas.component("CreativeWork", {
    "type": "object", "required": ["@type"],
    "properties": {"@type": {"const": "CreativeWork"}, "url": {"type": ["string", "null"]},
                   "headline": {"type": ["string", "null"]}, "datePublished": {"type": "string"},
                   "publisher": _named, "author": _named},
})

ClaimReview = schemas.component("ClaimReview", {
    "type": "object",
    "required": ["@context", "@type", "url", "claimReviewed", "itemReviewed", "author", "datePublished"],
    "properties": {
        "@context": {"const": "https://schema.org"},
        "@type": {"const": "ClaimReview"},
        "url": {"type": "string", "format": "uri"},
        "claimReviewed": {"type": "string"},
        "datePublished": {"type": "string"},
        "dateModified": {"type": "string"},
        "reviewRating": {"type": "object", "required": ["@type", "alternateName"], "properties": {
            "@type": {"const": "Rating"}, "alternateName": {"type": "string"},
            "ratingValue": {"type": "integer"}, "bestRating": {"type": "integer"}, "worstRating": {"type": "integer"}}},
        "itemReviewed": {"type": "object", "required": ["@type", "author", "appearance"], "properties": {
            "@type": {"const": "Claim"}, "author": _named, "datePublished": {"type": "string"},
            "appearance": _work, "firstAppearance": _work}},
        "author": _named,
    },
})

SearchHit = schemas.component("SearchHit", {
    "type": "object",
    "required": ["kind", "id", "snippet", "rank"],
    "properties": {
        "kind": {"type": "string", "enum": ["claim", "article"]},
        "id": {"type": "integer"},
        "snippet": {"type": "string", "description": "HTML: escaped text with <mark> around the matched words"},
        "rank": {"type": "number", "description": "lower is a better match"},
        "claim": ClaimSummary,
        "article": schemas.ArticleInList,
    },
})

SEARCH_QUERY = [{"name": "q", "in": "query", "required": True, "schema": {"type": "string", "maxLength": 200},
                 "description": 'words (all must match), "a phrase", -excluded, a or b'}]


@endpoint("/public/claimreviews", least=READER, summary="Published checks as schema.org ClaimReview objects",
          response=schemas.page_of(ClaimReview), query=schemas.PAGE_PARAMS)
@readers_page(claimreviews_validator)
def public_claimreviews():
    page = query_int("page", 1, hi=MAX_PAGE)
    per_page = query_int("per_page", 50, hi=100)
    rows, total = reading.public_claimreviews(page, per_page)
    said_again = public_of_claims([p.claim_id for p, _ in rows])
    response = jsonify(items=[claim_review(p, p, first, appearances=said_again.get(p.claim_id, ()))
                              for p, first in rows], page=page, per_page=per_page, total=total)
    return response


@endpoint("/search", least=Role.checker, summary="Full-text search over articles and claims (any state)",
          response=schemas.page_of(SearchHit), query=SEARCH_QUERY + schemas.PAGE_PARAMS, errors=(401, 422))
def search():
    q = " ".join((request.args.get("q") or "").split())
    if not q:
        raise ValidationError("Give words to search for in q.", fields={"q": "required"})
    if len(q) > 200:
        raise ValidationError("q is limited to 200 characters.", fields={"q": "too_long"})
    page = query_int("page", 1, hi=MAX_PAGE)
    per_page = query_int("per_page", 20, hi=100)
    found = search_desk(q, page, per_page)
    items = []
    for hit in found.items:
        item = {"kind": hit.kind, "id": hit.id, "snippet": str(hit.snippet), "rank": hit.rank}
        if hit.obj is not None:
            if hit.kind == "claim":
                item["claim"] = serialize.claim_row(hit.obj)
            else:
                item["article"] = serialize.article(hit.obj, with_text=False)
        items.append(item)
    return jsonify(items=items, page=found.page, per_page=found.per_page, total=found.total)
