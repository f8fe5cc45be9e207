"""Monitoring on the API (DESIGN.md §15): sources (editors add them), candidates, appearances of a check."""
from __future__ import annotations

from datetime import date

from flask import jsonify, request
from sqlalchemy import select

from ..access import current_actor
from ..errors import ValidationError
from ..extensions import db
from ..models import AppearanceState, Claim, MonitorSource, Role, SourceKind
from ..monitor import appearances, candidates
from ..monitor.sources import add_source
from ..params import MAX_PAGE
from . import schemas
from .base import committed, endpoint, json_body, paginate, query_int

Source = schemas.component("MonitorSource", {
    "type": "object",
    "required": ["id", "url", "kind", "name", "topic", "last_checked_at", "last_error"],
    "properties": {"id": {"type": "integer"}, "url": {"type": "string"},
                   "kind": {"type": "string", "enum": [k.value for k in SourceKind]}, "name": {"type": "string"},
                   "topic": {"type": ["string", "null"]}, "last_checked_at": {"type": ["string", "null"]},
                   "last_error": {"type": ["string", "null"]}, "active": {"type": "boolean"}},
})
SourceIn = {"type": "object", "additionalProperties": False, "required": ["url", "kind"],
            "properties": {"url": {"type": "string", "maxLength": 2000},
                           "kind": {"type": "string", "enum": [k.value for k in SourceKind]},
                           "name": {"type": ["string", "null"], "maxLength": 300},
                           "topic": {"type": ["string", "null"], "maxLength": 80}}}
CandidateOut = schemas.component("MonitorCandidate", {
    "type": "object",
    "required": ["id", "sentence", "score", "reasons", "article_id", "source_url", "published_at", "topic",
                 "repeat_of"],
    "properties": {"id": {"type": "integer"}, "sentence": {"type": "string"}, "score": {"type": "number"},
                   "reasons": {"type": "array", "items": {"type": "string"}}, "article_id": {"type": "integer"},
                   "source_url": {"type": "string"}, "published_at": {"type": ["string", "null"], "format": "date"},
                   "topic": {"type": ["string", "null"]}, "repeat_of": {"type": ["integer", "null"]},
                   "match_score": {"type": ["number", "null"]}},
})
AppearanceOut = schemas.component("Appearance", {
    "type": "object",
    "required": ["id", "url", "title", "sentence", "said_by", "said_at", "score", "state"],
    "properties": {"id": {"type": "integer"}, "url": {"type": "string"}, "title": {"type": "string"},
                   "sentence": {"type": "string"}, "said_by": {"type": "string"},
                   "said_at": {"type": ["string", "null"], "format": "date"}, "score": {"type": "number"},
                   "state": {"type": "string", "enum": [s.value for s in AppearanceState]}},
})
MoveIn = {"type": "object", "additionalProperties": False, "required": ["state"],
          "properties": {"state": {"type": "string", "enum": [s.value for s in AppearanceState]}}}


def source_shape(source: MonitorSource) -> dict:
    return {"id": source.id, "url": source.url, "kind": source.kind.value, "name": source.name, "topic": source.topic,
            "last_checked_at": source.last_checked_at.isoformat() if source.last_checked_at else None,
            "last_error": source.last_error, "active": source.active}


def candidate_shape(candidate) -> dict:
    return {"id": candidate.id, "sentence": candidate.sentence, "score": candidate.score,
            "reasons": list(candidate.reasons or []), "article_id": candidate.article_id,
            "source_url": candidate.item.url if candidate.item else candidate.source.url,
            "published_at": candidate.published_at.isoformat() if candidate.published_at else None,
            "topic": candidate.topic, "repeat_of": candidate.repeat_of_id, "match_score": candidate.match_score}


def appearance_shape(appearance) -> dict:
    return {"id": appearance.id, "url": appearance.url, "title": appearance.title, "sentence": appearance.sentence,
            "said_by": appearance.said_by, "said_at": appearance.said_at.isoformat() if appearance.said_at else None,
            "score": appearance.score, "state": appearance.state.value}


@endpoint("/monitor/sources", least=Role.checker, summary="The sources the desk follows",
          query=schemas.PAGE_PARAMS, response=schemas.page_of(Source), errors=(401, 422))
def monitor_sources():
    return jsonify(paginate(select(MonitorSource).order_by(MonitorSource.id), source_shape))


@endpoint("/monitor/sources", "POST", least=Role.editor, body=SourceIn, response=Source, status=201,
          summary="Follow a feed, sitemap or page (editors)", errors=(401, 403, 409, 422))
def add_monitor_source():
    data = json_body(SourceIn)
    source = add_source(data["url"], data["kind"], current_actor(), name=data.get("name"), topic=data.get("topic"))
    return committed(lambda: source_shape(source), 201)


def _since() -> date | None:
    raw = request.args.get("since", "")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise ValidationError("since must be a date, YYYY-MM-DD.", fields={"since": "invalid"}) from None


@endpoint("/monitor/candidates", least=Role.checker,
          summary="Check-worthy sentences from monitored sources, best first",
          query=[{"name": "q", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 200}},
                 {"name": "topic", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 80}},
                 {"name": "source", "in": "query", "required": False,
                  "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}},
                 {"name": "since", "in": "query", "required": False, "schema": {"type": "string", "format": "date"}},
                 *schemas.PAGE_PARAMS],
          response=schemas.page_of(CandidateOut), errors=(401, 422))
def monitor_candidates():
    source = query_int("source", 0, lo=1) if request.args.get("source") else None
    page = query_int("page", 1, hi=MAX_PAGE)
    per_page = query_int("per_page", 50, hi=100)
    found = candidates.find(q=(request.args.get("q") or "").strip()[:200] or None,
                            topic=(request.args.get("topic") or "").strip()[:80] or None, source=source,
                            since=_since(), page=page, per_page=per_page)
    return jsonify(items=[candidate_shape(c) for c in found.items], page=page, per_page=per_page, total=found.total)


@endpoint("/claims/<int:claim_id>/appearances", least=Role.checker,
          summary="Where monitoring found this claim said again, and each appearance's state",
          response={"type": "object", "required": ["items"],
                    "properties": {"items": {"type": "array", "items": AppearanceOut}}}, errors=(401, 404))
def claim_appearances(claim_id: int):
    claim = db.get_or_404(Claim, claim_id)
    return jsonify(items=[appearance_shape(a) for a in appearances.of_claim(claim.id)])


@endpoint("/claims/<int:claim_id>/appearances/<int:appearance_id>", "POST", least=Role.checker, body=MoveIn,
          response=AppearanceOut, summary="Confirm, dismiss or (editors) make public an appearance",
          errors=(401, 403, 404, 409, 422))
def move_claim_appearance(claim_id: int, appearance_id: int):
    data = json_body(MoveIn)
    claim = db.get_or_404(Claim, claim_id)
    moved = appearances.move(claim, appearance_id, data["state"], current_actor())
    return committed(lambda: appearance_shape(moved))
