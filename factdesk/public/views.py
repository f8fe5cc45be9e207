from __future__ import annotations

from flask import Response, jsonify, redirect, render_template, request
from sqlalchemy import text

from ..access import public
from ..articles.marks import render_marked_text
from ..extensions import db
from ..markdown import render_markdown
from ..errors import ValidationError
from ..models import utcnow
from ..params import whole_number
from ..monitor.appearances import public_of as public_appearances
from ..ratings import scale
from . import bp, reading
from .caching import article_validator, check_validator, desk_validator, readers_page
from .claimreview import claim_review, json_ld, scale_bounds
from .slugs import article_path, article_slug, check_path, check_slug, version_path

PER_PAGE = 20

# Public addresses for every template (the desk links to published checks too).
bp.add_app_template_global(check_path, "check_path")
bp.add_app_template_global(article_path, "article_path")
bp.add_app_template_global(version_path, "version_path")


def _page() -> int:
    """Readers' pagination is forgiving: a bad page number shows the first page."""
    try:
        return whole_number(request.args.get("page"), "page", hi=10_000, default=1)
    except ValidationError:
        return 1


@bp.route("/")
@public
@readers_page(desk_validator)
def home():
    q = request.args.get("q", "").strip()[:200]
    rating = request.args.get("rating", "").strip() or None
    tag = " ".join(request.args.get("tag", "").split()).lower()[:60] or None  # stored as the desk writes tags
    checks = reading.latest_checks(q=q, rating=rating, tag=tag, page=_page(), per_page=PER_PAGE)
    return render_template("public/home.html", checks=checks, q=q, rating=rating, tag=tag, ratings=scale())


@bp.route("/checks/<int:claim_id>")
@public
def check_short(claim_id: int):
    return redirect(check_path(reading.published_check(claim_id)), 301)


@bp.route("/checks/<int:claim_id>-<slug>")
@public
@readers_page(check_validator)
def check(claim_id: int, slug: str):
    claim = reading.published_check(claim_id)
    if slug != check_slug(claim):
        return redirect(check_path(claim), 301)
    return _render_check(claim, None)


@bp.route("/checks/<int:claim_id>/v/<int:number>")
@public
def check_version_short(claim_id: int, number: int):
    claim = reading.published_check(claim_id)
    return redirect(version_path(claim, reading.publication(claim, number).number), 301)


@bp.route("/checks/<int:claim_id>-<slug>/v/<int:number>")
@public
@readers_page(check_validator)
def check_version(claim_id: int, slug: str, number: int):
    claim = reading.published_check(claim_id)
    shown = reading.publication(claim, number)
    if slug != check_slug(claim):
        return redirect(version_path(claim, number), 301)
    return _render_check(claim, shown)


def _render_check(claim, shown):
    latest = claim.publications[-1] if claim.publications else None
    version = shown or latest
    said_again = public_appearances(claim.id)
    review = claim_review(claim, shown, bounds=scale_bounds(), appearances=said_again)
    return render_template(
        "public/check.html", claim=claim, version=version, latest=latest,
        earlier=shown is not None and shown is not latest,
        rating=version.rating if version else claim.rating,
        summary=version.summary if version else claim.summary,
        rationale=render_markdown(version.rationale if version else claim.rationale),
        corrections=reading.corrections_of(claim), context=reading.quote_context(claim), jsonld=json_ld(review),
        review=review,
        said_again=said_again,
        canonical=check_path(claim, _external=True))


@bp.route("/articles/<int:article_id>")
@public
def article_short(article_id: int):
    article, _ = reading.article_summary(article_id)
    return redirect(article_path(article), 301)


@bp.route("/articles/<int:article_id>-<slug>")
@public
@readers_page(article_validator)
def article(article_id: int, slug: str):
    article, claims = reading.article_summary(article_id)
    if slug != article_slug(article):
        return redirect(article_path(article), 301)
    marks = [{"start": c.anchor_start, "end": c.anchor_end, "id": c.id, "href": f"#claim-{c.id}",
              "label": f"Check {c.id}: {c.rating.name if c.rating else 'checked'}",
              "css_class": f"s-published r-{c.rating.label}" if c.rating else "s-published"}
             for c in claims if c.anchor_state.value != "orphaned"]
    return render_template("public/article.html", article=article, claims=claims,
                           marked_text=render_marked_text(article.text, marks),
                           canonical=article_path(article, _external=True))


@bp.route("/ratings")
@public
@readers_page(desk_validator)
def ratings():
    return render_template("public/ratings.html", ratings=scale())


@bp.route("/corrections")
@public
@readers_page(desk_validator)
def corrections():
    page = _page()
    changes, has_next = reading.all_corrections(page=page)
    return render_template("public/corrections.html", changes=changes, page=page, has_next=has_next)


@bp.route("/feed.atom")
@public
@readers_page(desk_validator)
def feed():
    items = reading.feed_publications()
    body = render_template("public/feed.atom.xml", items=items, render_markdown=render_markdown, now_utc=utcnow())
    return Response(body, mimetype="application/atom+xml")


@bp.route("/sitemap.xml")
@public
@readers_page(desk_validator)
def sitemap():
    checks, articles = reading.sitemap_rows()
    body = render_template("public/sitemap.xml", checks=checks, articles=articles)
    return Response(body, mimetype="application/xml")


@bp.route("/healthz")
@public
def healthz():
    """For a load balancer: the database answers and its schema is at the latest migration."""
    from .health import migration_state

    try:
        db.session.execute(text("SELECT 1"))
        current, head = migration_state()
    except Exception as exc:  # noqa: BLE001 - a 503: a load balancer needs up or down, with a reason
        return jsonify(status="error", database="unreachable", detail=type(exc).__name__), 503
    ok = current == head
    return jsonify(status="ok" if ok else "error", database="ok", migration=current, head=head,
                   migrations="current" if ok else "behind"), 200 if ok else 503
