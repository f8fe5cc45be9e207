"""What readers see, without an account (DESIGN.md §7), and the health route."""
from flask import Blueprint

bp = Blueprint("public", __name__)

from . import views  # noqa: E402,F401
