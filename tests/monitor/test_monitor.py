"""Monitoring (DESIGN.md §15) end to end: real feeds, a sitemap and the fixture pages served from a local
HTTP server, the job queue's worker reading them, candidates on /desk/monitor, a repeat of a published
check found in new wording, its notification, and after a checker's confirmation and an editor's
approval the appearance on the public page and in ClaimReview. And sources that fail."""
from __future__ import annotations

import gzip
import json
import re
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from factdesk.extensions import db
from factdesk.jobs import enqueue
from factdesk.models import (Appearance, AppearanceState, Article, Candidate, Job, JobState, MonitorItem,
                             MonitorSource, Notification, Role, utcnow)
from factdesk.monitor.crawl import forget_hosts

from tests.conftest import FIXTURES, login, post_form
from tests.support.addresses import path_of
from tests.support.factories import ArticleFactory, ClaimFactory, UserFactory, to_state, token_for
from tests.support.live import wait_until, worker_process
from tests.support.pages_server import QuietHandler, serve

PAGES = FIXTURES / "web-articles" / "html"
# Fixture pages (real news pages) as the feed's and the sitemap's items.
REPEATED = "3c5bf8db4272925bf1dd5713fc325e179fd0d1cc6fb8c77aa2d917cfd2518a32"  # "…16,000 processor cores…"
FEED_PAGES = [REPEATED, "05844573ca7e1fba714d715bb11ca08c26e25328999c74a1cb3bc8a0e4399f0f",
              "08f793762792bd252c75fb57544cdf506ffcc04785136cb87503f02364b82b56"]
SITEMAP_PAGES = ["0d46122928b6f468cc4bbc694051d0dbae5702bc75a16dab82a99b58daf150a0",
                 "287e4d9f4af31733aad6534aefb2bd00fb344ec8d6ebf1ac99dbc4d762da0ca4"]
FEED_ETAG = '"feed-v1"'


def _rss(base: str) -> bytes:
    items = "".join(f"<item><title>Story {i}</title><link>{base}/news/{key}.html</link><guid>{base}/news/{key}</guid>"
                    f"<pubDate>Mon, 30 Nov 2026 0{i}:00:00 GMT</pubDate></item>" for i, key in enumerate(FEED_PAGES))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Local news</title><link>{base}/</link>'
            f"<description>Test feed</description>{items}</channel></rss>").encode()


def _sitemap(base: str) -> bytes:
    urls = "".join(f"<url><loc>{base}/news/{key}.html</loc><lastmod>2026-11-29</lastmod></url>"
                   for key in SITEMAP_PAGES)
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{urls}</urlset>").encode()


class Site:
    """What the local server serves, and what it was asked."""

    def __init__(self):
        self.base = ""
        self.hits: list[str] = []
        self.not_modified = 0
        self.lock = threading.Lock()


def _handler(site: Site):
    class Handler(QuietHandler):
        def do_GET(self):  # noqa: N802
            with site.lock:
                site.hits.append(self.path)
            if self.path == "/robots.txt":
                return self._send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
            if self.path == "/feed.xml":
                if self.headers.get("If-None-Match") == FEED_ETAG:
                    with site.lock:
                        site.not_modified += 1
                    self.send_response(304)
                    self.send_header("ETag", FEED_ETAG)
                    self.send_header("Connection", "close")
                    self.end_headers()
                    return None
                return self._send(200, _rss(site.base), "application/rss+xml", ETag=FEED_ETAG)
            if self.path == "/sitemap.xml":
                return self._send(200, _sitemap(site.base), "application/xml")
            if self.path.startswith("/news/"):
                page = PAGES / (self.path.rsplit("/", 1)[1] + ".gz")
                if page.exists():
                    return self._send(200, page.read_bytes(), "text/html; charset=utf-8", Content_Encoding="gzip")
            if self.path == "/slow.xml":
                time.sleep(4)
                return self._send(200, _rss(site.base), "application/rss+xml")
            if self.path == "/broken.xml":
                return self._send(500, b"Internal Server Error", "text/plain")
            if self.path == "/bomb.xml":
                bomb = gzip.compress(b"<" * (30 * 1024 * 1024), compresslevel=9)
                return self._send(200, bomb, "application/rss+xml", Content_Encoding="gzip")
            if self.path == "/garbled.xml":
                return self._send(200, b"<rss><channel><<item>>&&&</channel", "application/rss+xml")
            if self.path == "/private/feed.xml":
                return self._send(200, _rss(site.base), "application/rss+xml")
            return self._send(404, b"not found", "text/plain")

    return Handler


