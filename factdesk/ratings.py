"""The desk's rating scale (DESIGN.md §3)."""
from __future__ import annotations

from sqlalchemy import select

from .extensions import db
from .models import Rating

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
            db.session.add(Rating(label=label, name=name, ordinal=ordinal, colour=colour,
                                  definition=definition, position=position))
    db.session.flush()


def scale() -> list[Rating]:
    return db.session.execute(select(Rating).where(Rating.active).order_by(Rating.position)).scalars().all()


def rating_by_label(label: str) -> Rating | None:
    return db.session.execute(select(Rating).where(Rating.label == label)).scalar_one_or_none()
