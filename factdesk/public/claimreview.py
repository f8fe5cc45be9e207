"""schema.org ClaimReview markup of a published check (DESIGN.md §7, §13), and the pre-publish checks.

The markup is drawn from a Publication only, never the live claim. The desk's rating scale maps
onto schema.org's numeric Rating: `ratingValue` is the rating's ordinal, `bestRating`/`worstRating`
the highest and lowest ordinal of the active scale at the moment of publishing (kept in the
publication), and `alternateName` the rating's name as published. Ratings outside the true–false
line (no ordinal, e.g. "Misleading") carry `alternateName` only. `dateModified` is the date of the
version shown when it is not the first.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone

from flask import current_app, url_for
from markupsafe import Markup
from ..models import Claim, Publication, RatingVersion
from ..urls import is_web_url

CLAIM_REVIEWED_ADVISED = 75  # Google's guidance: keep claimReviewed short enough to show whole.

# Words that mark a claimant as a body rather than a person (a heuristic: the desk stores the
# claimant as free text; "Ministry of Health" is an Organization, "Jane Doe" a Person).
_ORGANISATION_WORDS = re.compile(
    r"\b(ministry|department|agency|office|government|council|committee|commission|authority|party|"
    r"association|union|institute|university|college|school|hospital|bank|company|corporation|corp|inc|"
    r"ltd|llc|plc|gmbh|group|foundation|trust|board|bureau|service|services|organi[sz]ation|society|"
    r"federation|league|network|news|times|post|press|agency|police|army|navy|court|parliament|senate|"
    r"congress|assembly|administration|campaign|club|centre|center|coalition|alliance|fund)\b", re.I)


def claimant_type(name: str) -> str:
    """"Organization" or "Person" for a claimant's free-text name."""
    if _ORGANISATION_WORDS.search(name):
        return "Organization"
    letters = re.sub(r"[^A-Za-z]", "", name)
    if 2 <= len(letters) <= 6 and letters.isupper():
        return "Organization"  # an acronym: "NASA", "ECB"
    return "Person"


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def review_rating(rating: RatingVersion, bounds: tuple[int | None, int | None]) -> dict:
    body = {"@type": "Rating", "alternateName": rating.name}
    best, worst = bounds
    if rating.ordinal is not None and best is not None and worst is not None:
        body.update({"ratingValue": rating.ordinal, "bestRating": best, "worstRating": worst})
    return body


def desk_organisation() -> dict:
    return {"@type": "Organization", "name": current_app.config["DESK_NAME"],
            "url": url_for("public.home", _external=True)}


def said_again(appearance) -> dict:
    """A public appearance of the claim (monitoring found it, a checker confirmed it, an editor approved
    it) as a CreativeWork of itemReviewed.appearance."""
    work = {"@type": "CreativeWork", "headline": appearance.title or appearance.url}
    if is_web_url(appearance.url):  # a link stored before the rule is no link to follow
        work["url"] = appearance.url
    if appearance.said_at:
        work["datePublished"] = _iso(appearance.said_at)
    if appearance.said_by:
        work["author"] = {"@type": claimant_type(appearance.said_by), "name": appearance.said_by}
    return work


def claim_review(shown: Publication, latest: Publication, first_published_at: datetime, *, appearances=()) -> dict:
    """The ClaimReview of a published version of a check, from that publication alone (its rating as
    then, the scale's ends as then); `latest` names the check's current address. `appearances`: where
    else the claim was said (public appearances), after the article it was found in."""
    from .slugs import check_path, version_path

    item = {"@type": "Claim", "author": {"@type": claimant_type(shown.claimant), "name": shown.claimant}}
    # When it was said; without a date of its own, the claim was said by the day its article appeared.
    said = shown.claimed_at or shown.article_published_at
    if said:
        item["datePublished"] = _iso(said)
    appearance = {"@type": "CreativeWork", "headline": shown.article_title}
    if is_web_url(shown.article_url):  # a link stored before the rule is no link to follow
        appearance["url"] = shown.article_url
    if shown.article_published_at:
        appearance["datePublished"] = _iso(shown.article_published_at)
    if shown.article_publisher:
        appearance["publisher"] = {"@type": "Organization", "name": shown.article_publisher}
    if shown.article_author:
        appearance["author"] = {"@type": claimant_type(shown.article_author), "name": shown.article_author}
    item["appearance"] = [appearance, *map(said_again, appearances)] if appearances else appearance
    item["firstAppearance"] = appearance
    if shown.number != latest.number:
        url = version_path(latest, shown.number, _external=True)
    else:
        url = check_path(latest, _external=True)
    body = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": shown.summary or shown.quote,
        "itemReviewed": item,
        "author": desk_organisation(),
        "datePublished": _iso(first_published_at),
    }
    if shown.rating is not None:
        body["reviewRating"] = review_rating(shown.rating, (shown.scale_best, shown.scale_worst))
    if shown.number > 1:
        body["dateModified"] = _iso(shown.published_at)
    return body


def json_ld(data: dict) -> Markup:
    """JSON for a <script type="application/ld+json"> block: `<`, `>` and `&` are written as \\u
    escapes, so neither `</script>` nor `<!--` can end or bend the block."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))  # compact: the C encoder (indent is pure Python)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


def publish_problems(claim: Claim) -> list[str]:
    """Why the ClaimReview of this claim would lack a required field; empty when it can be published."""
    problems = []
    if claim.rating is None:
        problems.append("It has no rating: the markup needs reviewRating.")
    if not (claim.summary or "").strip():
        problems.append("It has no checkable wording: the markup needs claimReviewed (the claim's wording).")
    if not (claim.claimant or "").strip():
        problems.append("It has no claimant: the markup needs the claim's author (who said it).")
    article = claim.article
    if article is None or not is_web_url(article.source_url):
        problems.append("Its article has no source URL: the markup needs the claim's appearance (where it was said).")
    if article is not None and not (article.title or "").strip():
        problems.append("Its article has no title: the markup needs the appearance's headline.")
    return problems


def publish_warnings(claim: Claim) -> list[str]:
    """Advice that does not block publishing."""
    warnings = []
    length = len((claim.summary or "").strip())
    if length > CLAIM_REVIEWED_ADVISED:
        warnings.append(f"The wording has {length} characters; search engines show claimReviewed best "
                        f"at {CLAIM_REVIEWED_ADVISED} or fewer.")
    return warnings
