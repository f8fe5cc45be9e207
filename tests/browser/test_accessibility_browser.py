"""Every page the app serves, as every role, in real Chromium: axe-core (WCAG 2.1 A and AA) finds no
serious or critical violation, and no page is wider than a 320 px screen.

The pages are enumerated from the app's URL map (every GET route outside the API and static files),
so a page added later is walked too; path parameters name real objects: an article with claims in
every state, each of those claims, and the bench's article with overlapping highlights.
axe-core comes from npm (`make axe`, which `make test` runs); it is evaluated in the page through
the DevTools protocol, so the desk's strict CSP stays on.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser

from factdesk.extensions import db
from factdesk.models import Rating

from tests.conftest import browser_login
from tests.support.factories import build_desk

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(os.environ.get("AXE_JS") or ROOT / ".venv" / "axe" / "node_modules" / "axe-core" / "axe.min.js")
ROLES = [None, "checker", "editor", "admin"]
NARROW = 320
OVERLAPPING = 120  # claims on the heavy article, overlapping ones among them
# Path parameters this walk knows how to fill; a route with another one fails below until it is named here.
KNOWN = {"article_id", "claim_id", "evidence_id", "number", "part", "rating_id", "slug", "token"}


@pytest.fixture
def desk(app, client):
    from factdesk.bench.pages import heavy_article

    built = build_desk()
    heavy, _ = heavy_article(OVERLAPPING, db.session.merge(built.users["checker"]))
    db.session.commit()
    built.heavy_id = heavy.id
    return built


def _urls(app, desk) -> list[str]:
    rating_id = db.session.execute(db.select(Rating.id).order_by(Rating.id)).scalars().first()
    urls: list[str] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.rule.startswith(("/api/", "/static/")):
            continue
        unknown = set(rule.arguments) - KNOWN
        assert not unknown, f"{rule.rule}: name a real value for {unknown} in test_accessibility_browser.KNOWN"
        articles = [desk.article_id, desk.heavy_id] if "article_id" in rule.arguments else [None]
        claims = sorted(desk.claims.values()) if "claim_id" in rule.arguments else [None]
        for article_id in articles:
            for claim_id in claims:
                values = {"article_id": article_id, "claim_id": claim_id, "evidence_id": desk.evidence_id,
                          "number": 1, "part": 1, "rating_id": rating_id, "slug": "x",
                          "token": "a-link-that-has-expired"}  # the page a person meets with an old link
                urls.append(re.sub(r"<(?:\w+:)?(\w+)>", lambda m, values=values: str(values[m.group(1)]), rule.rule))
    return urls


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_every_page_passes_axe_and_fits_a_320px_screen(browser: Browser, live_server, app, desk, role):
    assert AXE.is_file(), f"{AXE} is missing: `make axe` installs axe-core from npm"
    axe = AXE.read_text(encoding="utf-8")
    viewport = {"width": 1280, "height": 900}
    if role is None:
        page = browser.new_context(base_url=live_server, viewport=viewport).new_page()
    else:
        page = browser_login(browser, live_server, desk.users[role], viewport=viewport)
    seen: set[tuple[str, int]] = set()
    problems: list[str] = []
    walked = 0
    for url in _urls(app, desk):
        if "text/html" not in (page.request.get(url).headers.get("content-type") or ""):
            continue  # an export, a feed, a health answer: not a page
        response = page.goto(url)
        assert response is not None, url
        landed = urlsplit(page.url).path
        if (landed, response.status) in seen:
            continue  # the same page again: a redirect to the login page, a second 404
        seen.add((landed, response.status))
        walked += 1
        if not page.evaluate("() => typeof axe !== 'undefined'"):
            page.evaluate(axe)
        found = page.evaluate("""async () => {
            const result = await axe.run(document, {runOnly: {type: "tag",
                values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, resultTypes: ["violations"]});
            return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | ")}`);
        }""")
        problems += [f"{role or 'anonymous'} {url} -> {page.url} [{response.status}]: {v}" for v in found]
        page.set_viewport_size({"width": NARROW, "height": 800})
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > NARROW:
            wide = page.evaluate("""(limit) => [...document.querySelectorAll("body *")]
                .filter(e => e.getBoundingClientRect().right > limit + 1).slice(-3)
                .map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
                     + (e.className && e.className.baseVal === undefined
                        ? "." + String(e.className).split(" ").join(".") : ""))""", NARROW)
            problems.append(f"{role or 'anonymous'} {url}: {width} px wide at {NARROW} px ({', '.join(wide)})")
        page.set_viewport_size(viewport)
    assert walked >= (8 if role is None else 15), walked
    if problems and os.environ.get("AXE_REPORT"):
        with open(os.environ["AXE_REPORT"], "a", encoding="utf-8") as report:
            report.write("\n".join(problems) + "\n")
    assert not problems, "\n".join(problems)
