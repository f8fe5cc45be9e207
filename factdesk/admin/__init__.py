"""Running the desk: people, their roles and API tokens (admins only).

Each page module registers its routes on `bp` (from `blueprint.py`) as it is imported here.
"""
from . import views, ratings, jobs  # noqa: F401
from .blueprint import bp

__all__ = ["bp"]
