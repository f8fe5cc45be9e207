"""The admin's blueprint, in a module of its own: the page modules register on it as the package imports them."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
