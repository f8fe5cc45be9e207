"""The claim page (/desk/claims/<id>): wording, verdict, evidence, discussion, moves and history.

Every form posts to its own small view that calls one domain function and redirects back; a refusal
re-renders the page with the form as typed and the message (422 invalid, 409 conflict, 403 refused).
A stale edit (someone saved meanwhile) comes back as 409 with what they changed beside what this
person typed, and the version moved on, so sending again is a deliberate choice, never an accident.
"Preview rationale" renders the typed Markdown without saving (no JavaScript needed).
"""
from __future__ import annotations

import json
import re

from flask import flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from wtforms.fields.choices import SelectChoice

from ..access import current_actor, requires
from ..articles.anchoring import MAX_QUOTE
from ..claims import comments as discussion
from ..claims import editing, workflow
from ..claims import evidence as sources
from ..claims.history import last_move_to
from ..assist.similar import similar_claims
from ..claims.publishing import latest_publication
from ..errors import ConflictError, DomainError, NotFound
from ..extensions import db
from ..markdown import render_markdown
from ..monitor import appearances
from ..params import whole_number
from ..models import Article, Claim, ClaimHistory, Comment, Priority, Role, Status
from ..public.claimreview import publish_warnings
from ..ratings import scale
from .blueprint import bp
from .claim_forms import AssignForm, ClaimEditForm, CommentForm, EvidenceForm, RemoveForm, TransitionForm

CONTEXT_CHARS = 700
# A sentence ends at . ! ? … (and closing quotes), but not after an initial such as the S of "U.S.".
SENTENCE_END = re.compile(r"(?<!\b[A-Z])[.!?…][\"'”’)\]]*\s+")


def _load(claim_id: int) -> Claim:
    claim = db.session.execute(
        select(Claim).where(Claim.id == claim_id).options(
            joinedload(Claim.article).undefer(Article.text),
            joinedload(Claim.assignee), joinedload(Claim.rating), joinedload(Claim.verdict_by),
            joinedload(Claim.created_by), selectinload(Claim.evidence),
        )
    ).unique().scalar_one_or_none()
    if claim is None:
        raise NotFound(f"There is no claim {claim_id}.")
    return claim


def quote_context(text: str, start: int, end: int, sentences: int = 2) -> tuple[str, str]:
    """A few sentences before and after the quote, within its paragraph."""
    before = text[max(0, start - CONTEXT_CHARS):start]
    paragraph = before.rfind("\n\n")
    if paragraph >= 0:
        before = before[paragraph + 2:]
    ends = [m.end() for m in SENTENCE_END.finditer(before)]
    if len(ends) > sentences:
        before = before[ends[-sentences - 1]:]
    elif start > CONTEXT_CHARS and paragraph < 0:
        before = "…" + before.lstrip()
    after = text[end:end + CONTEXT_CHARS]
    paragraph = after.find("\n\n")
    if paragraph >= 0:
        after = after[:paragraph]
    ends = [m.end() for m in SENTENCE_END.finditer(after)]
    if len(ends) >= sentences:
        after = after[:ends[sentences - 1]].rstrip()
    elif end + CONTEXT_CHARS < len(text) and paragraph < 0:
        after = after.rstrip() + "…"
    return before, after


def _edit_form(claim: Claim, formdata=None) -> ClaimEditForm:
    values = editing.current_values(claim)
    form = ClaimEditForm(formdata=formdata, data={
        "version": claim.version, "base": json.dumps(values), "summary": values["summary"],
        "claimant": values["claimant"], "claimed_at": values["claimed_at"] or "", "priority": values["priority"],
        "due": values["due"] or "", "tags": ", ".join(values["tags"]), "rating": values["rating"] or "",
        "rationale": values["rationale"]})
    form.rating.choices = [SelectChoice("", "— not rated —")] + [SelectChoice(r.label, r.name) for r in scale()]
    return form


def _assign_form(claim: Claim, people, formdata=None) -> AssignForm:
    form = AssignForm(formdata=formdata, prefix="assign", data={"version": claim.version,
                                               "assignee": str(claim.assignee_id or "")})
    form.assignee.choices = [SelectChoice("", "— unassigned —")] + [SelectChoice(str(p.id),
                                                                                 f"{p.name} ({p.role.value})")
                                                                 for p in people]
    return form


