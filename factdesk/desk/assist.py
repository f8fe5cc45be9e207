"""On the claim page: act on 'checked before?' (duplicate, copy evidence) and read archive copies.

The claim page (desk/claims.py) lists the similar claims; these views take the one-click actions.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload, undefer

from ..access import current_actor, requires
from ..claims import archive
from ..assist.duplicates import copy_evidence, mark_duplicate
from ..errors import DomainError, ValidationError
from ..extensions import db
from ..models import Claim, Evidence, Role
from ..params import whole_number
from .blueprint import bp


def _claims(claim_id: int, other_id: str | None) -> tuple[Claim, Claim]:
    claim = db.get_or_404(Claim, claim_id)
    try:
        other = db.session.get(Claim, whole_number(other_id, "claim", default=0))
    except ValidationError:
        other = None
    if other is None:
        abort(404)
    return claim, other


def _back(claim_id: int, anchor: str = "similar"):
    return redirect(url_for("desk.claim", claim_id=claim_id, _anchor=anchor))


@bp.route("/claims/<int:claim_id>/duplicate", methods=["POST"])
@requires(Role.checker)
def mark_claim_duplicate(claim_id: int):
    claim, original = _claims(claim_id, request.form.get("original"))
    discard = request.form.get("discard") == "1"
    try:
        mark_duplicate(claim, original, current_actor(), discard=discard)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _back(claim_id)
    db.session.commit()
    if discard:
        flash(f"Claim {claim.id} is discarded as a duplicate of claim {original.id}.", "success")
    else:
        flash(f"Claim {claim.id} is marked as a duplicate of claim {original.id}.", "success")
    return _back(claim_id)


@bp.route("/claims/<int:claim_id>/copy-evidence", methods=["POST"])
@requires(Role.checker)
def copy_claim_evidence(claim_id: int):
    claim, source = _claims(claim_id, request.form.get("source"))
    try:
        made = copy_evidence(source, claim, current_actor())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _back(claim_id)
    db.session.commit()
    flash(f"{len(made)} evidence link(s) copied from claim {source.id}.", "success")
    return _back(claim_id, "evidence")


@bp.route("/evidence/<int:evidence_id>/archive")
@requires(Role.checker)
def evidence_archive(evidence_id: int):
    item = db.session.execute(
        select(Evidence).where(Evidence.id == evidence_id)
        .options(undefer(Evidence.archive_text), joinedload(Evidence.claim))
    ).scalar_one_or_none()
    if item is None:
        abort(404)
    return render_template("desk/evidence_archive.html", evidence=item)


@bp.route("/evidence/<int:evidence_id>/archive", methods=["POST"])
@requires(Role.checker)
def take_evidence_archive(evidence_id: int):
    item = db.get_or_404(Evidence, evidence_id)
    archive.request_archive(item)
    db.session.commit()
    flash("An archive copy is being taken; reload the page in a moment to see it.", "success")
    return _back(item.claim_id, "evidence")
