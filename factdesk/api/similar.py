"""GET /api/v1/claims/{id}/similar: earlier claims that say much the same thing (DESIGN.md §12)."""
from __future__ import annotations

from flask import jsonify

from ..claims.similar import similar_claims
from ..extensions import db
from ..models import Claim, Role
from . import endpoint, query_int, schemas, serialize

SimilarClaim = schemas.component("SimilarClaim", {
    "type": "object",
    "required": ["claim", "score"],
    "properties": {"claim": {"type": "object"}, "score": {"type": "number", "minimum": 0, "maximum": 1}},
})


@endpoint("/claims/<int:claim_id>/similar", least=Role.checker,
          summary="Earlier claims (any article, any state) that say much the same thing, best first",
          response={"type": "object", "required": ["items"],
                    "properties": {"items": {"type": "array", "items": SimilarClaim}}},
          query=[{"name": "limit", "in": "query", "required": False,
                  "schema": {"type": "integer", "minimum": 1, "maximum": 50}}],
          errors=(401, 403, 404, 422))
def claim_similar(claim_id: int):
    limit = query_int("limit", 10, hi=50)
    claim = db.get_or_404(Claim, claim_id)
    return jsonify(items=[{"claim": serialize.claim(c, with_evidence=False), "score": score}
                          for c, score in similar_claims(claim, limit=limit)])