def _page(claim: Claim, status: int = 200, *, edit_form=None, assign_form=None, evidence_form=None,
          comment_form=None, move_error=None, stale=None, preview=None, error=None):
    actor = current_actor()
    history = db.session.execute(
        select(ClaimHistory).where(ClaimHistory.claim_id == claim.id).options(joinedload(ClaimHistory.by))
        .order_by(ClaimHistory.id)).scalars().all()
    comments = db.session.execute(
        select(Comment).where(Comment.claim_id == claim.id).options(joinedload(Comment.author))
        .order_by(Comment.id)).scalars().all()
    is_editor = actor.has_role(Role.editor)
    people = editing.assignable_people() if is_editor else []
    before, after = ("", "")
    if claim.anchor_state.value != "orphaned":
        before, after = quote_context(claim.article.text, claim.anchor_start, claim.anchor_end)
    moves = [(to, workflow.ACTIONS.get((claim.status, Status(to)), to), workflow.needs_text(claim.status, Status(to)))
             for to in workflow.allowed_moves(claim, actor)]
    return render_template(
        "desk/claim.html", claim=claim, history=history, comments=comments, before=before, after=after,
        edit_form=edit_form or _edit_form(claim), assign_form=assign_form or _assign_form(claim, people),
        evidence_form=evidence_form or EvidenceForm(formdata=None, prefix="evidence"),
        comment_form=comment_form or CommentForm(formdata=None, prefix="comment"),
        remove_form=RemoveForm(formdata=None), moves=moves, move_error=move_error, stale=stale, preview=preview,
        error=error, editable=editing.editable_fields(claim, actor), is_editor=is_editor,
        may_research=sources.may_change(claim, actor), priority_name=Priority(claim.priority).name,
        render_markdown=render_markdown, describe=describe, status_label=workflow.LABELS,
        four_eyes_blocked=workflow.four_eyes_blocks(claim, actor), handle=discussion.handle(actor),
        comment_about=lambda c: discussion.about_in_quote(c, claim.quote),
        similar=similar_claims(claim, limit=5),  # "checked before?"
        appearances=appearances.of_claim(claim.id),
        appearance_moves=lambda a: appearances.allowed_moves(a, actor),
        publish_advice=publish_warnings(claim) if Status.published.value in [m[0] for m in moves] else [],
        sent_back=last_move_to(history, Status.changes_requested.value)
        if claim.status is Status.changes_requested else None,
        published=latest_publication(claim.id) if claim.article_changed_at else None,
    ), status


@bp.route("/claims/<int:claim_id>")
@requires(Role.checker)
def claim(claim_id: int):
    return _page(_load(claim_id))


@bp.route("/claims/<int:claim_id>/edit", methods=["POST"])
@requires(Role.checker)
def edit_claim(claim_id: int):
    item = _load(claim_id)
    actor = current_actor()
    form = _edit_form(item, request.form)
    if form.preview.data:
        return _page(item, edit_form=form, preview=render_markdown(form.rationale.data or ""))
    if not form.validate():
        return _page(item, 422, edit_form=form,
                     error="Please correct the fields marked below; everything you typed is kept.")
    editable = editing.editable_fields(item, actor)
    changes = {}
    for name in editable - {"assignee"}:
        value = getattr(form, name).data
        changes[name] = value if value is not None else ""
    try:
        base = json.loads(form.base.data or "null")
    except ValueError:
        base = None
    try:
        editing.update_claim(item, actor, changes, form.version.data, base=base if isinstance(base, dict) else None)
    except ConflictError as exc:
        if exc.code != "stale_version":
            return _page(item, exc.status, edit_form=form, error=exc.message)
        db.session.rollback()
        item = _load(claim_id)
        # The form keeps what was typed; version and base move on, so a second send is a decision.
        form.version.data, form.version.raw_data = item.version, [str(item.version)]
        form.base.data = json.dumps(editing.current_values(item))
        form.base.raw_data = [form.base.data]
        _merge(form, item, base if isinstance(base, dict) else None, changes, exc.fields.get("changed", {}))
        return _page(item, 409, edit_form=form, stale=exc, error=exc.message)
    except DomainError as exc:
        _attach_errors(form, exc)
        return _page(item, exc.status, edit_form=form, error=exc.message)
    db.session.commit()
    flash("Claim saved.", "success")
    return redirect(url_for("desk.claim", claim_id=claim_id))


def _merge(form: ClaimEditForm, item: Claim, base: dict | None, changes: dict, changed: dict) -> None:
    """Fields someone else changed that this person left alone now show the saved value; typed ones stay.

    So sending the merge form again overwrites only what this person actually changed."""
    now = editing.current_values(item)
    for name, change in changed.items():
        field = getattr(form, name, None)
        untouched = (base is not None and name in base and name in changes
                     and editing.unchanged_input(name, base[name], changes[name]))
        change["kept"] = not untouched
        if untouched and field is not None:
            text = _form_text(name, now[name])
            field.data, field.raw_data = text, [text]


def _form_text(name: str, value) -> str:
    if value is None:
        return ""
    if name == "tags":
        return ", ".join(value)
    return str(value)


def _attach_errors(form, exc: DomainError) -> None:
    for name, message in (exc.fields or {}).items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [message if len(str(message)) > 12 else exc.message]


