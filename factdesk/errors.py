"""Domain errors: raised by the code that owns a rule, turned into a flash, a form error or JSON by views."""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal the person can act on; `status` is the HTTP status the API answers with."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}


class ValidationError(DomainError):
    status = 422
    code = "invalid"


class ConflictError(DomainError):
    status = 409
    code = "conflict"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class TooLarge(DomainError):
    status = 413
    code = "too_large"


class BadRequest(DomainError):
    status = 400
    code = "bad_request"
