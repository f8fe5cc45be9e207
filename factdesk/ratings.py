"""The desk's rating scale (DESIGN.md §3) in one place: the default scale, its versions (§13: what a
publication keeps of a rating), and an admin's edits — add, change, reorder, retire — with their rules.

Rules where DESIGN.md is silent:
- A label is the rating's id in the API and in ClaimReview (`alternateName`): lower-case letters,
  digits and hyphens, unique. While any claim or publication uses a rating, its label stays as it is
  and the rating cannot be deleted — deactivate it instead: it then leaves the scale offered to
  checkers (ratings.scale()) but claims already rated keep it.
- Ordinal (the place on the true–false line, higher is truer) is optional: misleading/unproven have none.
  Ordinals must fit the scale: each active rating on the line has its own, from 1 up to the number of
  active ratings on the line, so ClaimReview's bestRating/worstRating stay the scale's real ends.
- Versions (DESIGN.md §13): every change of what readers see of a rating (label, name, definition,
  colour, ordinal) makes its next RatingVersion; publications keep the version they were made with,
  so an edit never changes a published check. The rating's current version is what the next
  publication takes.
- Order is a position; moving a rating up or down swaps it with its neighbour, and positions are
  renumbered 0…n-1 so they stay tidy.
"""
from __future__ import annotations

import re
from typing import NamedTuple
from dataclasses import dataclass
from functools import cache

from sqlalchemy import func, select

from .audit import audit
from .errors import ConflictError, ValidationError
from .extensions import db
from .models import Claim, Publication, Rating, RatingVersion, User, utcnow

# label, name, ordinal, colour, public definition
DEFAULT_SCALE = [
    ("true", "True", 5, "#1e7b34", "The statement is accurate and nothing significant is missing."),
    ("mostly-true", "Mostly true", 4, "#6aa84f",
     "The statement is accurate but needs clarification or additional information."),
    ("half-true", "Half true", 3, "#f1c232",
     "The statement is partially accurate but leaves out important details or takes things out of context."),
    ("mostly-false", "Mostly false", 2, "#e69138",
     "The statement contains an element of truth but ignores facts that would give a different impression."),
    ("false", "False", 1, "#b3261e", "The statement is not accurate."),
    ("misleading", "Misleading", None, "#8e44ad",
     "The statement uses accurate facts in a way that gives a false impression."),
    ("unproven", "Unproven", None, "#7f8c8d", "The evidence available does not prove or disprove the statement."),
]


def seed_default_scale() -> None:
    """Add the default ratings that are missing; an admin's edits to existing ones are kept."""
    existing = set(db.session.execute(select(Rating.label)).scalars())
    for position, (label, name, ordinal, colour, definition) in enumerate(DEFAULT_SCALE):
        if label not in existing:
            rating = Rating(label=label, name=name, ordinal=ordinal, colour=colour, definition=definition,
                            position=position, version=1)
            db.session.add(rating)
            db.session.flush()
            db.session.add(version_row(rating, 1, None))
    db.session.flush()


VERSIONED = ("label", "name", "definition", "colour", "ordinal")


def version_row(rating: Rating, number: int, by: User | None) -> RatingVersion:
    return RatingVersion(rating_id=rating.id, number=number, created_at=utcnow(),
                         created_by_id=by.id if by is not None else None,
                         **{f: getattr(rating, f) for f in VERSIONED})


def current_version(rating: Rating) -> RatingVersion:
    """The version of a rating in force now: what a publication made now keeps."""
    return db.session.execute(select(RatingVersion).where(RatingVersion.rating_id == rating.id,
                                                          RatingVersion.number == rating.version)).scalar_one()


def record_version(rating: Rating, by: User | None) -> RatingVersion:
    """After an edit of what readers see of a rating: its next version (earlier ones stay as they were)."""
    rating.version = (rating.version or 0) + 1
    row = version_row(rating, rating.version, by)
    db.session.add(row)
    db.session.flush()
    return row


def scale() -> list[Rating]:
    return db.session.execute(select(Rating).where(Rating.active).order_by(Rating.position)).scalars().all()


@cache
def _names_statement():
    return select(Rating.label, Rating.name).where(Rating.active).order_by(Rating.position)


class ScaleName(NamedTuple):
    label: str
    name: str


