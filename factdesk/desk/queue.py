"""The review queue: the desk's home page (DESIGN.md §6), and its bulk actions for editors.

The page reads the same query parameters as `GET /api/v1/claims` (factdesk/claims/queue.py), so a
filtered queue is a link. Invalid parameters answer 422 with the message above the filter form,
which keeps what was typed.
"""
from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl, urlencode

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from ..access import current_actor, requires
from ..claims import bulk
from ..claims import queue as claim_queue
from ..claims import workflow
from ..errors import ValidationError
from ..extensions import db
from ..forms import SelectField
from ..models import Priority, Role, User
from ..params import whole_number
from ..urls import local_path
from .blueprint import bp
from .queue_rows import render_rows

# The queue's headings: the workflow's own words for each state, capitalised.
STATUS_LABELS = {status.value: label.capitalize() for status, label in workflow.LABELS.items()}
SORT_LABELS = {"priority": "Priority", "due": "Due date", "age": "Age", "updated": "Last change"}


class BulkForm(FlaskForm):
    action = SelectField("Action", choices=[SelectChoice("assign", "Assign to"),
                                            SelectChoice("priority", "Set priority"), SelectChoice("discard",
                                                                                                   "Discard")])
    assignee = SelectField("Person", choices=[], validate_choice=False)
    priority = SelectField("Priority", choices=[SelectChoice(p.name, p.name.title()) for p in Priority],
                           default="normal")
    comment = StringField("Reason (for discard)", validators=[Length(max=2000)])


def _people() -> list[User]:
    return db.session.execute(select(User).where(User.active).order_by(User.name)).scalars().all()


def queue_context(query: claim_queue.QueueQuery, actor: User, *, selectable: bool, selected: set[int]) -> dict:
    """What the page shows for a parsed query: the page of claims, tab counts and the links around them."""
    tabs = claim_queue.tab_counts(query)
    result = claim_queue.page(query, tabs=tabs, lines=True)
    queue_url = url_for("desk.queue")
    tags = {tag for line in result.items for tag in line.tags}
    rows = render_rows(
        result.items, statuses=STATUS_LABELS, selectable=selectable, selected=selected, today=date.today(),
        # Links each row repeats, built once per page rather than once per row.
        tag_links={tag: f"{queue_url}?{querystring(query.args(tag=tag, page=None))}" for tag in tags},
        claim_base=url_for("desk.claim", claim_id=0).removesuffix("0"),
        article_base=url_for("desk.article", article_id=0).removesuffix("0"))
    return {"result": result, "rows": rows, "query": query, "tabs": tabs, "my_work": claim_queue.my_work_count(actor),
            "my_work_args": claim_queue.my_work(actor).args()}


@bp.route("")
@requires(Role.checker)
def queue():
    actor = current_actor()
    people = _people()
    status = 200
    error = None
    try:
        query = claim_queue.parse(request.args, actor=actor)
    except ValidationError as exc:
        error, status = exc, 422
        query = claim_queue.QueueQuery(actor_id=actor.id)
    selected = _selected(request.args)
    context = queue_context(query, actor, selectable=actor.has_role(Role.editor), selected=selected) \
        if error is None else {
        "result": None, "query": query, "tabs": claim_queue.tab_counts(query),
        "my_work": claim_queue.my_work_count(actor), "my_work_args": claim_queue.my_work(actor).args()}
    form = None
    if actor.has_role(Role.editor):
        form = BulkForm()
        form.assignee.choices = [SelectChoice("none", "nobody (unassign)")] + [
            SelectChoice(str(u.id), u.name) for u in people]
    return render_template(
        "desk/queue.html", error=error, people=people, form=form, raw=request.args,
        statuses=STATUS_LABELS, sorts=SORT_LABELS, priorities=[p.name for p in Priority],
        open_statuses=",".join(s.value for s in claim_queue.OPEN),
        **context), status


def _back(keep: list[int] | None = None) -> str:
    """The filtered queue the bulk form came from (only ever a /desk link), with the claims in `keep`
    still ticked: after a refusal the editor picks another action without selecting them again."""
    queue_url = url_for("desk.queue")
    back = request.form.get("back", "")
    # `back` is the queue's query string; one with control characters (a 500 in the header) is dropped.
    if back and local_path(f"{queue_url}?{back}") is None:
        back = ""
    if keep or "selected=" in back:
        pairs = [(k, v) for k, v in parse_qsl(back, keep_blank_values=True) if k != "selected"]
        back = urlencode(pairs + ([("selected", ",".join(map(str, keep)))] if keep else []))
    return (local_path(f"{queue_url}?{back}") if back else None) or queue_url


def _selected(args) -> set[int]:
    return {int(i) for i in args.get("selected", "").split(",") if i.isdigit() and len(i) < 12}


@bp.route("/bulk", methods=["POST"])
@requires(Role.editor)
def queue_bulk():
    form = BulkForm()
    form.assignee.choices = []
    if not form.validate_on_submit():
        flash("The form expired or was incomplete; nothing was changed. Try again.", "error")
        return redirect(_back())
    try:
        ids = [whole_number(i, "ids") for i in request.form.getlist("ids")]
    except ValidationError:
        flash("The selection could not be read; nothing was changed.", "error")
        return redirect(_back())
    value = form.assignee.data if form.action.data == "assign" else form.priority.data
    try:
        result = bulk.apply(ids, form.action.data, value, current_actor(), form.comment.data)
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(_back(ids))
    db.session.commit()
    flash(result.summary(), "warning" if result.refused else "success")
    return redirect(_back([claim_id for claim_id, _ in result.refused]))


def querystring(args: dict) -> str:
    return urlencode(args)


bp.add_app_template_filter(querystring, "querystring")