@pytest.fixture
def app_settings():
    return {"FACTDESK_ALLOW_PRIVATE_FETCH": True, "MONITOR_HOST_DELAY": 0, "FACTDESK_FETCH_TIMEOUT": 2}


@pytest.fixture
def site():
    forget_hosts()
    site = Site()
    with serve(_handler(site)) as (base, _port):
        site.base = base
        yield site
    forget_hosts()


@pytest.fixture
def people(app, checker, editor):
    return {"checker": checker, "editor": editor,
            "editor2": UserFactory(role=Role.editor, email="editor2@desk.test", name="Second Editor")}


@pytest.fixture
def published_check(app, people):
    """A published check whose wording differs from the fixture page that repeats it."""
    article = ArticleFactory(by=people["checker"], title="Supercomputers in science",
                             text="A research team said that a simulation ran for over a year on 16,000 cores of "
                                  "Stuttgart's Hazel Hen supercomputer.\n\nOther researchers were not convinced.",
                             source_url="https://science.example/hazel-hen")
    claim = ClaimFactory(article=article, by=people["checker"], quote="a simulation ran for over a year on 16,000 "
                                                                      "cores of Stuttgart's Hazel Hen supercomputer",
                         summary="A simulation ran for more than a year on 16,000 cores of the Hazel Hen "
                                 "supercomputer", claimant="A research team")
    return to_state(claim, "published", people["checker"], people["editor"], rating="true",
                    rationale="The computing centre's records confirm it.")


def _count(model) -> int:
    db.session.rollback()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _jobs_settled(name: str, count: int) -> bool:
    db.session.rollback()
    states = db.session.execute(select(Job.state).where(Job.name == name)).scalars().all()
    return len(states) >= count and all(s in (JobState.done, JobState.failed) for s in states)


