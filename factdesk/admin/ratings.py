"""The rating scale editor for admins: /admin/ratings (rules in factdesk/ratings.py)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Length
from wtforms.widgets import ColorInput

from ..access import current_actor, requires
from ..errors import DomainError
from ..extensions import db
from ..models import Rating, Role
from ..ratings import RatingInput, all_ratings, create_rating, delete_rating, move_rating, update_rating, usage
from .blueprint import bp


class RatingForm(FlaskForm):
    label = StringField("Label (the id in the API)", validators=[Length(max=40)])
    name = StringField("Name", validators=[Length(max=80)])
    definition = TextAreaField("Public definition", validators=[Length(max=2000)])
    colour = StringField("Colour", default="#777777", widget=ColorInput(), validators=[Length(max=7)])
    ordinal = StringField("Ordinal (5 = true … 1 = false; empty if off that line)", validators=[Length(max=4)])
    active = BooleanField("Active (offered to checkers)", default=True)


class PlainForm(FlaskForm):
    """CSRF only: move and delete buttons."""


def _input(form: RatingForm) -> RatingInput:
    return RatingInput(label=form.label.data, name=form.name.data, definition=form.definition.data,
                       colour=form.colour.data, ordinal=form.ordinal.data, active=form.active.data)


def _show_errors(form: RatingForm, exc: DomainError) -> None:
    """Put each refused field's message under that field (codes such as in_use get the whole message)."""
    placed = False
    for name, message in (exc.fields or {}).items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [message if " " in str(message) else exc.message]
            placed = True
    if not placed:
        form.label.errors = list(form.label.errors) + [exc.message]


def _apply(form: RatingForm, action) -> bool:
    try:
        action(_input(form))
    except DomainError as exc:
        db.session.rollback()
        _show_errors(form, exc)
        return False
    db.session.commit()
    return True


@bp.route("/ratings", methods=["GET", "POST"])
@requires(Role.admin)
def ratings():
    form = RatingForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit() and _apply(form, lambda data: create_rating(data, current_actor())):
            flash(f"{form.name.data} is on the scale.", "success")
            return redirect(url_for("admin.ratings"))
        status = 422
    return render_template("admin/ratings.html", ratings=all_ratings(), used=usage(), form=form,
                           plain=PlainForm()), status


@bp.route("/ratings/<int:rating_id>", methods=["GET", "POST"])
@requires(Role.admin)
def rating_edit(rating_id: int):
    rating = db.get_or_404(Rating, rating_id)
    form = RatingForm(obj=rating) if request.method == "GET" else RatingForm()
    if request.method == "GET":
        form.ordinal.data = "" if rating.ordinal is None else str(rating.ordinal)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit() and _apply(form, lambda data: update_rating(rating, data, current_actor())):
            flash(f"{rating.name} is saved.", "success")
            return redirect(url_for("admin.ratings"))
        status = 422
    return render_template("admin/rating_edit.html", rating=rating, form=form, used=usage().get(rating.id, 0)), status


@bp.route("/ratings/<int:rating_id>/move", methods=["POST"])
@requires(Role.admin)
def rating_move(rating_id: int):
    rating = db.get_or_404(Rating, rating_id)
    if not PlainForm().validate_on_submit():
        flash("The form expired; try again.", "error")
    else:
        try:
            move_rating(rating, request.form.get("direction", ""), current_actor())
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            db.session.commit()
    return redirect(url_for("admin.ratings") + f"#rating-{rating_id}")


@bp.route("/ratings/<int:rating_id>/delete", methods=["POST"])
@requires(Role.admin)
def rating_delete(rating_id: int):
    rating = db.get_or_404(Rating, rating_id)
    if not PlainForm().validate_on_submit():
        flash("The form expired; try again.", "error")
        return redirect(url_for("admin.ratings"))
    name = rating.name
    try:
        delete_rating(rating, current_actor())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(f"{name} is deleted from the scale.", "success")
    return redirect(url_for("admin.ratings"))