def scale_names_column():
    """The scale in force as one text value, for a statement that reads it beside other things (the
    home's validator: one round trip, not two). Each rating is `position:label:length:name`, so a name
    holding any character, the separator included, still reads back whole (`read_scale_names`)."""
    from sqlalchemy import String, cast
    from sqlalchemy.sql.functions import aggregate_strings

    def text(column):
        return cast(column, String)

    item = (text(Rating.position) + ":" + Rating.label + ":" + text(func.length(Rating.name)) + ":" + Rating.name)
    return select(aggregate_strings(item, "\x1f")).where(Rating.active).scalar_subquery()


def read_scale_names(joined: str | None) -> list[ScaleName]:
    """The rows of `scale_names_column`, in the scale's order."""
    found, at, joined = [], 0, joined or ""
    while at < len(joined):
        position, label, length, rest = joined[at:].split(":", 3)
        name = rest[:int(length)]
        found.append((int(position), label, name))
        at += len(position) + len(label) + len(length) + 3 + int(length) + 1  # and the separator
    return [ScaleName(label, name) for _, label, name in sorted(found)]


def scale_names() -> list[ScaleName]:
    """The scale in force as plain (label, name) rows, for a page that only names its ratings (the
    home's rating filter): no ORM objects, the statement built once and run on a driver connection
    as the home's other statements are (public/caching.py `driver_rows`)."""
    from .public.caching import driver_rows

    return [ScaleName(*row) for row in driver_rows(_names_statement())]


def rating_by_label(label: str) -> Rating | None:
    return db.session.execute(select(Rating).where(Rating.label == label)).scalar_one_or_none()


def scale_bounds() -> tuple[int | None, int | None]:
    """(best, worst) ordinals of the active scale now (a publication keeps them as they were)."""
    row = db.session.execute(select(func.max(Rating.ordinal), func.min(Rating.ordinal))
                             .where(Rating.active, Rating.ordinal.is_not(None))).one()
    return row[0], row[1]


LABEL = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass
class RatingInput:
    label: str
    name: str
    definition: str = ""
    colour: str = "#777777"
    ordinal: int | str | None = None
    active: bool = True


def all_ratings() -> list[Rating]:
    return db.session.execute(select(Rating).order_by(Rating.position, Rating.id)).scalars().all()


def usage() -> dict[int, int]:
    """How many claims and publications use each rating (one statement)."""
    claims = select(Claim.rating_id.label("rid")).where(Claim.rating_id.is_not(None))
    pubs = select(Publication.rating_id.label("rid")).where(Publication.rating_id.is_not(None))
    both = claims.union_all(pubs).subquery()
    return dict(db.session.execute(select(both.c.rid, func.count()).group_by(both.c.rid)).all())


def _in_use(rating: Rating) -> int:
    return usage().get(rating.id, 0)


def _clean(data: RatingInput, current: Rating | None = None) -> dict:
    errors: dict[str, str] = {}
    label = (data.label or "").strip().lower()
    name = (data.name or "").strip()
    colour = (data.colour or "").strip()
    definition = (data.definition or "").strip()
    if not LABEL.match(label):
        errors["label"] = "Use lower-case letters, digits and hyphens (up to 40), e.g. mostly-true."
    else:
        taken = db.session.execute(select(Rating.id).where(Rating.label == label)).scalar()
        if taken is not None and (current is None or taken != current.id):
            errors["label"] = f"The label {label!r} is already on the scale."
    if not name or len(name) > 80:
        errors["name"] = "Give the rating a name readers see (up to 80 characters)."
    if not COLOUR.match(colour):
        errors["colour"] = "The colour must look like #1e7b34 (# and six hex digits)."
    if len(definition) > 2000:
        errors["definition"] = "The definition is at most 2,000 characters."
    ordinal = data.ordinal
    if ordinal in (None, ""):
        ordinal = None
    else:
        try:
            ordinal = int(ordinal)
        except (TypeError, ValueError):
            ordinal = -1
        if not 1 <= ordinal <= 100:
            errors["ordinal"] = ("The ordinal is a whole number from 1 to 100, "
                                 "or empty for ratings off the true–false line.")
        elif data.active:
            problem = _ordinal_misfit(ordinal, current)
            if problem:
                errors["ordinal"] = problem
    if errors:
        first = next(iter(errors.values()))
        raise ValidationError(first, fields=errors)
    return {"label": label, "name": name, "definition": definition, "colour": colour.lower(),
            "ordinal": ordinal, "active": bool(data.active)}


