"""One claim through the API (DESIGN.md §8): read, edit with version, evidence, moves, comments, history."""
from __future__ import annotations

from flask import jsonify
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ..access import current_actor
from ..claims import comments as discussion
from ..claims import editing
from ..claims import evidence as sources
from ..claims import workflow
from ..errors import NotFound
from ..extensions import db
from ..models import Claim, ClaimHistory, Comment, Priority, Role, SourceType, Stance, Status
from . import schemas, serialize
from .base import committed, endpoint, json_body, paginate

_date = {"type": ["string", "null"], "format": "date"}

Evidence = schemas.Evidence

ClaimOut = schemas.component("ClaimDetail", {
    "type": "object",
    "required": ["id", "article_id", "status", "anchor", "summary", "claimant", "claimed_at", "priority", "due",
                 "assignee", "tags", "rating", "rationale", "version", "evidence", "published_at", "public_url",
                 "created_at", "updated_at"],
    "properties": {
        "id": {"type": "integer"}, "article_id": {"type": "integer"},
        "status": {"type": "string", "enum": [s.value for s in Status]},
        "anchor": schemas.Anchor, "summary": {"type": "string"}, "claimant": {"type": "string"},
        "claimed_at": _date, "priority": {"type": "string", "enum": [p.name for p in Priority]}, "due": _date,
        "assignee": {"oneOf": [schemas.Person, {"type": "null"}]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "rating": schemas.nullable_string, "rationale": {"type": "string"}, "version": {"type": "integer"},
        "evidence": {"type": "array", "items": Evidence},
        "published_at": schemas.nullable_string, "public_url": schemas.nullable_string,
        "allowed_moves": {"type": "array", "items": {"type": "string"},
                          "description": "The states the requesting user may move this claim to."},
        "created_at": {"type": "string"}, "updated_at": {"type": "string"},
    },
})

ClaimPatch = schemas.component("ClaimPatch", {
    "type": "object",
    "additionalProperties": False,
    "required": ["version"],
    "properties": {
        "version": {"type": "integer", "description": "The version you started from; a stale one gets 409."},
        "summary": {"type": "string", "maxLength": 2000},
        "claimant": {"type": "string", "maxLength": 300},
        "claimed_at": _date,
        "priority": {"type": "string", "enum": [p.name for p in Priority]},
        "due": _date,
        "assignee": {"type": ["integer", "null"], "description": "A person's id, or null to unassign."},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 60}, "maxItems": 20},
        "rating": {"type": ["string", "null"], "description": "A label of the rating scale."},
        "rationale": {"type": "string", "description": "Markdown."},
    },
})

EvidenceIn = schemas.component("EvidenceIn", {
    "type": "object",
    "additionalProperties": False,
    "required": ["url"],
    "properties": {
        "url": {"type": "string", "maxLength": 2000, "description": "http or https only."},
        "title": {"type": "string", "maxLength": 500},
        "publisher": {"type": "string", "maxLength": 300},
        "excerpt": {"type": "string", "maxLength": 10000},
        "stance": {"type": "string", "enum": [s.value for s in Stance]},
        "source_type": {"type": "string", "enum": [s.value for s in SourceType]},
        "accessed_at": _date,
        "archive_url": {"type": ["string", "null"], "maxLength": 2000},
    },
})

TransitionIn = schemas.component("TransitionIn", {
    "type": "object",
    "additionalProperties": False,
    "required": ["to"],
    "properties": {
        "to": {"type": "string", "enum": [s.value for s in Status]},
        "comment": {"type": ["string", "null"], "maxLength": 10000,
                    "description": "Required when sending back (what to change) and when reopening "
                                   "or discarding (why)."},
    },
})

CommentOut = schemas.component("Comment", {
    "type": "object",
    "required": ["id", "claim_id", "author", "body", "html", "created_at"],
    "properties": {
        "id": {"type": "integer"}, "claim_id": {"type": "integer"},
        "author": {"oneOf": [schemas.Person, {"type": "null"}]},
        "body": {"type": "string"}, "html": {"type": "string", "description": "The body rendered and sanitised."},
        "about": {"oneOf": [{"type": "null"}, {
            "type": "object", "required": ["words", "start"],
            "description": "The words of the claim's quote the comment is about, and where they began in the "
                           "quote when it was written.",
            "properties": {"words": {"type": "string"}, "start": {"type": "integer"}}}]},
        "created_at": {"type": "string"},
    },
})

CommentIn = schemas.component("CommentIn", {
    "type": "object",
    "additionalProperties": False,
    "required": ["body"],
    "properties": {"body": {"type": "string", "minLength": 1, "maxLength": 10000,
                            "description": "Markdown; @handle (an e-mail's local part) notifies that person."},
                   "about": {"type": ["string", "null"], "maxLength": 2000,
                             "description": "Words of the claim's quote the comment is about (422 if not in it)."},
                   "about_start": {"type": ["integer", "null"], "minimum": 0, "maximum": 2000,
                                   "description": "Where those words begin in the quote, when they occur twice."}},
})