@pytest.mark.slow
def test_worker_reads_sources_imports_once_ranks_candidates_finds_a_repeat_and_shows_it_once_approved(
        app, client, site, people, published_check, tmp_path):
    checker, editor, editor2 = people["checker"], people["editor"], people["editor2"]
    headers = token_for(editor)
    for url, kind in ((f"{site.base}/feed.xml", "feed"), (f"{site.base}/sitemap.xml", "sitemap")):
        response = client.post("/api/v1/monitor/sources", json={"url": url, "kind": kind, "name": "Local News"},
                               headers=headers)
        assert response.status_code == 201, response.get_data(as_text=True)
    login(client, editor)
    assert post_form(client, "/desk/monitor/topics", {"name": "Science", "keywords": "supercomputer, simulation"}
                     ).status_code == 302
    public_url = path_of(app, published_check)
    assert "Also said by" not in client.get(public_url).get_data(as_text=True)

    enqueue("monitor.pass")
    db.session.commit()
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    with worker_process(database, log=tmp_path / "worker.log",
                        extra_env={"MONITOR_HOST_DELAY": "0", "FACTDESK_FETCH_TIMEOUT": "10"}):
        wait_until(lambda: _jobs_settled("monitor.source", 2), seconds=180, what="the worker reading both sources")
        items, articles = _count(MonitorItem), _count(Article)
        assert items == len(FEED_PAGES) + len(SITEMAP_PAGES)
        # The next pass: the feed answers 304 to its ETag, the sitemap's items are known; nothing new.
        enqueue("monitor.pass")
        db.session.commit()
        wait_until(lambda: _jobs_settled("monitor.source", 4), seconds=180, what="the second pass")
    log = (tmp_path / "worker.log").read_text()
    assert _count(MonitorItem) == items and _count(Article) == articles, log[-3000:]
    assert site.not_modified == 1
    assert sorted(p for p in site.hits if p.startswith("/news/")) == sorted(
        f"/news/{k}.html" for k in FEED_PAGES + SITEMAP_PAGES)  # each page fetched once
    failed = db.session.execute(select(Job).where(Job.state == JobState.failed)).scalars().all()
    assert failed == [], [(j.name, j.last_error) for j in failed]
    monitored = db.session.execute(select(Article).where(Article.monitored)).scalars().all()
    assert len(monitored) == items and all(a.source_url.startswith(site.base) for a in monitored)

    # The repeat, found in the fixture page's own wording.
    [appearance] = db.session.execute(select(Appearance)).scalars().all()
    assert appearance.claim_id == published_check.id and appearance.state == AppearanceState.pending
    assert "16,000 processor cores" in appearance.sentence and appearance.url.endswith(f"{REPEATED}.html")
    notes = db.session.execute(select(Notification).where(Notification.kind == "repeat")).scalars().all()
    assert {n.user_id for n in notes} == {checker.id, editor.id}
    assert all("16,000 processor cores" in n.message for n in notes)

    # Candidates ranked on /desk/monitor, by topic.
    login(client, checker)
    page = client.get("/desk/monitor").get_data(as_text=True)
    assert ">Science</h2>" in page and "Repeats waiting (1)" in page
    ranked = db.session.execute(select(Candidate).where(Candidate.topic.is_(None))
                                .order_by(Candidate.score.desc(), Candidate.id.desc())).scalars().all()
    positions = [page.index(f'id="candidate-{c.id}"') for c in ranked[:5]]
    assert positions == sorted(positions) and len(positions) >= 3
    science = db.session.execute(select(Candidate).where(Candidate.topic == "Science")).scalars().all()
    assert any(c.repeat_of_id == published_check.id for c in science)
    filtered = client.get("/desk/monitor?topic=Science").get_data(as_text=True)
    assert all(f'id="candidate-{c.id}"' not in filtered for c in ranked)

    # A checker confirms; the editor who approves makes it public; readers see it.
    api = client.get(f"/api/v1/claims/{published_check.id}/appearances", headers=token_for(checker, "c")).get_json()
    assert [a["state"] for a in api["items"]] == ["pending"] and api["items"][0]["said_by"]
    assert client.post(f"/api/v1/claims/{published_check.id}/appearances/{appearance.id}", json={"state": "public"},
                       headers=token_for(checker, "c2")).status_code == 409  # pending cannot become public
    response = post_form(client, f"/desk/claims/{published_check.id}/appearances/{appearance.id}",
                         {"state": "confirmed"})
    assert response.status_code == 302
    assert "Also said by" not in app.test_client().get(public_url).get_data(as_text=True)  # not before an editor
    response = client.post(f"/api/v1/claims/{published_check.id}/appearances/{appearance.id}",
                           json={"state": "public"}, headers=token_for(editor2))
    assert response.status_code == 200, response.get_data(as_text=True)
    reader_page = app.test_client().get(public_url).get_data(as_text=True)
    said_by = db.session.get(Appearance, appearance.id).said_by
    assert "Also said by" in reader_page and said_by in reader_page
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', reader_page, re.S).group(1)
    review = json.loads(block)
    urls = [a["url"] for a in review["itemReviewed"]["appearance"]]
    assert urls == ["https://science.example/hazel-hen", appearance.url]


def test_failing_sources_are_retried_then_failed_with_the_reason_and_the_pass_goes_on(app, site, editor, run_jobs):
    from factdesk.monitor.sources import add_source

    good = add_source(f"{site.base}/sitemap.xml", "sitemap", editor, name="Good")
    bad = {name: add_source(f"{site.base}/{name}.xml", "feed", editor, name=name)
           for name in ("slow", "broken", "bomb", "garbled")}
    blocked = add_source(f"{site.base}/private/feed.xml", "feed", editor, name="blocked")
    enqueue("monitor.pass")
    db.session.commit()
    run_jobs()
    db.session.rollback()
    assert _count(MonitorItem) == len(SITEMAP_PAGES)  # the good source was read whatever the others did
    reasons = {"slow": "longer than 2 seconds", "broken": "answered 500", "bomb": "once decompressed",
               "garbled": "Not a readable feed", "blocked": "robots.txt"}
    sources = {**bad, "blocked": blocked}
    for name, source in sources.items():
        row = db.session.get(MonitorSource, source.id)
        assert reasons[name] in (row.last_error or ""), (name, row.last_error)
    jobs = {j.payload["source_id"]: j
            for j in db.session.execute(select(Job).where(Job.name == "monitor.source")).scalars()}
    assert jobs[good.id].state == JobState.done
    for name, source in sources.items():
        job = jobs[source.id]
        assert job.state == JobState.waiting and job.attempts == 1 and reasons[name] in job.last_error  # retried later
    run_jobs(now=utcnow() + timedelta(days=1))
    db.session.rollback()
    for name, source in sources.items():
        job = db.session.get(Job, jobs[source.id].id)
        assert job.state == JobState.failed and job.attempts == 3 and reasons[name] in job.last_error


