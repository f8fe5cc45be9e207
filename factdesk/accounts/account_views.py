"""A person's own account: notification e-mail, their address, two-factor sign-in; unsubscribe links."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from .. import notify
from ..access import current_actor, public, requires
from ..errors import ValidationError
from ..extensions import db, limiter
from ..models import Role
from . import email_change, two_factor
from .forms import CodeForm, ConfirmForm, EmailChangeForm, MailChoiceForm
from .throttle import give_back_unless
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


def _account_page(status: int = 200, **forms):
    actor = current_actor()
    context = {"choice_form": MailChoiceForm(notify_email=actor.notify_email.value), "email_form": EmailChangeForm(),
               **forms}
    return render_template("account/account.html", **context), status


@bp.route("", methods=["GET", "POST"])
@requires(Role.checker)
def account():
    """Notification e-mail: at once, a daily digest, or never."""
    form = MailChoiceForm()
    if request.method == "POST":
        if form.validate_on_submit():
            notify.set_mail_choice(current_actor(), form.notify_email.data)
            db.session.commit()
            flash("Your choice of notification e-mail is saved.", "success")
            return redirect(url_for("account.account"))
        return _account_page(422, choice_form=form)
    return _account_page()


@bp.route("/email", methods=["POST"])
@requires(Role.checker)
def change_email():
    form = EmailChangeForm()
    if form.validate_on_submit():
        try:
            new_email = email_change.request_change(current_actor(), form.new_email.data, form.password.data)
        except ValidationError as exc:
            getattr(form, next(iter(exc.fields), "new_email")).errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"A confirmation link is on its way to {new_email}: your address changes once you open it.",
                  "success")
            return redirect(url_for("account.account"))
    return _account_page(422, email_form=form)


@bp.route("/email/<token>", methods=["GET", "POST"])
@public
def confirm_email(token: str):
    """The link sent to the new address: a button (a mail scanner following links changes nothing)."""
    form = ConfirmForm()
    try:
        if form.validate_on_submit():
            person = email_change.confirm_change(token)
            db.session.commit()
            flash(f"Your e-mail address is now {person.email}.", "success")
            return redirect(url_for("account.account") if current_actor() else url_for("auth.login"))
        link = email_change.pending_change(token)
    except ValidationError as exc:
        return render_template("errors/error.html", status=exc.status, message=exc.message), exc.status
    return render_template("account/confirm.html", form=form, title="Confirm your new e-mail address",
                           text=f"Change the address of {link.user.name} from {link.user.email} to {link.new_email}?")


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@public
def unsubscribe(token: str):
    """The link in each notification mail: no login needed, one button."""
    form = ConfirmForm()
    try:
        person = notify.person_to_unsubscribe(token)
    except ValidationError as exc:
        return render_template("errors/error.html", status=exc.status, message=exc.message), exc.status
    if form.validate_on_submit():
        notify.set_mail_choice(person, "never")
        db.session.commit()
        return render_template("account/confirm.html", form=None, title="Unsubscribed",
                               text=f"No more notification e-mail goes to {person.email}. You can choose again "
                                    "on your Account page.")
    return render_template("account/confirm.html", form=form, title="Stop notification e-mail",
                           text=f"Stop sending notification e-mail to {person.email}?")


@bp.route("/security")
@requires(Role.checker)
def security():
    return _security_page()


def _checked(form: CodeForm, action):
    """Run `action(code)` (a domain call that checks the code) for a sent form; None when refused."""
    if not form.validate_on_submit():
        return None
    try:
        return action(form.code.data)
    except ValidationError as exc:
        form.code.errors.append(exc.message)
        return None


def _new_codes_page(codes: list[str]):
    db.session.commit()
    return render_template("account/recovery_codes.html", codes=codes, next=url_for("account.security"))


@bp.route("/security/enable", methods=["POST"])
@requires(Role.checker)
@limiter.limit(code_limit, key_func=_person_key, methods=["POST"], scope="second-factor")
@give_back_unless(_code_refused)
def enable_second_factor():
    actor, secret = current_actor(), session.get(ENROL_SECRET)
    if actor.has_second_factor or not secret:
        return redirect(url_for("account.security"))
    form = CodeForm()
    codes = _checked(form, lambda code: two_factor.enable(actor, secret, code))
    if codes is None:
        return _security_page(422, form=form)
    session.pop(ENROL_SECRET, None)
    return _new_codes_page(codes)


@bp.route("/security/recovery-codes", methods=["POST"])
@requires(Role.checker)
@limiter.limit(code_limit, key_func=_person_key, methods=["POST"], scope="second-factor")
@give_back_unless(_code_refused)
def recovery_codes():
    actor = current_actor()
    if not actor.has_second_factor:
        return redirect(url_for("account.security"))
    form = CodeForm(prefix="codes")
    codes = _checked(form, lambda code: two_factor.replace_recovery_codes(actor, code))
    return _security_page(422, codes_form=form) if codes is None else _new_codes_page(codes)


@bp.route("/security/disable", methods=["POST"])
@requires(Role.checker)
@limiter.limit(code_limit, key_func=_person_key, methods=["POST"], scope="second-factor")
@give_back_unless(_code_refused)
def disable_second_factor():
    actor = current_actor()
    if not actor.has_second_factor:
        return redirect(url_for("account.security"))
    form = CodeForm(prefix="off")
    if _checked(form, lambda code: two_factor.disable(actor, code)) is None:
        return _security_page(422, off_form=form)
    db.session.commit()
    flash("Two-factor sign-in is off.", "success")
    return redirect(url_for("account.security"))
