"""Account endpoints and the OpenAPI document itself."""
from flask import jsonify

from ..access import READER, current_actor
from ..models import Role
from . import schemas
from .base import endpoint
from .spec import spec


@endpoint("/me", least=Role.checker, summary="The token's user", response=schemas.Me)
def me():
    user = current_actor()
    return jsonify(id=user.id, email=user.email, name=user.name, role=user.role.value)


@endpoint("/openapi.json", least=READER, summary="This document",
          response={"type": "object", "required": ["openapi", "info", "paths"],
                    "properties": {"openapi": {"type": "string"},
                                   "info": {"type": "object", "required": ["title", "version"],
                                            "properties": {"title": {"type": "string"},
                                                           "version": {"type": "string"}}},
                                   "paths": {"type": "object", "additionalProperties": {"type": "object"}},
                                   "components": {"type": "object", "additionalProperties": {"type": "object"}}}})
def openapi():
    return jsonify(spec.document())
