"""The desk's blueprint, in a module of its own: the page modules register on it as the package imports them."""
from flask import Blueprint

bp = Blueprint("desk", __name__, url_prefix="/desk")
