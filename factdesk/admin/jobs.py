"""/admin/jobs: the job queue as admins see it (waiting, running, failed with the error, done)."""
from flask import render_template

from ..access import requires
from ..jobs.board import job_board
from ..models import Role
from .blueprint import bp


@bp.route("/jobs")
@requires(Role.admin)
def jobs():
    return render_template("admin/jobs.html", board=job_board())
