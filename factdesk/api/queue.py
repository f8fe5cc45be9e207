"""`GET /api/v1/claims`: the review queue, with the same parameters as the queue page (factdesk/claims/queue.py)."""
from flask import jsonify, request

from ..access import current_actor
from ..claims import queue as claim_queue
from ..models import Priority, Role, Status
from . import schemas
from .base import endpoint
from .serialize import claim as claim_shape

ClaimSummary = schemas.component("ClaimInList", {
    "type": "object",
    "required": ["id", "article_id", "status", "anchor", "summary", "claimant", "priority", "due", "assignee",
                 "tags", "rating", "version", "created_at", "updated_at"],
    "properties": {
        "id": {"type": "integer"}, "article_id": {"type": "integer"},
        "status": {"type": "string", "enum": [s.value for s in Status]},
        "anchor": schemas.Anchor, "summary": {"type": "string"}, "claimant": {"type": "string"},
        "priority": {"type": "string", "enum": [p.name for p in Priority]},
        "due": {"type": ["string", "null"], "format": "date"},
        "assignee": {"oneOf": [schemas.Person, {"type": "null"}]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "rating": {"type": ["string", "null"]}, "version": {"type": "integer"},
        "evidence_count": {"type": "integer"}, "comment_count": {"type": "integer"},
        "created_at": {"type": "string"}, "updated_at": {"type": "string"},
    },
})


def _param(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


QUEUE_PARAMS = [
    _param("status", "One or more states, comma-separated or repeated.", {"type": "string"}),
    _param("assignee", "`me`, `none` (unassigned), `anyone` (assigned) or a person's id.", {"type": "string"}),
    _param("article", "An article id.", {"type": "integer", "minimum": 1}),
    _param("tag", "One tag.", {"type": "string", "maxLength": 60}),
    _param("priority", "One or more of low, normal, high, urgent, comma-separated or repeated.", {"type": "string"}),
    _param("overdue", "1/true: due before today and not published, discarded or withdrawn.", {"type": "boolean"}),
    _param("changed", "1/true: published checks whose words changed in their article since publishing.",
           {"type": "boolean"}),
    _param("q", "Free text over the claim's words (full-text; substring when no word is searchable).",
           {"type": "string", "maxLength": 200}),
    _param("sort", "priority (most urgent first), due (soonest first), age (oldest first), updated (latest "
           "change first); a leading - reverses. Ties break on id.",
           {"type": "string", "enum": [p + s for s in claim_queue.SORTS for p in ("", "-")]}),
    *schemas.PAGE_PARAMS,
]


@endpoint("/claims", least=Role.checker, summary="The review queue: claims filtered, sorted and paginated",
          query=QUEUE_PARAMS, response=schemas.page_of(ClaimSummary), errors=(401, 422))
def list_claims():
    result = claim_queue.page(claim_queue.parse(request.args, actor=current_actor()))
    return jsonify(items=[claim_shape(c, with_evidence=False) for c in result.items], page=result.query.page,
                   per_page=result.query.per_page, total=result.total)