def _ordinal_misfit(ordinal: int, current: Rating | None) -> str | None:
    """Why an ordinal does not fit the active scale (with this rating on it), or None."""
    others = [r for r in db.session.execute(select(Rating).where(Rating.active, Rating.ordinal.is_not(None)))
              .scalars() if current is None or r.id != current.id]
    steps = len(others) + 1
    taken = next((r for r in others if r.ordinal == ordinal), None)
    if ordinal > steps:
        return (f"Ordinal {ordinal} does not fit the scale: with this rating its true–false line has {steps} "
                f"step{'s' if steps != 1 else ''}, so ordinals run from 1 (least true) to {steps} (most true).")
    if taken is not None:
        return (f"Ordinal {ordinal} is {taken.name}'s; each step of the true–false line has one rating "
                f"(give {taken.name} another ordinal, or empty, first).")
    return None


def create_rating(data: RatingInput, by: User | None = None) -> Rating:
    values = _clean(data)
    last = db.session.execute(select(func.max(Rating.position))).scalar()
    rating = Rating(position=(last if last is not None else -1) + 1, version=1, **values)
    db.session.add(rating)
    db.session.flush()
    db.session.add(version_row(rating, 1, by))
    db.session.flush()
    audit(by, "rating_created", f"{_who(by)} added the rating {rating.name!r} ({rating.label}) to the scale",
          rating_id=rating.id, after=_shown(rating))
    return rating


def _who(by: User | None) -> str:
    return by.name if by is not None else "The command line"


def _shown(rating: Rating) -> dict:
    """What readers see of a rating, for the audit log's before and after."""
    return {field: getattr(rating, field) for field in (*VERSIONED, "active")}


def update_rating(rating: Rating, data: RatingInput, by: User | None = None) -> Rating:
    """Change a rating; what readers see of it changes only through a new version."""
    values = _clean(data, rating)
    if values["label"] != rating.label and _in_use(rating):
        raise ConflictError(f"Claims use the label {rating.label!r}, so it stays; change the name instead.",
                            fields={"label": "in_use"})
    changed = [f for f in VERSIONED if values[f] != getattr(rating, f)]
    before = _shown(rating)
    for key, value in values.items():
        setattr(rating, key, value)
    if changed:
        record_version(rating, by)
    db.session.flush()
    if before != _shown(rating):
        audit(by, "rating_changed", f"{_who(by)} changed the rating {rating.name!r} ({rating.label}): "
              + ", ".join(k for k in before if before[k] != _shown(rating)[k]),
              rating_id=rating.id, version=rating.version, before=before, after=_shown(rating))
    return rating


def move_rating(rating: Rating, direction: str, by: User | None = None) -> None:
    if direction not in ("up", "down"):
        raise ValidationError("Move a rating up or down.", fields={"direction": "invalid"})
    ordered = all_ratings()
    i = ordered.index(rating)
    j = i - 1 if direction == "up" else i + 1
    moved = 0 <= j < len(ordered)
    if moved:
        ordered[i], ordered[j] = ordered[j], ordered[i]
    for position, item in enumerate(ordered):
        item.position = position
    db.session.flush()
    if moved:
        audit(by, "rating_moved", f"{_who(by)} moved the rating {rating.name!r} {direction} the scale",
              rating_id=rating.id, order=[item.label for item in ordered])


def delete_rating(rating: Rating, by: User | None = None) -> None:
    used = _in_use(rating)
    if used:
        raise ConflictError(f"{rating.name} is used {used} time{'s' if used != 1 else ''} (claims and publications); "
                            "deactivate it instead, so rated claims keep it.", fields={"rating": "in_use"})
    audit(by, "rating_deleted", f"{_who(by)} deleted the unused rating {rating.name!r} ({rating.label})",
          rating_id=rating.id, before=_shown(rating))
    for version in rating.versions:  # no publication points at them: the rating was never used
        db.session.delete(version)
    db.session.delete(rating)
    db.session.flush()
