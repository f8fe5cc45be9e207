"""JSON Schemas of the API: published in the OpenAPI document and used to validate request bodies."""
from __future__ import annotations

from typing import Any

from ..models import SourceType, Stance

COMPONENTS: dict[str, Any] = {}


def component(name: str, schema: dict) -> dict:
    """Register a named schema and return a `$ref` to it."""
    COMPONENTS[name] = schema
    return {"$ref": f"#/components/schemas/{name}"}


def page_of(ref: dict) -> dict:
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total"],
        "properties": {
            "items": {"type": "array", "items": ref},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
            "total": {"type": "integer", "minimum": 0},
        },
    }


nullable_string = {"type": ["string", "null"]}

Error = component("Error", {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message", "fields"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "fields": {
            "type": "object",
            "description": "What went wrong, by field: mostly a short reason string per field name; the codes "
                           "below carry structured details.",
            "properties": {
                "allowed": {"type": "array", "items": {"type": "string"},
                            "description": "invalid_transition: the states one may move to from here."},
                "occurrences": {"type": "array", "description": "ambiguous_quote: where the quote occurs.",
                                "items": {"type": "object", "required": ["start", "end", "prefix", "suffix"],
                                          "properties": {"start": {"type": "integer"}, "end": {"type": "integer"},
                                                         "prefix": {"type": "string"},
                                                         "suffix": {"type": "string"}}}},
            },
            "additionalProperties": True,
        }},
    }},
})

