"""What every endpoint module of the API uses: the blueprint, the `endpoint` decorator (route, least role
and OpenAPI entry in one), request bodies and numbers checked, pages of results, the error shape."""
from __future__ import annotations

from typing import Any, Callable

from flask import Blueprint, Response, jsonify, request
from jsonschema import Draft202012Validator
from sqlalchemy import Select, func, select

from ..access import READER, public, requires
from ..errors import BadRequest, ValidationError
from ..extensions import csrf, db
from ..models import Role
from ..params import MAX_ID, MAX_PAGE, whole_number
from . import schemas
from .spec import spec

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # API requests authenticate by token, not by cookie.


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _validator(schema: dict) -> Draft202012Validator:
    resolvable = {"$defs": schemas.COMPONENTS, **schema}
    text = str(schema)
    if "#/components/schemas/" in text:
        # Rewrite component refs to local $defs so the validator needs no registry.
        import json

        resolvable = json.loads(json.dumps(resolvable).replace("#/components/schemas/", "#/$defs/"))
    return Draft202012Validator(resolvable)


def json_body(schema: dict | None = None) -> dict:
    """The request's JSON object, validated; 400 when unreadable, 422 naming each bad field."""
    if not request.is_json:
        raise BadRequest("Send a JSON object with Content-Type: application/json.", fields={"body": "not_json"})
    data = request.get_json(silent=True)
    if data is None:
        raise BadRequest("The body is not valid JSON (UTF-8).", fields={"body": "invalid"})
    if not isinstance(data, dict):
        raise ValidationError("The body must be a JSON object.", fields={"body": "not_object"})
    _check_values(data, "")
    if schema is not None:
        errors = sorted(_validator(schema).iter_errors(data), key=lambda e: list(e.path))
        if errors:
            fields: dict[str, str] = {}
            for err in errors:
                name = ".".join(str(p) for p in err.path) or _unknown_field(err) or "body"
                fields.setdefault(name, _plain_message(err))
            first = next(iter(fields))
            raise ValidationError(f"Invalid field {first!r}: {fields[first]}", fields=fields)
    return data


# Every number the desk stores (ids, offsets, versions) fits a 32-bit column.
MAX_JSON_INT = MAX_ID


def _check_values(value, path: str) -> None:
    """Refuse what no field may hold before it reaches the database: numbers beyond a column's range,
    strings with NUL characters or lone surrogates (JSON's \\u escapes allow both; UTF-8 does not)."""
    if isinstance(value, dict):
        for key, item in value.items():
            _check_values(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_values(item, f"{path}.{index}" if path else str(index))
    elif isinstance(value, bool):
        return
    elif isinstance(value, int) and not -MAX_JSON_INT <= value <= MAX_JSON_INT:
        raise ValidationError(f"{path or 'body'} is out of range (at most {MAX_JSON_INT:,}).",
                              fields={path or "body": "out_of_range"})
    elif isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        raise ValidationError(f"{path or 'body'} is not a number.", fields={path or "body": "invalid"})
    elif isinstance(value, str):
        if "\x00" in value:
            raise ValidationError(f"{path or 'body'} contains a NUL character.", fields={path or "body": "invalid"})
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError(f"{path or 'body'} is not valid Unicode (a lone surrogate escape).",
                                  fields={path or "body": "invalid"}) from None


def _plain_message(err) -> str:
    """jsonschema's message, without echoing a long value back (a 2,001-character quote, say)."""
    limit = err.validator_value
    if err.validator == "maxLength":
        return f"longer than the limit of {limit:,} characters"
    if err.validator == "minLength":
        return f"shorter than {limit:,} character{'s' if limit != 1 else ''}"
    if err.validator == "maxItems":
        return f"more than {limit:,} items"
    if err.validator in ("maximum", "minimum"):
        return f"must be {'at most' if err.validator == 'maximum' else 'at least'} {limit:,}"
    return err.message[:300]


def _unknown_field(err) -> str | None:
    if err.validator == "additionalProperties":
        extra = set(err.instance) - set(err.schema.get("properties", {}))
        return ", ".join(sorted(extra)) or None
    if err.validator == "required":
        return err.message.split("'")[1] if "'" in err.message else None
    return None


def query_int(name: str, default: int, *, lo: int = 1, hi: int = MAX_ID) -> int:
    return whole_number(request.args.get(name), name, lo=lo, hi=hi, default=default)


def paginate(query: Select, serialise: Callable[[Any], dict], *, count_query: Select | None = None) -> dict:
    """One page of `query` in the list shape of §8 (`per_page` at most 100)."""
    page = query_int("page", 1, hi=MAX_PAGE)
    per_page = query_int("per_page", 50, hi=100)
    if count_query is None:
        count_query = select(func.count()).select_from(query.order_by(None).subquery())
    counter = count_query
    total = db.session.execute(counter).scalar_one()
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).unique().scalars().all()
    return {"items": [serialise(r) for r in rows], "page": page, "per_page": per_page, "total": total}


def committed(shape: Callable[[], Any], status: int = 200) -> Response:
    """Answer with what this request wrote, read before its commit. Read after, the answer could carry
    the next writer's version or revision, and a client sending that on would overwrite their change
    without a conflict (seen in `flask bench`'s concurrent_writers: two edits both answered version 4)."""
    db.session.flush()
    response = jsonify(shape())
    db.session.commit()
    response.status_code = status
    return response


def endpoint(rule: str, method: str = "GET", *, least: Role | str, summary: str, body: dict | None = None,
             response: dict | None = None, status: int = 200, query: list[dict] | None = None,
             errors: tuple[int, ...] = (), media_type: str = "application/json") -> Callable:
    """Register an API route, declare its least role and describe it in the OpenAPI document at once."""

    def register(view: Callable) -> Callable:
        declared = public(view) if least == READER else requires(least)(view)
        bp.add_url_rule(rule, endpoint=view.__name__, view_func=declared, methods=[method])
        spec.add(rule, method, summary=summary, least=getattr(least, "value", least),
                 body=body, response=response, status=status, query=query or [], errors=errors,
                 operation_id=view.__name__, media_type=media_type)
        return declared

    return register
