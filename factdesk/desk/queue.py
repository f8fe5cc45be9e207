"""The review queue: the desk's home page."""
from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..access import requires
from ..extensions import db
from ..models import Claim, Role
from . import bp


@bp.route("")
@requires(Role.checker)
def queue():
    claims = db.session.execute(
        select(Claim).options(joinedload(Claim.article), joinedload(Claim.assignee), joinedload(Claim.rating))
        .order_by(Claim.updated_at.desc()).limit(50)
    ).scalars().all()
    return render_template("desk/queue.html", claims=claims)
