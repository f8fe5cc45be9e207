"""@mention choices while a person types a comment: the desk's people whose handle or name matches."""
from flask import jsonify, request

from ..access import requires
from ..api import error_body
from ..claims.comments import people_to_mention
from ..errors import ValidationError
from ..models import Role
from .blueprint import bp


@bp.route("/mentions")
@requires(Role.checker)
def mentions():
    typed = request.args.get("q", "")
    try:
        people = people_to_mention(typed)
    except ValidationError as exc:
        return jsonify(error_body(exc.code, exc.message, exc.fields)), exc.status
    return jsonify(query=typed, items=[{"handle": h, "name": name} for h, name in people])
