from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..access import current_actor, requires
from ..accounts.forms import ActiveForm, RoleForm, TokenForm, UserForm
from ..accounts.tokens import issue_token, revoke_token
from ..accounts.users import create_user, parse_role
from ..errors import ValidationError
from ..extensions import db
from ..models import ApiToken, Role, User
from . import bp


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
            user = create_user(form.email.data, form.name.data, form.role.data, form.password.data)
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
    return render_template("admin/users.html", form=form, users=_users(), role_form=RoleForm(),
                           active_form=ActiveForm()), status


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@requires(Role.admin)
def change_role(user_id: int):
    user = db.get_or_404(User, user_id)
    form = RoleForm()
    if form.validate_on_submit():
        role = parse_role(form.role.data)
        if user.id == current_actor().id and role != Role.admin:
            flash("You cannot take away your own admin role; ask another admin.", "error")
        else:
            user.role = role
            db.session.commit()
            flash(f"{user.name} is now {role.value}.", "success")
    else:
        flash("The form expired; try again.", "error")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@requires(Role.admin)
def toggle_active(user_id: int):
    user = db.get_or_404(User, user_id)
    form = ActiveForm()
    if not form.validate_on_submit():
        flash("The form expired; try again.", "error")
    elif user.id == current_actor().id:
        flash("You cannot deactivate yourself.", "error")
    else:
        user.active = not user.active
        db.session.commit()
        flash(f"{user.name} is {'active again' if user.active else 'deactivated and can no longer log in'}.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/tokens", methods=["GET", "POST"])
@requires(Role.admin)
def tokens():
    people = _users()
    form = TokenForm()
    form.user_id.choices = [(u.id, f"{u.name} ({u.email})") for u in people if u.active]
    new_token = None
    status = 200
    if form.validate_on_submit():
        owner = db.session.get(User, form.user_id.data)
        try:
            token, new_token = issue_token(owner, form.name.data)
        except ValidationError as exc:
            form.name.errors.append(exc.message)
            status = 422
        else:
            db.session.commit()
    elif request.method == "POST":
        status = 422
    listing = db.session.execute(
        select(ApiToken).options(joinedload(ApiToken.user)).order_by(ApiToken.created_at.desc())
    ).scalars().all()
    return render_template("admin/tokens.html", form=form, tokens=listing, new_token=new_token,
                           revoke_form=ActiveForm()), status


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@requires(Role.admin)
def revoke(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if ActiveForm().validate_on_submit():
        revoke_token(token)
        db.session.commit()
        flash(f"Token {token.name!r} of {token.user.name} is revoked; it stops working at once.", "success")
    else:
        flash("The form expired; try again.", "error")
    return redirect(url_for("admin.tokens"))
