"""The OpenAPI 3.1 document, built from the endpoints themselves so it cannot drift from them."""
from __future__ import annotations

import re
from typing import Any

from . import schemas

_CONVERTER = re.compile(r"<(?:(?P<conv>[a-z]+):)?(?P<name>\w+)>")

ERROR_RESPONSES = {
    "400": "The request could not be read (not JSON, or malformed).",
    "401": "No valid API token.",
    "403": "The token's user may not do this.",
    "404": "No such object, or not visible to this user.",
    "409": "Conflict: wrong state, stale version or duplicate.",
    "413": "The request is too large.",
    "422": "A field is invalid; `fields` names it.",
    "429": "Too many requests; retry later.",
}


class Spec:
    def __init__(self) -> None:
        self.paths: dict[str, dict[str, Any]] = {}

    def add(self, rule: str, method: str, *, summary: str, least: str, body: dict | None,
            response: dict | None, status: int, query: list[dict], errors: tuple[int, ...],
            operation_id: str, media_type: str = "application/json") -> None:
        path, params = self._path(rule)
        operation: dict[str, Any] = {
            "operationId": operation_id,
            "summary": summary,
            "description": f"Least role: {least}.",
            "parameters": params + query,
            "responses": {},
        }
        if least == "reader":
            operation["security"] = []
        if body is not None:
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
        ok: dict[str, Any] = {"description": "OK"}
        if response is not None:
            ok["content"] = {media_type: {"schema": response}}
        operation["responses"][str(status)] = ok
        codes = set(errors)
        if least != "reader":
            codes |= {401, 403}
        if body is not None:
            codes |= {400, 413, 422}
        if query:
            codes.add(422)
        if params:
            codes.add(404)
        codes.add(429)
        for code in sorted(codes):
            operation["responses"][str(code)] = {
                "description": ERROR_RESPONSES[str(code)],
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        self.paths.setdefault(path, {})[method.lower()] = operation

    @staticmethod
    def _path(rule: str) -> tuple[str, list[dict]]:
        params = []
        for match in _CONVERTER.finditer(rule):
            kind = {"int": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}.get(
                match["conv"] or "", {"type": "string"})
            params.append({"name": match["name"], "in": "path", "required": True, "schema": kind})
        return "/api/v1" + _CONVERTER.sub(lambda m: "{" + m["name"] + "}", rule), params

    def document(self) -> dict[str, Any]:
        return {
            "openapi": "3.1.0",
            "info": {"title": "Factdesk API", "version": "1",
                     "description": "The desk's JSON API. Errors: {\"error\": {\"code\", \"message\", \"fields\"}}."},
            "servers": [{"url": "/"}],
            "security": [{"bearer": []}],
            "paths": dict(sorted(self.paths.items())),
            "components": {
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                "schemas": schemas.COMPONENTS,
            },
        }


spec = Spec()
