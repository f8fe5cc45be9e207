from flask import jsonify, render_template
from sqlalchemy import select, text
from sqlalchemy.orm import joinedload

from ..access import public
from ..extensions import db
from ..models import Claim, Status
from . import bp


@bp.route("/")
@public
def home():
    checks = db.session.execute(
        select(Claim).options(joinedload(Claim.rating), joinedload(Claim.article))
        .where(Claim.status == Status.published).order_by(Claim.published_at.desc()).limit(20)
    ).scalars().all()
    return render_template("public/home.html", checks=checks)


@bp.route("/healthz")
@public
def healthz():
    """For a load balancer: the database answers and its schema is at the latest migration."""
    from .health import migration_state

    try:
        db.session.execute(text("SELECT 1"))
        current, head = migration_state()
    except Exception as exc:  # a load balancer only needs up or down, with a reason for the operator
        return jsonify(status="error", database="unreachable", detail=type(exc).__name__), 503
    ok = current == head
    return jsonify(status="ok" if ok else "error", database="ok", migration=current, head=head,
                   migrations="current" if ok else "behind"), 200 if ok else 503
