"""Corrections (DESIGN.md §2, §7): publish, reopen, change the rating, publish again."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from sqlalchemy import select

from factdesk.claims import editing
from factdesk.extensions import db
from factdesk.models import ClaimHistory, Publication
from tests.support.addresses import path_of
from tests.support.factories import ArticleFactory, ClaimFactory, move, to_state

ATOM = "{http://www.w3.org/2005/Atom}"
TEXT = "The governor said the state has 3,000 new teachers this year. The rest is weather."
REASON = "The education department published revised hiring figures."


def _jsonld(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))


def _corrected(app, checker, editor):
    story = ArticleFactory(by=checker, title="Teachers hired", text=TEXT)
    c = ClaimFactory(article=story, by=checker, quote="the state has 3,000 new teachers this year",
                     summary="The state hired 3,000 new teachers.")
    to_state(c, "published", checker, editor, rating="true", rationale="Hiring records list 3,000 new teachers.")
    move(c, "researching", editor, REASON)
    to_state(c, "published", checker, editor, rating="mostly-false",
             rationale="Revised records list 1,100 new teachers.")
    return c


def test_republished_check_shows_dated_correction_notice_with_reason(app, client, checker, editor):
    c = _corrected(app, checker, editor)
    second = db.session.execute(select(Publication).where(Publication.claim_id == c.id, Publication.number == 2)
                                ).scalar_one()
    html = client.get(path_of(app, c)).get_data(as_text=True)
    notice = html.split('class="corrections-box"')[1].split("</section>")[0]
    assert f'datetime="{second.published_at.date().isoformat()}"' in notice
    assert second.published_at.strftime("%-d %B %Y") in notice
    assert "The rating changed from True to Mostly false." in notice
    assert "The explanation was revised." in notice
    assert f"Why: {REASON}" in notice
    assert "Revised records list 1,100 new teachers." in html
    assert 'class="rating rating-mostly-false">Mostly false<' in html


def test_earlier_version_stays_readable(app, client, checker, editor):
    c = _corrected(app, checker, editor)
    path = path_of(app, c)
    assert f'href="{path}/v/1"' in client.get(path).get_data(as_text=True)
    old = client.get(f"{path}/v/1")
    assert old.status_code == 200
    html = old.get_data(as_text=True)
    assert "Hiring records list 3,000 new teachers." in html and 'class="rating rating-true">True<' in html
    assert "It has since been corrected" in html and '<meta name="robots" content="noindex">' in html
    assert client.get(f"{path}/v/3").status_code == 404
    short = client.get(f"/checks/{c.id}/v/1")
    assert short.status_code == 301 and short.headers["Location"].endswith(f"{path}/v/1")


def test_history_keeps_both_versions(app, checker, editor):
    c = _corrected(app, checker, editor)
    pubs = db.session.execute(select(Publication).where(Publication.claim_id == c.id).order_by(Publication.number)
                              ).scalars().all()
    assert [(p.number, p.rating.label, p.is_correction) for p in pubs] == [(1, "true", False),
                                                                         (2, "mostly-false", True)]
    assert pubs[1].correction_reason == REASON
    moves = db.session.execute(select(ClaimHistory.before, ClaimHistory.after, ClaimHistory.comment).where(
        ClaimHistory.claim_id == c.id, ClaimHistory.field == "status")).all()
    assert ("published", "researching", REASON) in [tuple(m) for m in moves]
    assert [m.after for m in moves].count("published") == 2


def test_feed_and_corrections_page_announce_the_correction(app, client, checker, editor):
    c = _corrected(app, checker, editor)
    feed = ET.fromstring(client.get("/feed.atom").data)
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert titles[0] == "Correction: The state hired 3,000 new teachers. — Mostly false"
    assert "The state hired 3,000 new teachers. — True" in titles
    correction = feed.findall(f"{ATOM}entry")[0]
    assert REASON in correction.findtext(f"{ATOM}summary")
    assert correction.find(f"{ATOM}link").get("href").endswith(f"{path_of(app, c)}#correction-2")
    page = client.get("/corrections").get_data(as_text=True)
    assert "The state hired 3,000 new teachers." in page and f"Why: {REASON}" in page


def test_reopened_check_stays_readable_as_published_with_a_dated_under_review_notice(app, client, checker, editor):
    story = ArticleFactory(by=checker, title="Teachers hired", text=TEXT)
    c = to_state(ClaimFactory(article=story, by=checker, quote="the state has 3,000 new teachers this year"),
                 "published", checker, editor)
    path = path_of(app, c)
    before = client.get(path).get_data(as_text=True)
    move(c, "researching", editor, REASON)
    editing.update_claim(c, checker, {"rating": "true", "rationale": "Unpublished draft words."}, c.version)
    db.session.commit()
    response = client.get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Under review" in page and c.under_review_since.strftime("%-d %B %Y") in page
    assert "Unpublished draft words." not in page and "The records show otherwise." in page
    assert REASON not in page  # the reason reaches readers only in the correction notice, after republishing
    assert _jsonld(page) == _jsonld(before)
    assert "No corrections so far." in client.get("/corrections").get_data(as_text=True)


def test_republishing_without_change_is_not_a_correction(app, client, checker, editor):
    story = ArticleFactory(by=checker, title="Teachers hired", text=TEXT)
    c = to_state(ClaimFactory(article=story, by=checker, quote="the state has 3,000 new teachers this year"),
                 "published", checker, editor)
    move(c, "researching", editor, "Checking a source link.")
    to_state(c, "published", checker, editor)
    html = client.get(path_of(app, c)).get_data(as_text=True)
    assert "corrections-box" not in html
    assert "No corrections so far." in client.get("/corrections").get_data(as_text=True)
