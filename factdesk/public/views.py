from __future__ import annotations

from datetime import date, datetime, timezone

from flask import Response, abort, jsonify, redirect, render_template, request, url_for
from sqlalchemy import text

from ..access import public
from ..articles.marks import render_marked_text
from ..extensions import db
from ..errors import ValidationError
from ..models import utcnow
from ..params import whole_number
from ..monitor.appearances import public_of as public_appearances
from ..ratings import scale, scale_names
from . import reading
from .blueprint import bp
from .caching import article_validator, check_validator, desk_validator, home_page, readers_page
from .cards import card_png
from .claimreview import claim_review, json_ld
from .listing import home_address, render_cards
from .slugs import article_path, article_slug, check_link, check_path, check_slug, version_path

PER_PAGE = 20

# Public addresses for every template (the desk links to published checks too).
bp.add_app_template_global(check_path, "check_path")
bp.add_app_template_global(article_path, "article_path")
bp.add_app_template_global(version_path, "version_path")
bp.add_app_template_global(check_link, "check_link")


@bp.app_template_filter("long_date")
def long_date(value) -> str:
    """"5 March 2026" for a date, a datetime or an ISO date text (evidence dates as published)."""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.strftime("%-d %B %Y")


@bp.app_template_filter("atom_time")
def atom_time(value: datetime) -> str:
    """RFC 3339 in UTC to the microsecond: two checks published within one second keep distinct times."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)  # the desk stores UTC
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


@bp.app_template_filter("sentence")
def sentence(value: str) -> str:
    """The text ended by one full stop (none added after its own . ! ? or …)."""
    text = (value or "").rstrip()
    return text if not text or text[-1] in ".!?…" or text.endswith((".”", "!”", "?”", ".\"", ".)")) else text + "."


def _page() -> int:
    """Readers' pagination is forgiving: a bad page number shows the first page."""
    try:
        return whole_number(request.args.get("page"), "page", hi=10_000, default=1)
    except ValidationError:
        return 1


@bp.route("/")
@public
@readers_page(desk_validator, page=home_page)
def home(loaded: list | None = None):
    q = request.args.get("q", "").strip()[:200]
    rating = request.args.get("rating", "").strip() or None
    tag = " ".join(request.args.get("tag", "").split()).lower()[:60] or None  # stored as the desk writes tags
    checks = reading.latest_checks(q=q, rating=rating, tag=tag, page=_page(), per_page=PER_PAGE,
                                   before=reading.Cursor.parse(request.args.get("before")),
                                   after=reading.Cursor.parse(request.args.get("after")))
    ratings = scale_names() if loaded is None else loaded
    rating_name = next((r.name for r in ratings if r.label == rating), rating)  # an unknown label as given
    return render_template("public/home.html", checks=checks, cards=render_cards(checks.items, checks.snippets), q=q,
                           rating=rating, tag=tag, ratings=ratings, rating_name=rating_name,
                           home_address=home_address)


def _withdrawn(check: reading.Check):
    """The 410 page of a withdrawn check: the date and the reason, nothing of what it said."""
    return render_template("public/withdrawn.html", check=check, withdrawal=check.withdrawal), 410


@bp.route("/checks/<int:claim_id>")
@public
def check_short(claim_id: int):
    check = reading.published_check(claim_id)
    if check.withdrawal:
        return _withdrawn(check)
    return redirect(check_path(check.latest), 301)


@bp.route("/checks/<int:claim_id>-<slug>")
@public
@readers_page(check_validator, page=reading.check_page)
def check(claim_id: int, slug: str, loaded: reading.Check | None = None):
    check = loaded or reading.published_check(claim_id)
    if check.withdrawal:
        return _withdrawn(check)
    if slug != check_slug(check.latest):
        return redirect(check_path(check.latest), 301)
    return _render_check(check, check.latest)


@bp.route("/checks/<int:claim_id>/v/<int:number>")
@public
def check_version_short(claim_id: int, number: int):
    check = reading.published_check(claim_id)
    if check.withdrawal:
        return _withdrawn(check)
    return redirect(version_path(check.latest, reading.publication(check, number).number), 301)


