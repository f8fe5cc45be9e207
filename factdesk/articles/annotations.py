"""An article's claims as a W3C Web Annotation collection (JSON-LD), for other annotation tools.

https://www.w3.org/TR/annotation-model/ — one Annotation per claim: motivation ``assessing`` once the
claim has a rating (the body carries the verdict), ``highlighting`` before. The target is the
article's canonical text in the desk: a TextQuoteSelector (``exact``/``prefix``/``suffix``) and, while
the claim is anchored, a TextPositionSelector (``start``/``end``, code points, as the model says).

Duck-typed inputs, so the models (or plain objects in tests) fit as they are:

- ``article``: ``id``; optional ``title``, ``source_url`` (becomes the target's ``scope``).
- each claim: ``id``, ``anchor_start``, ``anchor_end``, ``quote``, ``prefix``, ``suffix``,
  ``anchor_state`` (``orphaned`` drops the position selector), ``rating`` (an object with ``.label``,
  or None), ``summary``, ``created_at``, ``updated_at`` (datetimes; naive ones are taken as UTC).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable, Iterable

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    return str(value)


def _rating_label(claim: Any) -> str | None:
    rating = getattr(claim, "rating", None)
    if rating is None:
        return None
    return rating if isinstance(rating, str) else getattr(rating, "label", None)


def annotation(claim: Any, *, claim_url: str, article_url: str, scope: str | None = None) -> dict:
    """One claim as a W3C Annotation."""
    label = _rating_label(claim)
    summary = getattr(claim, "summary", None)
    quote_selector: dict[str, Any] = {"type": "TextQuoteSelector", "exact": claim.quote}
    if getattr(claim, "prefix", None):
        quote_selector["prefix"] = claim.prefix
    if getattr(claim, "suffix", None):
        quote_selector["suffix"] = claim.suffix
    selectors = [quote_selector]
    if getattr(claim, "anchor_state", None) != "orphaned":
        selectors.append({"type": "TextPositionSelector",
                          "start": claim.anchor_start, "end": claim.anchor_end})
    target: dict[str, Any] = {"source": article_url, "selector": selectors}
    if scope:
        target["scope"] = scope

    anno: dict[str, Any] = {
        "id": claim_url,
        "type": "Annotation",
        "motivation": "assessing" if label else "highlighting",
    }
    created, modified = _iso(getattr(claim, "created_at", None)), _iso(getattr(claim, "updated_at", None))
    if created:
        anno["created"] = created
    if modified:
        anno["modified"] = modified
    bodies = []
    if label:
        bodies.append({"type": "TextualBody", "purpose": "assessing", "value": label,
                       "format": "text/plain"})
    if summary:
        bodies.append({"type": "TextualBody", "purpose": "describing", "value": summary,
                       "format": "text/plain"})
    if bodies:
        anno["body"] = bodies if len(bodies) > 1 else bodies[0]
    anno["target"] = target
    return anno


def annotation_collection(article: Any, claims: Iterable[Any], base_url: str, *,
                          claim_url: Callable[[Any], str] | None = None,
                          target_url: Callable[[Any], str] | None = None,
                          collection_url: str | None = None) -> dict:
    """The article's claims, in the order given, as an AnnotationCollection with one embedded page.

    URLs default to the desk's (``{base_url}/desk/claims/<id>``, ``{base_url}/desk/articles/<id>``,
    ``{base_url}/api/v1/articles/<id>/annotations``); ``claim_url(claim)`` and ``target_url(claim)``
    give one claim's annotation id and target source instead (a published check's public pages).
    """
    base = base_url.rstrip("/")
    claim_url = claim_url or (lambda c: f"{base}/desk/claims/{c.id}")
    target_url = target_url or (lambda c: f"{base}/desk/articles/{article.id}")
    coll_id = collection_url or f"{base}/api/v1/articles/{article.id}/annotations"
    page_id = f"{coll_id}#page1"
    scope = getattr(article, "source_url", None) or None
    items = [annotation(c, claim_url=claim_url(c), article_url=target_url(c), scope=scope) for c in claims]
    collection: dict[str, Any] = {
        "@context": ANNO_CONTEXT,
        "id": coll_id,
        "type": "AnnotationCollection",
    }
    if getattr(article, "title", None):
        collection["label"] = article.title
    collection["total"] = len(items)
    collection["first"] = {
        "id": page_id,
        "type": "AnnotationPage",
        "partOf": coll_id,
        "startIndex": 0,
        "items": items,
    }
    collection["last"] = page_id  # one page holds every claim: it is the first and the last
    return collection
