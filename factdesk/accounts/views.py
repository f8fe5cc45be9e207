"""Signing in (password, then the second factor when the person has one or the desk requires it) and out."""
from __future__ import annotations

import time

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..access import public
from ..errors import PermissionDenied, ValidationError
from ..extensions import db, limiter
from ..models import User, email_key
from ..urls import local_path
from . import invitations, single_sign_on, two_factor
from .throttle import give_back_unless
from . import password_reset as password_reset_flow
from .forms import CodeForm, LoginForm, LogoutForm, NewPasswordForm, ResetRequestForm
from .users import authenticate, end_sessions

bp = Blueprint("auth", __name__)

# A sign-in waiting for its second factor: who, which session epoch, where to go after, since when.
PENDING = "pending_sign_in"
ENROL_SECRET = "enrol_secret"
SSO_NEXT = "sso_next"
PENDING_SECONDS = 600


def _failed(response) -> bool:
    """Only refused attempts stay counted by the throttle; a good password never locks anyone out."""
    return response.status_code != 302


def _code_refused(response) -> bool:
    """A wrong second-factor code stays counted by its throttle; nothing else does."""
    return response.status_code in (401, 422)


def _account_key() -> str:
    return "login-account:" + email_key(request.form.get("email", ""))[:254]


def _login_limit() -> str:
    return current_app.config["LOGIN_LIMIT"]


def _reset_limit() -> str:
    return current_app.config["PASSWORD_RESET_LIMIT"]


def _reset_account_key() -> str:
    return "reset-account:" + email_key(request.form.get("email", ""))[:254]


def code_limit() -> str:
    return current_app.config["TWO_FACTOR_LIMIT"]


def _pending_key() -> str:
    pending = session.get(PENDING) or {}
    return f"second-factor:{pending.get('user', 'none')}"


def safe_next(target: str | None) -> str:
    """Only a path on this site; anything else (//evil, https://…, control characters) goes to the desk."""
    return local_path(target) or url_for("desk.queue")


def begin_sign_in(user: User, next_target: str | None):
    """The response once a person proved who they are (password or single sign-on): in, or on to the
    second factor (asked for, or set up first where REQUIRE_2FA names their role)."""
    if not user.has_second_factor and not two_factor.required_for(user):
        return _complete(user, next_target)
    session.clear()  # nothing from before survives into the signed-in session (no fixation)
    session[PENDING] = {"user": user.id, "epoch": user.session_epoch or 0, "next": next_target or "",
                        "since": int(time.time())}
    return redirect(url_for("auth.second_factor" if user.has_second_factor else "auth.enrol"))


def _complete(user: User, next_target: str | None, warning: str | None = None):
    session.clear()  # a fresh session at login: nothing carried over from before (no fixation)
    login_user(user)
    db.session.commit()
    flash(f"Welcome, {user.name}.", "success")
    if warning:
        flash(warning, "warning")
    return redirect(safe_next(next_target))


def _pending_user() -> User | None:
    """The person whose sign-in waits for a second factor, while it is fresh and their epoch current."""
    pending = session.get(PENDING)
    if not pending or time.time() - pending.get("since", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.active or (user.session_epoch or 0) != pending.get("epoch"):
        return None
    return user


def _no_pending_sign_in():
    return render_template("errors/error.html", status=400,
                           message="No sign-in is waiting for a code (or it took more than 10 minutes): "
                                   "log in again."), 400


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], scope="login-address")
@limiter.limit(_login_limit, key_func=_account_key, methods=["POST"], scope="login-account")
@give_back_unless(_failed)
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            return begin_sign_in(user, form.next.data)
        form.password.errors.append("Wrong e-mail or password, or the account is deactivated.")
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" else 401


@bp.route("/login/sso")
@public
def sso_start():
    """Off to the newsroom's identity provider (when single sign-on is set up)."""
    if not single_sign_on.enabled():
        return render_template("errors/error.html", status=404,
                               message="Single sign-on is not set up on this desk: log in with your password."), 404
    next_target = request.args.get("next", "")
    try:
        response = single_sign_on.start(url_for("auth.sso_callback", _external=True))
    except PermissionDenied as exc:
        return _sso_refused(exc)
    session[SSO_NEXT] = next_target
    return response


@bp.route("/login/sso/callback")
@public
def sso_callback():
    """The provider's answer: state, code, ID token and nonce checked, the person matched by verified e-mail."""
    if not single_sign_on.enabled():
        return render_template("errors/error.html", status=404,
                               message="Single sign-on is not set up on this desk."), 404
    try:
        user = single_sign_on.finish()
    except PermissionDenied as exc:
        return _sso_refused(exc)
    if not user.has_password:
        invitations.accept_by_single_sign_on(user)
    return begin_sign_in(user, session.pop(SSO_NEXT, ""))


