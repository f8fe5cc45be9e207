from flask import flash, redirect, render_template, request, session, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import audit as audit_log
from ..access import current_actor, requires
from ..accounts import invitations, two_factor
from ..accounts.forms import ActiveForm, InviteForm, RoleForm, TokenForm, UserForm
from ..accounts.tokens import issue_own_token, revoke_token
from ..accounts.users import change_role as set_role, create_user, set_active
from ..errors import DomainError, ValidationError
from ..extensions import db
from ..models import ApiToken, Role, User, utcnow
from .blueprint import bp


def _users() -> list[User]:
    return db.session.execute(select(User).order_by(User.name)).scalars().all()


@bp.route("/")
@requires(Role.admin)
def index():
    return redirect(url_for("admin.users"))


@bp.route("/users", methods=["GET", "POST"])
@requires(Role.admin)
def users():
    form = UserForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, form.name.data, form.role.data, form.password.data,
                               by=current_actor())
        except ValidationError as exc:
            for name in exc.fields:
                getattr(form, name, form.email).errors.append(exc.message)
            status = 422
        else:
            db.session.commit()
            flash(f"{user.name} ({user.email}) can now log in as {user.role.value}.", "success")
            return redirect(url_for("admin.users"))
    elif request.method == "POST":
        status = 422
    return _users_page(status, form=form)


def _users_page(status: int = 200, **forms):
    context = {"form": UserForm(formdata=None), "invite_form": InviteForm(formdata=None, prefix="invite"), **forms}
    return render_template("admin/users.html", users=_users(), role_form=RoleForm(), active_form=ActiveForm(),
                           **context), status


@bp.route("/invitations", methods=["POST"])
@requires(Role.admin)
def invite():
    """Invite someone by e-mail: they choose their own password from the link."""
    form = InviteForm(prefix="invite")
    if form.validate_on_submit():
        try:
            person = invitations.invite(form.email.data, form.name.data, form.role.data, current_actor())
        except ValidationError as exc:
            for name in exc.fields:
                getattr(form, name, form.email).errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"An invitation is on its way to {person.email}; {person.name} joins as {person.role.value} "
                  "once they choose a password.", "success")
            return redirect(url_for("admin.users"))
    return _users_page(422, invite_form=form)


@bp.route("/users/<int:user_id>/invitation", methods=["POST"])
@requires(Role.admin)
def resend_invitation(user_id: int):
    return _on_person(user_id, ActiveForm(), lambda user: invitations.resend(user, current_actor()),
                      lambda user: f"A new invitation is on its way to {user.email}; the earlier link no longer works.")


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@requires(Role.admin)
def change_role(user_id: int):
    form = RoleForm()
    return _on_person(user_id, form, lambda user: set_role(user, form.role.data, current_actor()),
                      lambda user: f"{user.name} is now {user.role.value}.")


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@requires(Role.admin)
def toggle_active(user_id: int):
    return _on_person(user_id, ActiveForm(), lambda user: set_active(user, not user.active, current_actor()),
                      lambda user: f"{user.name} is "
                                   f"{'active again' if user.active else 'deactivated and can no longer log in'}.")


@bp.route("/users/<int:user_id>/second-factor", methods=["POST"])
@requires(Role.admin)
def reset_second_factor(user_id: int):
    """A person lost their authenticator: forget it, so they enrol again (in the audit log)."""
    return _on_person(user_id, ActiveForm(), lambda user: two_factor.reset(user, current_actor()),
                      lambda user: f"The second factor of {user.name} is reset: they set up a new one at their next "
                                   "sign-in (or sign in with the password alone where the desk does not require one).")


def _on_person(user_id: int, form, act, done):
    """One admin action from the users page: the form checked, the domain's refusal flashed, back to the list."""
    user = db.get_or_404(User, user_id)
    if not form.validate_on_submit():
        flash("The form expired; try again.", "error")
        return redirect(url_for("admin.users"))
    try:
        act(user)
    except ValidationError as exc:
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(done(user), "success")
    return redirect(url_for("admin.users"))


@bp.route("/audit")
@requires(Role.admin)
def audit():
    """Account and admin events, newest first."""
    error = None
    try:
        query = audit_log.parse_query(request.args)
    except ValidationError as exc:
        error, query = exc, audit_log.AuditQuery()
    entries, more = audit_log.entries(query)
    return render_template("admin/audit.html", entries=entries, more=more, query=query, error=error,
                           actions=audit_log.actions(), people=_users()), 422 if error else 200


# A new token travels from the POST to the page after the redirect in the admin's own session, and is
# taken out of it by the page that shows it: a refresh neither posts again nor shows it again.
NEW_TOKEN = "new_token"


@bp.route("/tokens", methods=["GET", "POST"])
@requires(Role.admin)
def tokens():
    form = TokenForm()
    status = 200
    if form.validate_on_submit():
        try:
            token, raw = issue_own_token(current_actor(), form.name.data, request.form.get("user_id", type=int),
                                         expires_on=form.expires_on.data, code=form.code.data)
        except DomainError as exc:
            getattr(form, next(iter(exc.fields), "name"), form.name).errors.append(exc.message)
            status = exc.status
        else:
            db.session.commit()
            session[NEW_TOKEN] = {"id": token.id, "raw": raw}
            return redirect(url_for("admin.tokens", _anchor="new-token"))
    elif request.method == "POST":
        status = 422
    listing = db.session.execute(
        select(ApiToken).options(joinedload(ApiToken.user)).order_by(ApiToken.created_at.desc())
    ).scalars().all()
    new_token = session.pop(NEW_TOKEN, None) if request.method == "GET" else None
    made = next((t for t in listing if new_token and t.id == new_token["id"]), None)
    return render_template("admin/tokens.html", form=form, tokens=listing, new_token=new_token and new_token["raw"],
                           made=made, revoke_form=ActiveForm(), now=utcnow()), status


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@requires(Role.admin)
def revoke(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if ActiveForm().validate_on_submit():
        revoke_token(token, current_actor())
        db.session.commit()
        flash(f"Token {token.name!r} of {token.user.name} is revoked; it stops working at once.", "success")
    else:
        flash("The form expired; try again.", "error")
    return redirect(url_for("admin.tokens"))