@bp.route("/claims/<int:claim_id>/assign", methods=["POST"])
@requires(Role.checker)
def assign_claim(claim_id: int):
    item = _load(claim_id)
    actor = current_actor()
    people = editing.assignable_people() if actor.has_role(Role.editor) else []
    form = _assign_form(item, people, request.form)
    if not form.validate():
        return _page(item, 422, assign_form=form, error="The assignment form expired; reload the page.")
    if request.form.get("take") == "me":
        target = actor.id
    elif request.form.get("take") == "none":
        target = None
    else:
        target = form.assignee.data or None
    try:
        editing.update_claim(item, actor, {"assignee": target}, form.version.data)
    except DomainError as exc:
        if exc.code == "stale_version":
            db.session.rollback()
            item = _load(claim_id)
        return _page(item, exc.status, error=exc.message)
    db.session.commit()
    flash("Assignee saved.", "success")
    return redirect(url_for("desk.claim", claim_id=claim_id))


@bp.route("/claims/<int:claim_id>/evidence", methods=["POST"])
@requires(Role.checker)
def add_evidence(claim_id: int):
    item = _load(claim_id)
    form = EvidenceForm(prefix="evidence")
    if not form.validate():
        return _page(item, 422, evidence_form=form, error="The evidence needs attention; everything you typed is kept.")
    data = {name: getattr(form, name).data for name in sources.FIELDS}
    try:
        sources.add_evidence(item, current_actor(), data)
    except DomainError as exc:
        _attach_errors(form, exc)
        return _page(item, exc.status, evidence_form=form, error=exc.message)
    db.session.commit()
    flash("Evidence added.", "success")
    return redirect(url_for("desk.claim", claim_id=claim_id, _anchor="evidence"))


@bp.route("/claims/<int:claim_id>/evidence/<int:evidence_id>/remove", methods=["POST"])
@requires(Role.checker)
def remove_evidence(claim_id: int, evidence_id: int):
    item = _load(claim_id)
    if not RemoveForm().validate():
        return _page(item, 400, error="The form expired; reload the page.")
    try:
        sources.remove_evidence(item, current_actor(), evidence_id)
    except DomainError as exc:
        return _page(item, exc.status, error=exc.message)
    db.session.commit()
    flash("Evidence removed.", "success")
    return redirect(url_for("desk.claim", claim_id=claim_id, _anchor="evidence"))


@bp.route("/claims/<int:claim_id>/comments", methods=["POST"])
@requires(Role.checker)
def comment_claim(claim_id: int):
    item = _load(claim_id)
    form = CommentForm(prefix="comment")
    if not form.validate():
        return _page(item, 422, comment_form=form, error="The comment is empty or too long.")
    try:
        discussion.add_comment(item, current_actor(), form.body.data, about=form.about.data,
                               about_start=whole_number(form.about_start.data, "about_start", lo=0, hi=MAX_QUOTE))
    except DomainError as exc:
        _attach_errors(form, exc)
        return _page(item, exc.status, comment_form=form, error=exc.message)
    db.session.commit()
    flash("Comment added.", "success")
    nobody = discussion.unknown_mentions(form.body.data)
    if nobody:
        flash(f"Nobody on the desk answers to {', '.join('@' + n for n in nobody)}: they were not told. "
              "A handle is the first part of a person's e-mail address.", "warning")
    return redirect(url_for("desk.claim", claim_id=claim_id, _anchor="comments"))


@bp.route("/claims/<int:claim_id>/transition", methods=["POST"])
@requires(Role.checker)
def transition_claim(claim_id: int):
    item = _load(claim_id)
    form = TransitionForm()
    if not form.validate():
        return _page(item, 422, error="The form expired; reload the page.")
    try:
        workflow.transition(item, form.to.data, current_actor(), form.comment.data)
    except DomainError as exc:
        db.session.rollback()
        item = _load(claim_id)
        return _page(item, exc.status, move_error=(form.to.data, exc.message, form.comment.data or ""),
                     error=exc.message)
    db.session.commit()
    flash(f"Claim {claim_id} is now {workflow.LABELS[item.status]}.", "success")
    return redirect(url_for("desk.claim", claim_id=claim_id))


@bp.route("/markdown/preview", methods=["POST"])
@requires(Role.checker)
def markdown_preview():
    """The sanitised HTML of a Markdown text, for the live preview beside the rationale editor."""
    text = request.form.get("text", "")
    if len(text) > editing.MAX["rationale"]:
        return jsonify(html="", error="The text is over the rationale's limit."), 413
    return jsonify(html=str(render_markdown(text)))


def describe(value) -> str:
    """A history value as a person reads it."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, dict):
        if "url" in value:
            return f"{value.get('title') or value['url']} ({value.get('stance', '')}, {value['url']})"
        if "name" in value:
            return value["name"]
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return workflow.LABELS[Status(value)] if isinstance(value, str) and value in Status.__members__ else str(value)
