"""JSON Schemas of the API: published in the OpenAPI document and used to validate request bodies."""
from __future__ import annotations

from typing import Any

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
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "fields": {"type": "object"}},
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
