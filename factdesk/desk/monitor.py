"""Monitoring on the desk: /desk/monitor (today's candidates by topic, repeats waiting), the sources and
topics editors keep, and moving an appearance of a check."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from ..access import current_actor, requires
from ..errors import DomainError, ValidationError
from ..extensions import db
from ..models import Claim, Role
from ..params import whole_number
from ..monitor import appearances, candidates
from ..monitor.sources import add_source, save_topic, sources, topics
from .blueprint import bp
from .monitor_forms import ActionForm, AppearanceForm, SourceForm, TopicForm


def _int_arg(name: str) -> int | None:
    """A filter's id; anything that is not one (`²`, a 20-digit number) shows the unfiltered page."""
    try:
        return whole_number(request.args.get(name), name)
    except ValidationError:
        return None


@bp.route("/monitor")
@requires(Role.checker)
def monitor():
    topic = request.args.get("topic", "").strip()[:80] or None
    source = _int_arg("source")
    return render_template("desk/monitor.html", groups=candidates.top_by_topic(topic=topic, source=source),
                           waiting=appearances.waiting(), sources=sources(), topics=topics(), topic=topic,
                           source=source, today=candidates.desk_today(), no_topic=candidates.NO_TOPIC,
                           form=AppearanceForm(), action_form=ActionForm())


@bp.route("/monitor/candidates/<int:candidate_id>/claim", methods=["POST"])
@requires(Role.checker)
def claim_from_candidate(candidate_id: int):
    if not ActionForm().validate_on_submit():
        flash("The form expired; try again.", "error")
        return redirect(url_for("desk.monitor"))
    try:
        claim = candidates.make_claim(candidate_id, current_actor())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("desk.monitor"))
    db.session.commit()
    flash(f"Claim {claim.id} is on the queue; its article joined the desk.", "success")
    return redirect(url_for("desk.claim", claim_id=claim.id))


def _sources_page(source_form=None, topic_form=None, status: int = 200):
    return render_template("desk/monitor_sources.html", sources=sources(), topics=topics(),
                           source_form=source_form or SourceForm(formdata=None),
                           topic_form=topic_form or TopicForm(formdata=None)), status


@bp.route("/monitor/sources")
@requires(Role.checker)
def monitor_sources():
    return _sources_page()


def _saved(form, save, said, page_form: str, default: str):
    """Validate, save through the domain, and redirect; or the page again with the form as typed."""
    if form.validate_on_submit():
        try:
            made = save(form)
        except DomainError as exc:
            db.session.rollback()
            field = getattr(form, next(iter(exc.fields), ""), None) or getattr(form, default)
            field.errors.append(exc.message)
        else:
            db.session.commit()
            flash(said(made), "success")
            return redirect(url_for("desk.monitor_sources"))
    return _sources_page(**{page_form: form}, status=422)


@bp.route("/monitor/sources", methods=["POST"])
@requires(Role.editor)
def add_monitor_source():
    return _saved(SourceForm(), lambda f: add_source(f.url.data, f.kind.data, current_actor(), name=f.name.data,
                                                     topic=f.topic.data),
                  lambda source: f"The desk follows {source.url} now; it is read at the next pass.", "source_form",
                  "url")


@bp.route("/monitor/topics", methods=["POST"])
@requires(Role.editor)
def save_monitor_topic():
    return _saved(TopicForm(), lambda f: save_topic(f.name.data, f.keywords.data),
                  lambda topic: f"Topic {topic.name} saved ({len(topic.keywords)} keyword(s)).", "topic_form",
                  "keywords")


@bp.route("/claims/<int:claim_id>/appearances/<int:appearance_id>", methods=["POST"])
@requires(Role.checker)
def move_appearance(claim_id: int, appearance_id: int):
    claim = db.get_or_404(Claim, claim_id)
    form = AppearanceForm()
    if not form.validate_on_submit():
        flash("The form expired; try again.", "error")
    else:
        try:
            moved = appearances.move(claim, appearance_id, form.state.data, current_actor())
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(f"The appearance ({moved.said_by}) is {moved.state.value} now.", "success")
    back = request.form.get("back")
    if back == "monitor":
        return redirect(url_for("desk.monitor"))
    return redirect(url_for("desk.claim", claim_id=claim_id) + "#appearances")
