"""What readers see, without an account (DESIGN.md §7), and the health route.

Each page module registers its routes on `bp` (from `blueprint.py`) as it is imported here.
"""
from . import views  # noqa: F401
from .blueprint import bp

__all__ = ["bp"]