@bp.app_template_global()
def sso_enabled() -> bool:
    return single_sign_on.enabled()


def _sso_refused(exc: PermissionDenied):
    form = LoginForm()
    return render_template("auth/login.html", form=form, refusal=exc.message), 403


@bp.route("/login/code", methods=["GET", "POST"])
@public
@limiter.limit(code_limit, key_func=_pending_key, methods=["POST"], scope="second-factor")
@give_back_unless(_code_refused)
def second_factor():
    """Second step of a sign-in: a code from the authenticator app, or a recovery code."""
    user = _pending_user()
    if user is None or not user.has_second_factor:
        return _no_pending_sign_in()
    form = CodeForm()
    if form.validate_on_submit():
        try:
            kind = two_factor.verify(user, form.code.data)
        except ValidationError as exc:
            form.code.errors.append(exc.message)
        else:
            warning = None
            if kind == "recovery":
                warning = (f"You used a recovery code; {two_factor.recovery_codes_left(user)} left. "
                           "Make new ones on your Account page if few remain.")
            return _complete(user, session[PENDING].get("next"), warning)
    return render_template("auth/second_factor.html", form=form, user=user), \
        200 if request.method == "GET" else 401


@bp.route("/login/enrol", methods=["GET", "POST"])
@public
@limiter.limit(code_limit, key_func=_pending_key, methods=["POST"], scope="second-factor")
@give_back_unless(_code_refused)
def enrol():
    """The desk requires a second factor for this person's role: set it up before the desk opens."""
    user = _pending_user()
    if user is None or user.has_second_factor:
        return _no_pending_sign_in()
    secret = session.setdefault(ENROL_SECRET, two_factor.new_secret())
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.enable(user, secret, form.code.data)
        except ValidationError as exc:
            form.code.errors.append(exc.message)
        else:
            next_target = session[PENDING].get("next")
            session.clear()
            login_user(user)
            db.session.commit()
            return render_template("account/recovery_codes.html", codes=codes, next=safe_next(next_target))
    return render_template("auth/enrol.html", form=form, user=user, secret=secret,
                           qr=two_factor.enrolment_qr(user, secret)), 200 if request.method == "GET" else 422


def _link_refused(exc: ValidationError):
    return render_template("errors/error.html", status=exc.status, message=exc.message), exc.status


def _choose_password(token: str, person_for, complete, *, invitation: bool):
    """The page of an e-mailed link that sets a password: (page, None) to show, or (None, person) once done."""
    try:
        person = person_for(token)
    except ValidationError as exc:
        return _link_refused(exc), None
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            return None, complete(token, form.password.data)
        except ValidationError as exc:
            form.password.errors.append(exc.message)
    page = render_template("auth/set_password.html", form=form, person=person, invitation=invitation)
    return (page, 200 if request.method == "GET" else 422), None


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    """The invitation's link: the person chooses their password, then logs in."""
    page, person = _choose_password(token, invitations.invited_person, invitations.accept, invitation=True)
    if person is None:
        return page
    db.session.commit()
    flash(f"Welcome, {person.name}: your password is set. Log in with {person.email}.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/password/reset", methods=["GET", "POST"])
@public
@limiter.limit(_reset_limit, methods=["POST"], scope="reset-address")
@limiter.limit(_reset_limit, key_func=_reset_account_key, methods=["POST"], scope="reset-account")
def password_reset():
    """Ask for a reset link: the same answer whether or not the address has an account."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        answer = password_reset_flow.request_reset(form.email.data)
        db.session.commit()
        flash(answer, "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/password_reset.html", form=form), 200 if request.method == "GET" else 422


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    page, person = _choose_password(token, password_reset_flow.person_for, password_reset_flow.complete_reset,
                                    invitation=False)
    if person is None:
        return page
    db.session.commit()
    logout_user()
    session.clear()
    flash("Your password is changed and every session you had is ended: log in with the new one.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/logout", methods=["GET", "POST"])
@public
def logout():
    form = LogoutForm()
    if request.method == "POST" and form.validate_on_submit():
        end_sessions(current_user._get_current_object())
        db.session.commit()
        logout_user()
        session.clear()
        flash("You are logged out.", "success")
        return redirect(url_for("public.home"))
    return render_template("auth/logout.html", form=form)
