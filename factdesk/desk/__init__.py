"""The desk's pages under /desk: the queue, articles with highlights, claims.

Each page module registers its routes on `bp` (from `blueprint.py`) as it is imported here.
"""
from . import queue, export, dashboard, articles, claims  # noqa: F401
from . import notifications, assist, monitor, mentions  # noqa: F401
from .blueprint import bp

__all__ = ["bp"]
