"""A person's own account: two-factor sign-in (and, with mail, notification e-mail and their address)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from ..access import current_actor, requires
from ..errors import ValidationError
from ..extensions import db, limiter
from ..models import Role
from . import two_factor
from .forms import CodeForm
from .views import ENROL_SECRET, code_limit

bp = Blueprint("account", __name__, url_prefix="/account")


def _code_refused(response) -> bool:
    return response.status_code == 422


def _person_key() -> str:
    return f"second-factor:{current_user.get_id()}"


def _security_page(status: int = 200, **forms):
    actor = current_actor()
    context = {"codes_form": CodeForm(prefix="codes"), "off_form": CodeForm(prefix="off"), "form": CodeForm(),
               **forms}
    if not actor.has_second_factor:
        secret = session.setdefault(ENROL_SECRET, two_factor.new_secret())
        context.update(secret=secret, qr=two_factor.enrolment_qr(actor, secret))
    else:
        context["codes_left"] = two_factor.recovery_codes_left(actor)
    return render_template("account/security.html", required=two_factor.required_for(actor), **context), status


@bp.route("/security")
@requires(Role.checker)
def security():
    return _security_page()


@bp.route("/security/enable", methods=["POST"])
@requires(Role.checker)
@limiter.limit(code_limit, key_func=_person_key, methods=["POST"], deduct_when=_code_refused, scope="second-factor")
def enable_second_factor():
    actor = current_actor()
    form = CodeForm()
    secret = session.get(ENROL_SECRET)
    if actor.has_second_factor:
        flash("Two-factor sign-in is on already.", "info")
        return redirect(url_for("account.security"))
    if form.validate_on_submit() and secret:
        try:
            codes = two_factor.enable(actor, secret, form.code.data)
        except ValidationError as exc:
            form.code.errors.append(exc.message)
        else:
            session.pop(ENROL_SECRET, None)
            db.session.commit()
            return render_template("account/recovery_codes.html", codes=codes, next=url_for("account.security"))
    return _security_page(422, form=form)


@bp.route("/security/recovery-codes", methods=["POST"])
@requires(Role.checker)
@limiter.limit(code_limit, key_func=_person_key, methods=["POST"], deduct_when=_code_refused, scope="second-factor")
def recovery_codes():
    actor = current_actor()
    form = CodeForm(prefix="codes")
    if form.validate_on_submit() and actor.has_second_factor:
        try:
            two_factor.verify(actor, form.code.data)
        except ValidationError as exc:
            form.code.errors.append(exc.message)
        else:
            codes = two_factor.new_recovery_codes(actor)
            db.session.commit()
            return render_template("account/recovery_codes.html", codes=codes, next=url_for("account.security"))
    return _security_page(422, codes_form=form)


@bp.route("/security/disable", methods=["POST"])
@requires(Role.checker)
@limiter.limit(code_limit, key_func=_person_key, methods=["POST"], deduct_when=_code_refused, scope="second-factor")
def disable_second_factor():
    actor = current_actor()
    form = CodeForm(prefix="off")
    if form.validate_on_submit() and actor.has_second_factor:
        try:
            two_factor.disable(actor, form.code.data)
        except ValidationError as exc:
            form.code.errors.append(exc.message)
        else:
            db.session.commit()
            flash("Two-factor sign-in is off.", "success")
            return redirect(url_for("account.security"))
    elif request.method == "POST" and not actor.has_second_factor:
        return redirect(url_for("account.security"))
    return _security_page(422, off_form=form)