Person = component("Person", {
    "type": "object", "required": ["id", "name"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
})

Me = component("Me", {
    "type": "object",
    "required": ["id", "email", "name", "role"],
    "properties": {
        "id": {"type": "integer"},
        "email": {"type": "string"},
        "name": {"type": "string"},
        "role": {"type": "string", "enum": ["checker", "editor", "admin"]},
    },
})

PAGE_PARAMS = [
    {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 100000}},
    {"name": "per_page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
]

# --- articles, revisions, highlights ----------------------------------------------------------

_date_or_null = {"type": ["string", "null"], "format": "date"}

Evidence = component("Evidence", {
    "type": "object",
    "required": ["id", "url", "title", "publisher", "excerpt", "stance", "source_type", "accessed_at", "archive_url"],
    "properties": {
        "id": {"type": "integer"}, "url": {"type": "string"}, "title": {"type": "string"},
        "publisher": {"type": "string"}, "excerpt": {"type": "string"},
        "stance": {"type": "string", "enum": [s.value for s in Stance]},
        "source_type": {"type": "string", "enum": [s.value for s in SourceType]},
        "accessed_at": _date_or_null, "archive_url": nullable_string,
    },
})

Anchor = component("Anchor", {
    "type": "object",
    "required": ["start", "end", "quote", "prefix", "suffix", "state"],
    "properties": {
        "start": {"type": "integer", "minimum": 0, "description": "Code-point offset into the canonical text."},
        "end": {"type": "integer", "minimum": 0},
        "quote": {"type": "string"}, "prefix": {"type": "string"}, "suffix": {"type": "string"},
        "state": {"type": "string", "enum": ["anchored", "moved", "fuzzy", "orphaned"]},
        "previous_quote": {"type": ["string", "null"],
                           "description": "The wording before a fuzzy re-anchor, until a checker confirms it."},
    },
})

ArticleClaim = component("ArticleClaim", {
    "type": "object",
    "required": ["id", "article_id", "status", "anchor", "summary", "claimant", "claimed_at", "priority", "due",
                 "assignee", "tags", "rating", "rationale", "version", "published_at", "created_at", "updated_at"],
    "properties": {
        "id": {"type": "integer"}, "article_id": {"type": "integer"}, "status": {"type": "string"},
        "anchor": Anchor, "summary": {"type": "string"}, "claimant": {"type": "string"},
        "claimed_at": _date_or_null, "priority": {"type": "string"}, "due": _date_or_null,
        "assignee": {"oneOf": [Person, {"type": "null"}]}, "tags": {"type": "array", "items": {"type": "string"}},
        "rating": nullable_string, "rationale": {"type": "string"}, "version": {"type": "integer"},
        "evidence": {"oneOf": [{"type": "array", "items": Evidence}, {"type": "null"}],
                     "description": "null where the list did not load evidence (see ClaimDetail)."},
        "published_at": nullable_string, "public_url": nullable_string,
        "created_at": {"type": "string"}, "updated_at": {"type": "string"},
    },
})

_article_properties = {
    "id": {"type": "integer"}, "title": {"type": "string"}, "source_url": nullable_string,
    "publisher": nullable_string, "author": nullable_string, "published_at": _date_or_null,
    "revision": {"type": "integer", "minimum": 1}, "claim_count": {"type": "integer"},
    "url": nullable_string, "created_at": {"type": "string"}, "updated_at": {"type": "string"},
}

ArticleInList = component("ArticleInList", {
    "type": "object",
    "required": ["id", "title", "source_url", "publisher", "author", "published_at", "revision", "url"],
    "properties": _article_properties,
})

Article = component("Article", {
    "type": "object",
    "required": ["id", "title", "source_url", "publisher", "author", "published_at", "text", "revision", "claims",
                 "url"],
    "properties": {**_article_properties, "text": {"type": "string"},
                   "claims": {"type": "array", "items": ArticleClaim},
                   "anchor_states": {"type": "object", "additionalProperties": {"type": "integer"},
                                     "description": "How many claims are in each anchor state."}},
})

ArticleIn = component("ArticleIn", {
    "type": "object",
    "additionalProperties": False,
    "description": "Exactly one of text (plain text), html (a page to extract) or url (fetched by the desk).",
    "properties": {
        "text": {"type": "string"}, "html": {"type": "string"},
        "url": {"type": "string", "maxLength": 2000, "pattern": "^[hH][tT][tT][pP][sS]?://"},
        "title": {"type": ["string", "null"], "maxLength": 500},
        "source_url": {"type": ["string", "null"], "maxLength": 2000},
        "publisher": {"type": ["string", "null"], "maxLength": 300},
        "author": {"type": ["string", "null"], "maxLength": 500},
        "published_at": {"type": ["string", "null"], "description": "YYYY-MM-DD"},
    },
})

ArticleUpdate = component("ArticleUpdate", {
    "type": "object",
    "additionalProperties": False,
    "required": ["text"],
    "properties": {
        "text": {"type": "string"},
        "note": {"type": ["string", "null"], "maxLength": 500},
        "revision": {"type": "integer", "minimum": 1,
                     "description": "The revision you edited; if the article moved on meanwhile, 409."},
    },
})

ArticleRevision = component("ArticleRevision", {
    "type": "object",
    "required": ["number", "created_at", "created_by", "note"],
    "properties": {
        "number": {"type": "integer"}, "created_at": {"type": "string"},
        "created_by": {"oneOf": [Person, {"type": "null"}]}, "note": nullable_string,
        "text": {"type": "string", "description": "Only when one revision is read."},
    },
})

HighlightIn = component("HighlightIn", {
    "type": "object",
    "additionalProperties": False,
    "description": "start+end (code points), or quote (+prefix/suffix to tell repeated quotes apart).",
    "properties": {
        "start": {"type": "integer", "minimum": 0}, "end": {"type": "integer", "minimum": 1},
        "quote": {"type": "string", "maxLength": 2000},
        "prefix": {"type": "string", "maxLength": 64}, "suffix": {"type": "string", "maxLength": 64},
        "summary": {"type": "string", "maxLength": 2000}, "claimant": {"type": "string", "maxLength": 300},
        "claimed_at": {"type": ["string", "null"], "description": "YYYY-MM-DD"},
    },
})

_text_body = {
    "type": "object", "required": ["type", "value"],
    "properties": {"type": {"const": "TextualBody"}, "value": {"type": "string"},
                   "purpose": {"type": "string", "enum": ["assessing", "describing"]},
                   "format": {"type": "string"}},
}

Annotation = component("Annotation", {
    "type": "object",
    "description": "One claim as a W3C Annotation: its id is the claim's page (a published check's public page).",
    "required": ["id", "type", "motivation", "target"],
    "properties": {
        "id": {"type": "string", "format": "uri"}, "type": {"const": "Annotation"},
        "motivation": {"type": "string", "enum": ["assessing", "highlighting"]},
        "created": {"type": "string", "format": "date-time"}, "modified": {"type": "string", "format": "date-time"},
        "body": {"oneOf": [component("TextualBody", _text_body),
                           {"type": "array", "items": {"$ref": "#/components/schemas/TextualBody"}}]},
        "target": {"type": "object", "required": ["source", "selector"], "properties": {
            "source": {"type": "string", "format": "uri"}, "scope": {"type": "string"},
            "selector": {"type": "array", "items": component("Selector", {
                "type": "object", "required": ["type"],
                "description": "TextQuoteSelector (exact, prefix, suffix) or TextPositionSelector (start, end).",
                "properties": {
                    "type": {"type": "string", "enum": ["TextQuoteSelector", "TextPositionSelector"]},
                    "exact": {"type": "string"}, "prefix": {"type": "string"}, "suffix": {"type": "string"},
                    "start": {"type": "integer", "minimum": 0}, "end": {"type": "integer", "minimum": 0},
                }})},
        }},
    },
})

AnnotationCollection = component("AnnotationCollection", {
    "type": "object",
    "description": "W3C Web Annotation collection (JSON-LD, http://www.w3.org/ns/anno.jsonld).",
    "required": ["@context", "id", "type", "total", "first", "last"],
    "properties": {
        "@context": {"const": "http://www.w3.org/ns/anno.jsonld"}, "id": {"type": "string"},
        "type": {"const": "AnnotationCollection"}, "label": {"type": "string"}, "total": {"type": "integer"},
        "first": component("AnnotationPage", {
            "type": "object", "required": ["id", "type", "partOf", "startIndex", "items"],
            "properties": {"id": {"type": "string"}, "type": {"const": "AnnotationPage"},
                           "partOf": {"type": "string"}, "startIndex": {"type": "integer", "minimum": 0},
                           "items": {"type": "array", "items": Annotation}}}),
        "last": {"type": "string", "description": "The last page's id (one page holds every claim)."},
    },
})