@bp.route("/checks/<int:claim_id>-<slug>/v/<int:number>")
@public
@readers_page(check_validator)
def check_version(claim_id: int, slug: str, number: int):
    check = reading.published_check(claim_id)
    if check.withdrawal:
        return _withdrawn(check)
    shown = reading.publication(check, number)
    if slug != check_slug(check.latest):
        return redirect(version_path(check.latest, number), 301)
    return _render_check(check, shown)


def _render_check(check: reading.Check, shown):
    latest = check.latest
    said_again = public_appearances(check.claim.id) if check.has_appearances else []
    review = claim_review(shown, latest, check.first_published_at, appearances=said_again)
    return render_template(
        "public/check.html", check=check, version=shown, latest=latest, earlier=shown is not latest,
        rating=shown.rating, rationale=reading.rationale_shown(shown),
        corrections=reading.corrections_of(check), context=reading.quote_context(shown), jsonld=json_ld(review),
        review=review, said_again=said_again, canonical=check_path(latest, _external=True),
        card=url_for("public.share_card", claim_id=shown.claim_id, number=shown.number, _external=True),
        article=check.claim.article)


@bp.route("/checks/<int:claim_id>/card-<int:number>.png")
@public
def share_card(claim_id: int, number: int):
    """A published version's share card (og:image): the same bytes for ever, so caches keep it for a year."""
    check = reading.published_check(claim_id)
    if check.withdrawal:
        return _withdrawn(check)
    response = Response(card_png(reading.publication(check, number)), mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@bp.route("/articles/<int:article_id>")
@public
def article_short(article_id: int):
    summary = reading.article_summary(article_id)
    return redirect(article_path(summary.article), 301)


@bp.route("/articles/<int:article_id>-<slug>")
@public
@readers_page(article_validator)
def article(article_id: int, slug: str):
    summary = reading.article_summary(article_id)
    article = summary.article
    if slug != article_slug(article):
        return redirect(article_path(article), 301)
    marks = [{"start": claim.anchor_start, "end": claim.anchor_end, "id": claim.id, "href": f"#claim-{claim.id}",
              "label": f"Check {claim.id}: {pub.rating.name if pub.rating else 'checked'}",
              "css_class": f"s-published r-{pub.rating.label}" if pub.rating else "s-published"}
             for pub, claim in summary.in_text]
    return render_template("public/article.html", article=article, summary=summary,
                           in_text={pub.claim_id for pub, _ in summary.in_text},
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
    changes, withdrawals, has_next = reading.all_corrections(page=page)
    return render_template("public/corrections.html", changes=changes, withdrawals=withdrawals, page=page,
                           has_next=has_next)


@bp.route("/feed.atom")
@public
@readers_page(desk_validator)
def feed():
    items = reading.feed_items()
    body = render_template("public/feed.atom.xml", items=items, rationale_shown=reading.rationale_shown,
                           now_utc=utcnow())
    return Response(body, mimetype="application/atom+xml")


@bp.route("/sitemap.xml")
@public
@readers_page(desk_validator)
def sitemap():
    """The sitemap, or past 50,000 URLs (what crawlers read in one file) the index of its files."""
    counts = reading.sitemap_counts()
    files = reading.sitemap_files(counts)
    if files > 1:
        body = render_template("public/sitemap_index.xml", parts=range(1, files + 1))
    else:
        checks, articles = reading.sitemap_rows(1, counts)
        body = render_template("public/sitemap.xml", checks=checks, articles=articles, fixed_pages=True)
    return Response(body, mimetype="application/xml")


@bp.route("/sitemap-<int:part>.xml")
@public
@readers_page(desk_validator)
def sitemap_part(part: int):
    counts = reading.sitemap_counts()
    if not 1 <= part <= reading.sitemap_files(counts):
        abort(404)
    checks, articles = reading.sitemap_rows(part, counts)
    body = render_template("public/sitemap.xml", checks=checks, articles=articles, fixed_pages=part == 1)
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
