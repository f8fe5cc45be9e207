"""The desk's rating scale (DESIGN.md §3) and its versions (§13): what a publication keeps of a rating."""
from __future__ import annotations

from sqlalchemy import func, select

from .extensions import db
from .models import Rating, RatingVersion, User, utcnow

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


def rating_by_label(label: str) -> Rating | None:
    return db.session.execute(select(Rating).where(Rating.label == label)).scalar_one_or_none()


def scale_bounds() -> tuple[int | None, int | None]:
    """(best, worst) ordinals of the active scale now (a publication keeps them as they were)."""
    row = db.session.execute(select(func.max(Rating.ordinal), func.min(Rating.ordinal))
                             .where(Rating.active, Rating.ordinal.is_not(None))).one()
    return row[0], row[1]
