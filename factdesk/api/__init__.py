"""The JSON API under /api/v1 (DESIGN.md §8): token auth, one error shape, OpenAPI built from the routes.

Each endpoint module registers its routes on `bp` (from `base.py`) as it is imported here, in the
order the OpenAPI document lists them. The readers' module is not named `public`: in `base.py` that
name is the access decorator.
"""
from . import routes, articles, similar, suggestions, claims, queue, readers, monitor  # noqa: F401
from .base import bp, error_body

__all__ = ["bp", "error_body"]
