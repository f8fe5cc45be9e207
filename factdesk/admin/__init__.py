"""Running the desk: people, their roles and API tokens (admins only)."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import views, ratings, jobs  # noqa: E402,F401
