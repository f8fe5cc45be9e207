"""The readers' blueprint, in a module of its own: the page module registers on it as the package imports it."""
from flask import Blueprint

bp = Blueprint("public", __name__)
