"""Logging in and out."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..access import public
from ..extensions import db, limiter
from .forms import LoginForm, LogoutForm
from ..models import email_key
from ..urls import local_path
from .users import authenticate, end_sessions

bp = Blueprint("auth", __name__)


def _failed(response) -> bool:
    """Only refused attempts count towards the throttle; a good password never locks anyone out."""
    return response.status_code != 302


def _account_key() -> str:
    return "login-account:" + email_key(request.form.get("email", ""))[:254]


def _login_limit() -> str:
    from flask import current_app

    return current_app.config["LOGIN_LIMIT"]


def safe_next(target: str | None) -> str:
    """Only a path on this site; anything else (//evil, https://…, control characters) goes to the desk."""
    return local_path(target) or url_for("desk.queue")


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed, scope="login-address")
@limiter.limit(_login_limit, key_func=_account_key, methods=["POST"], deduct_when=_failed, scope="login-account")
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            session.clear()  # a fresh session at login: nothing carried over from before (no fixation)
            login_user(user)
            db.session.commit()
            flash(f"Welcome, {user.name}.", "success")
            return redirect(safe_next(form.next.data))
        form.password.errors.append("Wrong e-mail or password, or the account is deactivated.")
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" else 401


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
