"""'Checked before?' on the API (DESIGN.md §12): similar earlier claims, and acting on them."""
from __future__ import annotations

from flask import jsonify

from ..access import current_actor
from ..assist.duplicates import copy_evidence, mark_duplicate
from ..assist.similar import similar_claims
from ..errors import NotFound
from ..extensions import db
from ..models import Claim, Role
from . import schemas, serialize
from .base import committed, endpoint, json_body, query_int
from .queue import ClaimSummary

SimilarClaim = schemas.component("SimilarClaim", {
    "type": "object",
    "required": ["claim", "score"],
    "properties": {"claim": ClaimSummary, "score": {"type": "number", "minimum": 0, "maximum": 1}},
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


DuplicateIn = {"type": "object", "additionalProperties": False, "required": ["of"],
               "properties": {"of": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                              "discard": {"type": "boolean", "description": "also discard it with the reason "
                                                                            "\"duplicate of claim N\" (editors)"}}}
CopyIn = {"type": "object", "additionalProperties": False, "required": ["from"],
          "properties": {"from": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}}


def _other(claim_id: int) -> Claim:
    other = db.session.get(Claim, claim_id)
    if other is None:
        raise NotFound(f"There is no claim {claim_id}.", fields={"claim": "not_found"})
    return other


@endpoint("/claims/<int:claim_id>/duplicate", "POST", least=Role.checker, body=DuplicateIn,
          response=ClaimSummary, summary="Mark a claim as a duplicate of an earlier one (and discard it)",
          errors=(403, 404, 409, 422))
def claim_duplicate(claim_id: int):
    data = json_body(DuplicateIn)
    claim = db.get_or_404(Claim, claim_id)
    mark_duplicate(claim, _other(data["of"]), current_actor(), discard=bool(data.get("discard")))
    return committed(lambda: serialize.claim(claim, with_evidence=False))


@endpoint("/claims/<int:claim_id>/copy-evidence", "POST", least=Role.checker, body=CopyIn,
          response={"type": "object", "required": ["items"],
                    "properties": {"items": {"type": "array", "items": schemas.Evidence}}},
          status=201, summary="Copy another claim's evidence links onto this claim",
          errors=(403, 404, 409, 422))
def claim_copy_evidence(claim_id: int):
    data = json_body(CopyIn)
    claim = db.get_or_404(Claim, claim_id)
    made = copy_evidence(_other(data["from"]), claim, current_actor())
    return committed(lambda: {"items": [serialize.evidence(e) for e in made]}, 201)
