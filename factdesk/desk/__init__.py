"""The desk's pages under /desk: the queue, articles with highlights, claims."""
from flask import Blueprint

bp = Blueprint("desk", __name__, url_prefix="/desk")

from . import queue, export, dashboard, articles  # noqa: E402,F401
from . import claims, notifications  # noqa: E402,F401  (the claim page, notifications)
from . import assist  # noqa: E402,F401  (duplicates, copied evidence, archive copies)
from . import monitor  # noqa: E402,F401
from . import mentions  # noqa: E402,F401