def test_sources_and_candidates_on_the_api_follow_the_roles(app, client, checker, editor):
    body = {"url": "https://news.example/feed.xml", "kind": "feed", "name": "News", "topic": "Politics"}
    assert client.post("/api/v1/monitor/sources", json=body, headers=token_for(checker)).status_code == 403
    made = client.post("/api/v1/monitor/sources", json=body, headers=token_for(editor))
    assert made.status_code == 201 and made.get_json()["topic"] == "Politics" and made.get_json()["last_error"] is None
    again = client.post("/api/v1/monitor/sources", json=body, headers=token_for(editor, "again"))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "duplicate_source"
    bad = client.post("/api/v1/monitor/sources", json={"url": "javascript:alert(1)", "kind": "feed"},
                      headers=token_for(editor, "bad"))
    assert bad.status_code == 422 and "url" in bad.get_json()["error"]["fields"]
    listing = client.get("/api/v1/monitor/sources", headers=token_for(checker, "list")).get_json()
    assert [s["url"] for s in listing["items"]] == [body["url"]] and listing["total"] == 1
    candidates = client.get("/api/v1/monitor/candidates?since=2026-01-01", headers=token_for(checker, "c")).get_json()
    assert candidates == {"items": [], "page": 1, "per_page": 50, "total": 0}
    assert client.get("/api/v1/monitor/candidates?since=yesterday",
                      headers=token_for(checker, "d")).status_code == 422


def test_the_sources_form_comes_back_with_what_was_typed(app, client, editor, checker):
    login(client, editor)
    response = post_form(client, "/desk/monitor/sources", {"url": "not a url", "kind": "feed", "name": "Typed name",
                                                           "topic": "Typed topic"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="not a url"' in page and 'value="Typed name"' in page and 'value="Typed topic"' in page
    assert "is not an http or https link" in page
    other = app.test_client()
    login(other, checker)
    assert post_form(other, "/desk/monitor/sources", {"url": "https://x.example/feed",
                                                      "kind": "feed"}).status_code == 403
    assert other.get("/desk/monitor/sources").status_code == 200


def test_monitor_run_reads_every_source_now_and_a_candidate_becomes_a_claim_in_one_click(app, client, runner, site,
                                                                                          checker, editor):
    from factdesk.models import Claim
    from factdesk.monitor.sources import add_source

    add_source(f"{site.base}/feed.xml", "feed", editor, name="Local News")
    add_source(f"{site.base}/broken.xml", "feed", editor, name="Broken")
    db.session.commit()
    result = runner.invoke(args=["monitor", "run"])
    assert result.exit_code == 0, result.output
    assert f"{len(FEED_PAGES)} new item(s), 0 seen before" in result.output
    assert "failed: The page answered 500" in result.output
    assert "2 source(s) read, 3 new item(s), 1 source(s) failed." in result.output
    again = runner.invoke(args=["monitor", "run"])
    assert "unchanged (304)" in again.output and "0 new item(s)" in again.output

    db.session.rollback()
    candidate = db.session.execute(select(Candidate).order_by(Candidate.score.desc(),
                                                              Candidate.id.desc())).scalars().first()
    assert candidate is not None and candidate.article.monitored
    login(client, checker)
    assert f"/desk/articles/{candidate.article_id}" not in client.get("/desk/articles").get_data(as_text=True)
    response = post_form(client, f"/desk/monitor/candidates/{candidate.id}/claim")
    assert response.status_code == 302
    db.session.rollback()
    claim = db.session.execute(select(Claim).where(Claim.article_id == candidate.article_id)).scalar_one()
    assert response.headers["Location"].endswith(f"/desk/claims/{claim.id}")
    assert claim.quote == candidate.sentence and claim.status.value == "new"
    assert db.session.get(Candidate, candidate.id).claim_id == claim.id
    assert not db.session.get(Article, candidate.article_id).monitored  # the article joined the desk
    assert f"/desk/articles/{candidate.article_id}" in client.get("/desk/articles").get_data(as_text=True)
    twice = post_form(client, f"/desk/monitor/candidates/{candidate.id}/claim", follow_redirects=True)
    assert f"That sentence is claim {claim.id} already." in twice.get_data(as_text=True)