HistoryEntry = schemas.component("HistoryEntry", {
    "type": "object",
    "required": ["at", "by", "action", "field", "before", "after", "comment"],
    "properties": {
        "id": {"type": "integer"}, "at": {"type": "string"},
        "by": {"oneOf": [schemas.Person, {"type": "null"}]},
        "action": {"type": "string"}, "field": schemas.nullable_string,
        "before": {}, "after": {}, "comment": schemas.nullable_string,
    },
})


def load_claim(claim_id: int) -> Claim:
    """A claim with what its JSON shape touches, or 404."""
    claim = db.session.execute(
        select(Claim).where(Claim.id == claim_id)
        .options(joinedload(Claim.assignee), joinedload(Claim.rating), selectinload(Claim.evidence))
    ).scalar_one_or_none()
    if claim is None:
        raise NotFound(f"There is no claim {claim_id}.")
    return claim


def _claim_body(claim: Claim) -> dict:
    body = serialize.claim(claim)
    body["allowed_moves"] = workflow.allowed_moves(claim, current_actor())
    return body


@endpoint("/claims/<int:claim_id>", least=Role.checker, summary="Read a claim", response=ClaimOut)
def get_claim(claim_id: int):
    return jsonify(_claim_body(load_claim(claim_id)))


@endpoint("/claims/<int:claim_id>", "PATCH", least=Role.checker, body=ClaimPatch, response=ClaimOut,
          summary="Change a claim's fields; carries the version it started from (409 stale_version)",
          errors=(403, 409))
def patch_claim(claim_id: int):
    data = json_body(ClaimPatch)
    claim = load_claim(claim_id)
    version = data.pop("version")
    editing.update_claim(claim, current_actor(), data, version)
    return committed(lambda: _claim_body(claim))


@endpoint("/claims/<int:claim_id>/evidence", "POST", least=Role.checker, body=EvidenceIn, response=Evidence,
          status=201, summary="Add an evidence link (http/https only)", errors=(403, 409))
def add_claim_evidence(claim_id: int):
    data = json_body(EvidenceIn)
    item = sources.add_evidence(load_claim(claim_id), current_actor(), data)
    return committed(lambda: serialize.evidence(item), 201)


@endpoint("/claims/<int:claim_id>/evidence/<int:evidence_id>", "DELETE", least=Role.checker, status=204,
          summary="Remove an evidence link", errors=(403, 409))
def remove_claim_evidence(claim_id: int, evidence_id: int):
    sources.remove_evidence(load_claim(claim_id), current_actor(), evidence_id)
    db.session.commit()
    return "", 204


@endpoint("/claims/<int:claim_id>/transition", "POST", least=Role.checker, body=TransitionIn, response=ClaimOut,
          summary="Move a claim to another state (409 invalid_transition with fields.allowed)", errors=(403, 409))
def transition_claim(claim_id: int):
    data = json_body(TransitionIn)
    claim = load_claim(claim_id)
    workflow.transition(claim, data["to"], current_actor(), data.get("comment"))
    return committed(lambda: _claim_body(claim))


@endpoint("/claims/<int:claim_id>/comments", least=Role.checker, summary="The discussion on a claim, oldest first",
          response=schemas.page_of(CommentOut), query=schemas.PAGE_PARAMS)
def claim_comments(claim_id: int):
    load_claim(claim_id)
    query = select(Comment).where(Comment.claim_id == claim_id).options(joinedload(Comment.author)).order_by(Comment.id)
    count = select(func.count(Comment.id)).where(Comment.claim_id == claim_id)
    return jsonify(paginate(query, serialize.comment, count_query=count))


@endpoint("/claims/<int:claim_id>/comments", "POST", least=Role.checker, body=CommentIn, response=CommentOut,
          status=201, summary="Comment on a claim; @handle notifies that person")
def post_claim_comment(claim_id: int):
    data = json_body(CommentIn)
    item = discussion.add_comment(load_claim(claim_id), current_actor(), data["body"], about=data.get("about"),
                                  about_start=data.get("about_start"))
    return committed(lambda: serialize.comment(item), 201)


@endpoint("/claims/<int:claim_id>/history", least=Role.checker, summary="The claim's audit trail, oldest first",
          response=schemas.page_of(HistoryEntry), query=schemas.PAGE_PARAMS)
def claim_history(claim_id: int):
    load_claim(claim_id)
    query = (select(ClaimHistory).where(ClaimHistory.claim_id == claim_id)
             .options(joinedload(ClaimHistory.by)).order_by(ClaimHistory.id))
    count = select(func.count(ClaimHistory.id)).where(ClaimHistory.claim_id == claim_id)
    return jsonify(paginate(query, serialize.history_entry, count_query=count))
