"""Changing a claim's fields (DESIGN.md §3, §8 PATCH /claims/{id}), with versions so nothing is overwritten.

Rules where DESIGN.md is silent, as a working desk expects them:
- The wording, the verdict and the tags are locked by the claim's state (claims/workflow.py LOCKS):
  under review, approved, published or withdrawn nobody changes them until an editor reopens the
  claim (or sends it back), so what an editor approves is what gets published.
- A checker edits the wording and verdict of claims that are theirs or nobody's; editors edit any.
- Priority and due date are the editors' call; tags anyone on the desk may set while they are unlocked.
- Assignee: a checker may only take an unassigned claim or give up their own; editors assign anyone.
- A stale `version` is refused with code `stale_version` and `fields.changed`: for each field that
  differs, what is stored now ("theirs") and what was sent ("yours"). Pages send the values they
  showed (`base`), so only the fields someone else changed meanwhile are named; API clients that send
  no base get every sent field whose stored value differs.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from ..errors import ConflictError, PermissionDenied, ValidationError
from ..extensions import db
from ..models import Claim, ClaimTag, Priority, Role, User, utcnow
from ..params import whole_number
from ..ratings import rating_by_label
from .history import record
from .workflow import TAGS, VERDICT, WORDING, check_unlocked, locked

FIELDS = ("summary", "claimant", "claimed_at", "priority", "due", "assignee", "tags", "rating", "rationale")
CONTENT_FIELDS = {"summary", "claimant", "claimed_at", "rating", "rationale"}
VERDICT_FIELDS = {"rating", "rationale"}
# Which lock of the workflow's table holds each field (priority, due and assignee are the desk's own
# planning: no lock, they never reach readers).
LOCK_OF = {"summary": WORDING, "claimant": WORDING, "claimed_at": WORDING, "rating": VERDICT, "rationale": VERDICT,
           "tags": TAGS}
EDITOR_FIELDS = {"priority", "due"}
MAX = {"summary": 2000, "claimant": 300, "rationale": 50_000}
TAG = re.compile(r"^[\w][\w .\-/&]{0,59}$", re.UNICODE)
MAX_TAGS = 20


def current_values(claim: Claim) -> dict[str, Any]:
    """The claim's editable fields as plain JSON values (what history and conflicts compare)."""
    return {
        "summary": claim.summary or "",
        "claimant": claim.claimant or "",
        "claimed_at": _iso(claim.claimed_at),
        "priority": Priority(claim.priority).name,
        "due": _iso(claim.due),
        "assignee": None if claim.assignee is None else {"id": claim.assignee.id, "name": claim.assignee.name},
        "tags": list(claim.tags),
        "rating": claim.rating.label if claim.rating else None,
        "rationale": claim.rationale or "",
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _same(field: str, a: Any, b: Any) -> bool:
    # Either side may be raw input that did not parse (an unknown person's id, a number for a text):
    # comparing it must not fail, it simply differs.
    if field == "assignee":
        return _person_id(a) == _person_id(b)
    if field in ("summary", "claimant", "rationale") and isinstance(a or "", str) and isinstance(b or "", str):
        return (a or "").replace("\r\n", "\n").strip() == (b or "").replace("\r\n", "\n").strip()
    return a == b


def _person_id(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else value


def may_edit_content(claim: Claim, user: User) -> bool:
    return user.has_role(Role.editor) or claim.assignee_id in (None, user.id)


def editable_fields(claim: Claim, user: User) -> set[str]:
    """The fields this person may change on this claim now (what the claim page offers)."""
    fields = {"assignee"}
    if not locked(claim, TAGS):
        fields.add("tags")
    if user.has_role(Role.editor):
        fields |= EDITOR_FIELDS
    if may_edit_content(claim, user):
        fields |= {f for f in CONTENT_FIELDS if not locked(claim, LOCK_OF[f])}
    return fields


def update_claim(claim: Claim, by: User, changes: dict[str, Any], version: int | None,
                 base: dict[str, Any] | None = None) -> Claim:
    """Apply the changed fields, one history entry each; refuse a stale version naming what changed."""
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise ValidationError(f"Unknown field(s): {', '.join(unknown)}.", fields={f: "unknown" for f in unknown})
    if version is None:
        raise ValidationError("Send the version you started from.", fields={"version": "required"})
    version = whole_number(version, "version", lo=0)
    if version != claim.version:
        raise stale(claim, version, changes, base)

    parsed, errors = _parse(changes)
    if errors:
        first = next(iter(errors.values()))
        raise ValidationError(first if len(errors) == 1 else f"{len(errors)} fields need attention: {first}",
                              fields=errors)

    before = current_values(claim)
    changed = {f: v for f, v in parsed.items() if not _same(f, before[f], _value_of(f, v))}
    if not changed:
        return claim
    _check_permissions(claim, by, changed)

    now = utcnow()
    for field, value in changed.items():
        _apply(claim, field, value)
        after = _value_of(field, value)
        record(claim, by, "edit", field=field, before=before[field], after=after).at = now
    if changed.keys() & VERDICT_FIELDS:
        claim.verdict_by = by
    claim.updated_by = by
    claim.updated_at = now
    try:
        db.session.flush()
    except StaleDataError:
        # Someone saved between our read and our write: answer as any stale version.
        db.session.rollback()
        fresh = db.session.get(Claim, claim.id)
        raise stale(fresh, version, changes, base) from None
    if "assignee" in changed and changed["assignee"] is not None:
        from ..notify import notify

        notify([changed["assignee"]], "assigned", claim, by, f"{by.name} assigned you to claim {claim.id}")
    return claim


def stale(claim: Claim, version: int, changes: dict[str, Any], base: dict[str, Any] | None) -> ConflictError:
    """The refusal of an edit started from an older version, naming what is different now."""
    now = current_values(claim)
    changed: dict[str, dict] = {}
    for field in FIELDS:
        if base is not None and field in base:
            if not _same(field, now[field], _loose(field, base[field])):
                changed[field] = {"theirs": now[field], "yours": changes.get(field, base[field])}
        elif field in changes:
            yours = changes[field]
            if not _same(field, now[field], _loose(field, yours)):
                changed[field] = {"theirs": now[field], "yours": yours}
    names = ", ".join(changed) or "its state or evidence"
    return ConflictError(
        f"Someone else changed this claim while you were editing (you started from version {version}, it is now "
        f"version {claim.version}); changed meanwhile: {names}. Nothing was saved: check their changes and "
        "send yours again.",
        code="stale_version", fields={"version": claim.version, "changed": changed})


def unchanged_input(field: str, base_value: Any, raw: Any) -> bool:
    """Whether what was sent for a field is still the value the form started from (the person left it alone)."""
    return _same(field, base_value, _loose(field, raw))


def _loose(field: str, raw: Any) -> Any:
    """A submitted value in the shape of current_values(), for comparing (invalid input compares as is)."""
    parsed, errors = _parse({field: raw})
    if errors:
        return raw
    return _value_of(field, parsed[field])


def _value_of(field: str, value: Any) -> Any:
    if field in ("claimed_at", "due"):
        return _iso(value)
    if field == "priority":
        return value.name
    if field == "assignee":
        return None if value is None else {"id": value.id, "name": value.name}
    if field == "rating":
        return None if value is None else value.label
    return value


def _parse(changes: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    parsed: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field, raw in changes.items():
        try:
            parsed[field] = PARSERS[field](raw)
        except ValueError as exc:
            errors[field] = str(exc)
    return parsed, errors


def _text(field: str, required: bool = False):
    def parse(raw):
        value = "" if raw is None else raw
        if not isinstance(value, str):
            raise ValueError(f"{field} must be text.")
        value = value.replace("\r\n", "\n").strip()
        if len(value) > MAX[field]:
            raise ValueError(f"{field.capitalize()} is limited to {MAX[field]:,} characters (this has {len(value):,}).")
        return value

    return parse


def _date(field: str):
    def parse(raw):
        if raw in (None, ""):
            return None
        if isinstance(raw, date):
            return raw
        if not isinstance(raw, str):
            raise ValueError(f"{field} must be a date (YYYY-MM-DD).")
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            raise ValueError(f"{raw!r} is not a date: use YYYY-MM-DD.") from None

    return parse


def _priority(raw):
    if isinstance(raw, Priority):
        return raw
    try:
        return Priority[str(raw).strip().lower()]
    except KeyError:
        raise ValueError(f"Priority {raw!r} is not one of low, normal, high, urgent.") from None


def _assignee(raw):
    if raw in (None, "", 0):
        return None
    if isinstance(raw, User):
        return raw
    if isinstance(raw, dict):
        raw = raw.get("id")
    try:
        user_id = whole_number(raw, "assignee", default=0)
    except ValidationError:
        raise ValueError("assignee must be a person's id (or null to unassign).") from None
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        raise ValueError(f"There is no active person with id {user_id}.")
    return user


def _tags(raw):
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        raw = raw.split(",")
    if not isinstance(raw, (list, tuple)):
        raise ValueError("tags must be a list of words (or a comma-separated text).")
    tags: list[str] = []
    for item in raw:
        if not isinstance(item, str):
            raise ValueError("Each tag must be text.")
        tag = " ".join(item.split()).lower()
        if not tag:
            continue
        if not TAG.match(tag):
            raise ValueError(f"Tag {item!r} must be 1 to 60 letters, digits, spaces or - . / &.")
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValueError(f"At most {MAX_TAGS} tags.")
    return sorted(tags)


def _rating(raw):
    if raw in (None, ""):
        return None
    if not isinstance(raw, str):
        raise ValueError("rating must be a label of the desk's scale.")
    rating = rating_by_label(raw.strip())
    if rating is None or not rating.active:
        from ..ratings import scale

        raise ValueError(f"{raw!r} is not on the rating scale ({', '.join(r.label for r in scale())}).")
    return rating


PARSERS = {
    "summary": _text("summary"),
    "claimant": _text("claimant"),
    "claimed_at": _date("claimed_at"),
    "priority": _priority,
    "due": _date("due"),
    "assignee": _assignee,
    "tags": _tags,
    "rating": _rating,
    "rationale": _text("rationale"),
}


def _check_permissions(claim: Claim, by: User, changed: dict[str, Any]) -> None:
    editor = by.has_role(Role.editor)
    held = sorted(f for f in changed if f in LOCK_OF and locked(claim, LOCK_OF[f]))
    if held:
        check_unlocked(claim, *dict.fromkeys(LOCK_OF[f] for f in held), fields={f: "locked" for f in held})
    content = changed.keys() & CONTENT_FIELDS
    if content:
        if not may_edit_content(claim, by):
            raise PermissionDenied("This claim is assigned to someone else; only they or an editor can change it.",
                                   fields={f: "not_yours" for f in sorted(content)})
    if not editor and changed.keys() & EDITOR_FIELDS:
        names = sorted(changed.keys() & EDITOR_FIELDS)
        raise PermissionDenied(f"Only editors set {' and '.join(names)}.", fields={f: "editors_only" for f in names})
    if "assignee" in changed and not editor:
        new = changed["assignee"]
        taking = new is not None and new.id == by.id and claim.assignee_id is None
        leaving = new is None and claim.assignee_id == by.id
        if not (taking or leaving):
            raise PermissionDenied("Checkers can take an unassigned claim or give up their own; "
                                   "an editor assigns anyone else.", fields={"assignee": "editors_only"})
    if "assignee" in changed and changed["assignee"] is not None and not changed["assignee"].has_role(Role.checker):
        raise ValidationError("Only people on the desk can be assigned.", fields={"assignee": "invalid"})


def _apply(claim: Claim, field: str, value: Any) -> None:
    if field == "tags":
        claim.tag_rows = [row for row in claim.tag_rows if row.tag in value]
        have = set(claim.tags)
        for tag in value:
            if tag not in have:
                claim.tag_rows.append(ClaimTag(tag=tag))
        return
    setattr(claim, field, value)


def assignable_people() -> list[User]:
    """Everyone an editor may assign a claim to."""
    return db.session.execute(
        select(User).where(User.active.is_(True)).order_by(func.lower(User.name))
    ).scalars().all()
