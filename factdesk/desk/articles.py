"""The desk's article pages: list and import, the article with its highlights, revisions (DESIGN.md §4, §5).

Importing from a URL can take seconds, so that form answers with a streamed progress page: the
browser shows each step (fetching, fetched N bytes, extracting, saving) as it happens, without
JavaScript, then a link to the article, which a deferred script follows once the page is complete (a
meta refresh is only valid in the head, sent before the article exists). Because the progress page has
started before the fetch ends, a refusal arrives inside that page (a 200 with the message in an
alert and the form again, typed values kept); a form that fails its own checks (no URL) still
answers 422 before anything streams. Paste and upload are quick and answer as ordinary forms:
302 to the article, or the form again with the message (422, 413 for a file over the limit).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from flask import abort, current_app, flash, redirect, render_template, request, stream_template, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, undefer
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms.fields.choices import SelectChoice

from ..access import current_actor, requires
from ..articles import importing
from ..articles.importing import ArticleMeta
from ..articles import panels
from ..articles.compare import compare_revisions, stale_edit
from ..articles.marks import render_marks
from ..articles.revise import confirm_anchor, reattach, revise_article
from ..assist.suggestions import suggest
from ..claims.highlight import add_claim, locate
from ..errors import ConflictError, DomainError
from ..extensions import db
from ..models import Article, ArticleRevision, Claim, Role, User
from ..params import MAX_PAGE, whole_number
from .blueprint import bp
from .article_forms import ClaimForm, ConfirmForm, PasteForm, ReattachForm, ReviseForm, UploadForm, UrlForm

PER_PAGE = 25
SUGGESTIONS = 8  # "worth checking?" suggestions shown beside the claims


# --- list and import ---------------------------------------------------------------------------

def _import_forms(**given) -> dict:
    return {"paste_form": given.get("paste_form") or PasteForm(prefix="paste", formdata=None),
            "upload_form": given.get("upload_form") or UploadForm(prefix="upload", formdata=None),
            "url_form": given.get("url_form") or UrlForm(prefix="url", formdata=None)}


def _list_page(status: int = 200, **forms):
    page = whole_number(request.args.get("page"), "page", hi=MAX_PAGE, default=1)
    # Monitored articles stay on /desk/monitor until a claim is made from one.
    total = db.session.execute(select(func.count(Article.id)).where(Article.monitored.is_(False))).scalar_one()
    articles = db.session.execute(
        select(Article).where(Article.monitored.is_(False)).options(joinedload(Article.created_by))
        .order_by(Article.created_at.desc(), Article.id.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).scalars().all()
    pages = max(1, -(-total // PER_PAGE))
    return render_template("desk/articles.html", articles=articles, page=page, pages=pages, total=total,
                           limit_mb=current_app.config["MAX_UPLOAD_BYTES"] / 1048576,
                           **_import_forms(**forms)), status


def _meta(form) -> ArticleMeta:
    return ArticleMeta(title=form.title.data, source_url=form.source_url.data, publisher=form.publisher.data,
                       author=form.author.data, published_at=form.published_at.data)


def _form_error(form, exc: DomainError, default: str) -> None:
    """Put a domain refusal on the field it names (or on ``default``) so the form shows it there."""
    name = next((n for n in exc.fields if hasattr(form, n)), default)
    getattr(form, name).errors = list(getattr(form, name).errors) + [exc.message]


@bp.route("/articles")
@requires(Role.checker)
def articles():
    return _list_page()


@bp.route("/articles/paste", methods=["POST"])
@requires(Role.checker)
def import_paste():
    form = PasteForm(prefix="paste")
    if not form.validate_on_submit():
        return _list_page(422, paste_form=form)
    try:
        article = importing.import_text(form.text.data, current_actor(), _meta(form))
    except DomainError as exc:
        db.session.rollback()
        _form_error(form, exc, "text")
        return _list_page(exc.status if exc.status in (413, 422) else 422, paste_form=form)
    db.session.commit()
    flash(f"Added “{article.title}”. Select words in the text to highlight a claim.", "success")
    return redirect(url_for("desk.article", article_id=article.id))


@bp.route("/articles/upload", methods=["POST"])
@requires(Role.checker)
def import_upload():
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    try:
        form = UploadForm(prefix="upload")
        valid = form.validate_on_submit()
    except RequestEntityTooLarge:
        # The whole request was over the limit: say which limit, not just "too large".
        form = UploadForm(prefix="upload", formdata=None)
        form.file.errors = [f"The file is larger than the limit of {limit:,} bytes ({limit / 1048576:g} MB)."]
        return _list_page(413, upload_form=form)
    if not valid:
        return _list_page(422, upload_form=form)
    upload = form.file.data
    data = upload.stream.read(limit + 1)
    try:
        article = importing.import_file(upload.filename or "", data, current_actor(), _meta(form))
    except DomainError as exc:
        db.session.rollback()
        _form_error(form, exc, "file")
        return _list_page(exc.status if exc.status in (413, 422) else 422, upload_form=form)
    db.session.commit()
    flash(f"Imported “{article.title}” from {upload.filename}.", "success")
    return redirect(url_for("desk.article", article_id=article.id))


@dataclass
class _ImportRun:
    """One streamed URL import: the template iterates ``lines()``, then reads ``article`` or ``error``."""

    url: str
    actor_id: int
    meta: ArticleMeta
    article: Article | None = None
    error: str | None = None

    def lines(self) -> Iterator[str]:
        # The stream runs after the view returned: load the person in this session.
        by = db.session.get(User, self.actor_id)
        steps = importing.url_steps(self.url, by, self.meta)
        try:
            while True:
                try:
                    yield next(steps)
                except StopIteration as done:
                    self.article = done.value
                    break
        except DomainError as exc:
            db.session.rollback()
            self.error = exc.message
            return
        except Exception:
            current_app.logger.exception("import of %s failed", self.url)
            db.session.rollback()
            self.error = "Something went wrong on our side; nothing was saved."
            return
        db.session.commit()

    @property
    def article_url(self) -> str | None:
        return url_for("desk.article", article_id=self.article.id) if self.article else None


@bp.route("/articles/import", methods=["POST"])
@requires(Role.checker)
def import_url():
    form = UrlForm(prefix="url")
    if not form.validate_on_submit():
        return _list_page(422, url_form=form)
    job = _ImportRun(url=form.url.data.strip(), actor_id=current_actor().id, meta=_meta(form))
    return stream_template("desk/import_progress.html", job=job, url_form=form)


# --- one article -------------------------------------------------------------------------------

def _article_page(article_id: int, status: int = 200, *, claim_form: ClaimForm | None = None,
                  pick: dict | None = None, reattach_error: tuple[int, str, str] | None = None,
                  error: str | None = None):
    article = db.session.execute(
        select(Article).options(undefer(Article.text), joinedload(Article.created_by))
        .where(Article.id == article_id)).scalar() or abort(404)
    claims = panels.article_claims(article_id, url_for("desk.claim", claim_id=0))
    orphans, fuzzy = claims.orphans, claims.fuzzy
    marked = render_marks(article.text, claims.marks)
    form = claim_form or ClaimForm(formdata=None)
    choices = [SelectChoice(0, "a new claim")] + [
        SelectChoice(c.id, f"re-attach claim {c.id} ({c.anchor_state.value}): {c.quote[:60]}") for c in orphans + fuzzy]
    form.reattach.choices = choices
    # "Worth checking?": sentences not yet highlighted, ranked; computed from what is loaded.
    suggestions = suggest(article.text, SUGGESTIONS, skip=[(m[0], m[1]) for m in claims.marks], min_score=0.3)
    return render_template(
        "desk/article.html", article=article, claim_count=claims.count, claim_list=claims.claim_list,
        orphans=orphans, fuzzy=fuzzy, suggestions=suggestions, badges=panels.badges,
        marked=marked, text_length=len(article.text), claim_form=form, selection_choices=choices,
        pick=pick, reattach_error=reattach_error, error=error,
        confirm_form=ConfirmForm(formdata=None)), status


@bp.route("/articles/<int:article_id>")
@requires(Role.checker)
def article(article_id: int):
    return _article_page(article_id)


def _occurrence_pick(action: str, exc: ConflictError, hidden: dict) -> dict:
    """What the page needs to ask "which one?": each occurrence with its context, as a form to pick."""
    return {"action": action, "message": exc.message, "hidden": hidden,
            "occurrences": exc.fields.get("occurrences", [])}


@bp.route("/articles/<int:article_id>/claims", methods=["POST"])
@requires(Role.checker)
def add_article_claim(article_id: int):
    article = db.get_or_404(Article, article_id)
    form = ClaimForm()
    form.reattach.choices = [SelectChoice(0, "")]
    if not form.validate_on_submit():
        return _article_page(article_id, 422, claim_form=form, error="Please correct the claim form.")
    actor = current_actor()
    if form.reattach.data:
        claim = db.session.get(Claim, form.reattach.data)
        if claim is None or claim.article_id != article.id:
            abort(404)
        return _reattach(article, claim, actor, start=form.start.data, end=form.end.data, quote=form.quote.data)
    try:
        anchor = locate(article, start=form.start.data, end=form.end.data, quote=form.quote.data,
                        prefix=form.prefix.data, suffix=form.suffix.data)
        claim = add_claim(article, actor, anchor, summary=form.summary.data or "",
                          claimant=form.claimant.data or "", claimed_at=form.claimed_at.data)
    except ConflictError as exc:
        db.session.rollback()
        if exc.code == "ambiguous_quote":
            hidden = {"quote": form.quote.data or "", "summary": form.summary.data or "",
                      "claimant": form.claimant.data or "",
                      "claimed_at": form.claimed_at.data.isoformat() if form.claimed_at.data else ""}
            pick = _occurrence_pick(url_for("desk.add_article_claim", article_id=article_id), exc, hidden)
            return _article_page(article_id, 409, claim_form=form, pick=pick)
        return _article_page(article_id, exc.status, claim_form=form, error=exc.message)
    except DomainError as exc:
        db.session.rollback()
        _form_error(form, exc, "quote")
        return _article_page(article_id, exc.status, claim_form=form, error=exc.message)
    db.session.commit()
    flash(f"Claim {claim.id} added: “{_short(claim.quote)}”.", "success")
    return redirect(url_for("desk.article", article_id=article_id, _anchor=f"claim-{claim.id}"))


def _short(text: str, n: int = 80) -> str:
    return panels.shorten(text, n)


def _reattach(article: Article, claim: Claim, actor: User, *, start=None, end=None, quote=None):
    try:
        reattach(claim, actor, start=start, end=end, quote=quote)
    except ConflictError as exc:
        db.session.rollback()
        if exc.code == "ambiguous_quote":
            pick = _occurrence_pick(url_for("desk.reattach_claim", article_id=article.id, claim_id=claim.id), exc,
                                    {"quote": quote or ""})
            return _article_page(article.id, 409, pick=pick)
        return _article_page(article.id, exc.status, reattach_error=(claim.id, quote or "", exc.message),
                             error=exc.message)
    except DomainError as exc:
        db.session.rollback()
        return _article_page(article.id, exc.status, reattach_error=(claim.id, quote or "", exc.message),
                             error=exc.message)
    db.session.commit()
    flash(f"Claim {claim.id} is attached to “{_short(claim.quote)}”.", "success")
    return redirect(url_for("desk.article", article_id=article.id, _anchor=f"claim-{claim.id}"))


def _article_claim(article_id: int, claim_id: int) -> tuple[Article, Claim]:
    claim = db.session.get(Claim, claim_id)
    if claim is None or claim.article_id != article_id:
        abort(404)
    return claim.article, claim


@bp.route("/articles/<int:article_id>/claims/<int:claim_id>/reattach", methods=["POST"])
@requires(Role.checker)
def reattach_claim(article_id: int, claim_id: int):
    article, claim = _article_claim(article_id, claim_id)
    form = ReattachForm()
    if not form.validate_on_submit() or not (form.quote.data or form.start.data is not None):
        message = "Type or paste the words to attach the claim to."
        return _article_page(article_id, 422, reattach_error=(claim.id, form.quote.data or "", message), error=message)
    return _reattach(article, claim, current_actor(), start=form.start.data, end=form.end.data, quote=form.quote.data)


@bp.route("/articles/<int:article_id>/claims/<int:claim_id>/confirm", methods=["POST"])
@requires(Role.checker)
def confirm_claim_anchor(article_id: int, claim_id: int):
    _, claim = _article_claim(article_id, claim_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        confirm_anchor(claim, current_actor())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(f"Claim {claim.id} now quotes “{_short(claim.quote)}”.", "success")
    return redirect(url_for("desk.article", article_id=article_id, _anchor=f"claim-{claim.id}"))


# --- revisions ---------------------------------------------------------------------------------

@bp.route("/articles/<int:article_id>/revise", methods=["GET", "POST"])
@requires(Role.checker)
def revise(article_id: int):
    article = db.session.execute(select(Article).options(undefer(Article.text))
                                 .where(Article.id == article_id)).scalar() or abort(404)
    form = ReviseForm()
    status, conflict, stale = 200, None, None
    if request.method == "GET":
        form.text.data, form.base_revision.data = article.text, str(article.revision)
    elif form.validate_on_submit():
        try:
            base = whole_number(form.base_revision.data, "base_revision")
            done = revise_article(article, form.text.data, current_actor(), form.note.data, base_revision=base)
        except ConflictError as exc:
            db.session.rollback()
            conflict, status = exc.message, 409
            stale = stale_edit(article, base, form.text.data)
            form.base_revision.data = str(article.revision)
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc, "text")
            status = exc.status
        else:
            db.session.commit()
            flash(done.summary(), "success" if done.changed else "info")
            return redirect(url_for("desk.article", article_id=article_id))
    else:
        status = 422
    return render_template("desk/article_revise.html", article=article, form=form, conflict=conflict,
                           stale=stale), status


@bp.route("/articles/<int:article_id>/revisions")
@requires(Role.checker)
def revisions(article_id: int):
    article = db.get_or_404(Article, article_id)
    rows = db.session.execute(
        select(ArticleRevision).options(joinedload(ArticleRevision.created_by))
        .where(ArticleRevision.article_id == article_id).order_by(ArticleRevision.number.desc())).scalars().all()
    return render_template("desk/article_revisions.html", article=article, revisions=rows)


@bp.route("/articles/<int:article_id>/revisions/<int:number>")
@requires(Role.checker)
def revision(article_id: int, number: int):
    article = db.get_or_404(Article, article_id)
    row = db.session.execute(
        select(ArticleRevision).options(undefer(ArticleRevision.text), joinedload(ArticleRevision.created_by))
        .where(ArticleRevision.article_id == article_id, ArticleRevision.number == number)).scalar()
    if row is None:
        abort(404)
    return render_template("desk/article_revision.html", article=article, revision=row)


@bp.route("/articles/<int:article_id>/compare")
@requires(Role.checker)
def compare(article_id: int):
    article = db.get_or_404(Article, article_id)
    old, new = request.args.get("from", ""), request.args.get("to", "")
    status, error, shown = 200, None, None
    try:
        shown = compare_revisions(article, whole_number(old, "from"), whole_number(new, "to"))
    except DomainError as exc:
        status, error = exc.status, exc.message
    return render_template("desk/article_compare.html", article=article, shown=shown, error=error,
                           chosen={"from": old, "to": new}), status

