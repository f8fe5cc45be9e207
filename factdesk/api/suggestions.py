"""GET /api/v1/articles/{id}/suggestions: the article's sentences most worth checking (DESIGN.md §12)."""
from __future__ import annotations

from flask import jsonify

from ..extensions import db
from ..models import Article, Role
from ..assist.suggestions import for_article
from . import schemas
from .base import endpoint, query_int

Suggestion = schemas.component("Suggestion", {
    "type": "object",
    "required": ["start", "end", "sentence", "score", "reasons"],
    "properties": {
        "start": {"type": "integer", "minimum": 0},
        "end": {"type": "integer", "minimum": 0},
        "sentence": {"type": "string"},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "reasons": {"type": "array", "items": {"type": "string"}},
    },
})


@endpoint("/articles/<int:article_id>/suggestions", least=Role.checker,
          summary="Sentences worth checking, best first (suggestions, never claims by themselves)",
          response={"type": "object", "required": ["items"],
                    "properties": {"items": {"type": "array", "items": Suggestion}}},
          query=[{"name": "limit", "in": "query", "required": False,
                  "schema": {"type": "integer", "minimum": 1, "maximum": 100}}],
          errors=(401, 403, 404, 422))
def article_suggestions(article_id: int):
    limit = query_int("limit", 10, hi=100)
    article = db.get_or_404(Article, article_id)
    return jsonify(items=[s.as_dict() for s in for_article(article, limit)])
