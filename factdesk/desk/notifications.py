"""The notifications page (/desk/notifications), mark read, and the unread count in the navigation."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from ..access import current_actor, is_api_request, requires
from ..extensions import db
from ..models import Role
from ..urls import local_path
from .. import notify
from .blueprint import bp
from .claim_forms import RemoveForm


@bp.app_context_processor
def _unread_badge():
    """`unread_notifications()` for the navigation: one COUNT on an index, run only when the nav asks."""

    def unread_notifications() -> int:
        actor = current_actor() if not is_api_request() else None
        return notify.unread_count(actor) if actor is not None else 0

    return {"unread_notifications": unread_notifications}


@bp.route("/notifications")
@requires(Role.checker)
def notifications():
    actor = current_actor()
    items = notify.recent(actor)
    return render_template("desk/notifications.html", items=items,
                           unread=sum(1 for n in items if n.read_at is None), form=RemoveForm(formdata=None))


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@requires(Role.checker)
def read_notification(notification_id: int):
    if RemoveForm().validate():
        notify.mark_read(current_actor(), notification_id)
        db.session.commit()
    target = local_path(request.form.get("next", ""))
    # Only our own claim pages: never an open redirect.
    if target and target.startswith("/desk/claims/"):
        return redirect(target)
    return redirect(url_for("desk.notifications"))


@bp.route("/notifications/read-all", methods=["POST"])
@requires(Role.checker)
def read_all_notifications():
    if RemoveForm().validate():
        count = notify.mark_all_read(current_actor())
        db.session.commit()
        flash(f"{count} notification{'s' if count != 1 else ''} marked read.", "success")
    return redirect(url_for("desk.notifications"))
