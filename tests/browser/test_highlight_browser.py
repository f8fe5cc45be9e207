"""In real headless Chromium: a checker selects words with the mouse in an article holding a
typographic apostrophe and non-BMP characters (emoji), adds a claim from the selection, and the
database holds code-point offsets (Python str indices), not UTF-16 ones (DESIGN.md §4)."""
from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from factdesk.articles.service import create_article
from factdesk.extensions import db
from factdesk.models import Article, Claim

from tests.support.browserkit import select_with_mouse
from tests.conftest import browser_login

pytestmark = pytest.mark.browser

TEXT = ("Pyongyang 🚀 launches again: the DPRK’s count keeps rising 📈.\n\n"
        "South Korea’s defence ministry said 7,000 containers were shipped 📦 by sea, "
        "and the U.S. said “more than 10,000”.\n\n"
        "Officials 🧐 declined to comment.")
QUOTE = "South Korea’s defence ministry said 7,000 containers"


def _login(browser: Browser, base: str, user) -> Page:
    return browser_login(browser, base, user, viewport={"width": 1280, "height": 900})


def test_mouse_selection_after_emoji_and_curly_apostrophe_stores_code_point_offsets(browser: Browser, live_server,
                                                                                    checker):
    article = create_article(text=TEXT, by=checker, title="Containers")
    db.session.commit()
    start = TEXT.index(QUOTE)
    utf16_start = len(TEXT[:start].encode("utf-16-le")) // 2
    assert utf16_start == start + 2  # two emoji before the quote: UTF-16 would be off by two

    page = _login(browser, live_server, checker)
    page.goto(f"/desk/articles/{article.id}")
    form = page.locator("#claim-from-selection")
    expect(form).to_be_hidden()
    select_with_mouse(page, QUOTE)
    expect(form).to_be_visible()
    expect(form.locator("[data-selection-preview]")).to_have_text(QUOTE)
    form.locator("input[name=summary]").fill("South Korea counted 7,000 containers.")
    form.get_by_role("button", name="Add claim").click()
    expect(page.locator(".flash-success")).to_contain_text("added")

    db.session.expire_all()
    claim = db.session.execute(select(Claim).where(Claim.article_id == article.id)).scalar_one()
    assert (claim.anchor_start, claim.anchor_end, claim.quote) == (start, start + len(QUOTE), QUOTE)
    assert claim.summary == "South Korea counted 7,000 containers."
    # the new highlight is on the page, on exactly those words, linked to its panel
    mark = page.locator(f"mark[data-claims='{claim.id}']")
    expect(mark).to_have_text(QUOTE)
    expect(page.locator(f"#claim-{claim.id}")).to_contain_text("South Korea counted 7,000 containers.")


def test_seed_article_shows_its_highlights_and_the_text_intact(browser: Browser, live_server, checker):
    from factdesk.demo import load_demo

    load_demo()
    article = db.session.execute(select(Article).where(Article.title.like("U.S. says North Korea%"))).scalar_one()
    page = _login(browser, live_server, checker)
    page.goto(f"/desk/articles/{article.id}")
    marks = page.locator("#article-text mark.hl")
    expect(marks.first).to_be_visible()
    assert marks.count() >= 4
    # the browser's text of the article is the canonical text, counted in code points as Python does
    rendered = page.evaluate("() => [...document.getElementById('article-text').textContent].length")
    assert rendered == len(article.text)
    # each claim's start is its one keyboard stop, a link to its panel
    starts = page.locator("#article-text > a[id^=hl-]")
    claims = db.session.execute(select(Claim).where(Claim.article_id == article.id)).scalars().all()
    assert starts.count() == len(claims)
    starts.first.focus()
    page.keyboard.press("Enter")
    assert page.url.split("#")[1].startswith("claim-")
    shot = os.environ.get("FACTDESK_SCREENSHOT")
    if shot:  # a look at the page for a person reviewing the styling
        page.goto(f"/desk/articles/{article.id}")
        page.screenshot(path=shot, full_page=True)
        page.screenshot(path=shot.replace(".png", "-top.png"))


OVERLAP = ("The council said rents rose by 40 percent in five years while wages stayed flat, "
           "and the mayor promised 10,000 new homes by 2030.")


def test_an_overlap_clicked_offers_every_claim_there_and_each_can_be_chosen(browser: Browser, live_server, checker):
    from factdesk.articles.anchoring import anchor_at
    from factdesk.claims.highlight import add_claim

    article = create_article(text=OVERLAP, by=checker, title="Rents")
    spans = [OVERLAP.index("rents rose by 40 percent in five years while wages stayed flat"),
             OVERLAP.index("40 percent"), OVERLAP.index("The council said rents rose by 40 percent")]
    quotes = ["rents rose by 40 percent in five years while wages stayed flat", "40 percent",
              "The council said rents rose by 40 percent"]
    claims = [add_claim(article, checker, anchor_at(OVERLAP, s, s + len(q)), summary=f"Summary {n}")
              for n, (s, q) in enumerate(zip(spans, quotes))]
    db.session.commit()
    ids = [str(c.id) for c in claims]
    page = _login(browser, live_server, checker)
    page.goto(f"/desk/articles/{article.id}")
    overlap = page.locator("#article-text mark", has_text="40 percent")
    assert sorted(overlap.get_attribute("data-claims").split()) == sorted(ids)
    for claim_id in ids:
        overlap.click()
        chooser = page.get_by_role("dialog", name="Claims on these words")
        expect(chooser).to_be_visible()
        expect(chooser.get_by_role("button")).to_have_count(3)
        expect(chooser.get_by_role("button").first).to_be_focused()
        chooser.locator(f"button[data-claim='{claim_id}']").click()
        expect(chooser).to_have_count(0)
        assert page.url.endswith(f"#claim-{claim_id}")
        expect(page.locator(f"#claim-{claim_id} a").first).to_be_focused()
    # the keyboard way: Escape closes the menu and puts focus on the topmost claim's start
    overlap.click()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("dialog").get_by_role("button").nth(1)).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    top = overlap.get_attribute("data-claims").split()[0]
    expect(page.locator(f"#hl-{top}")).to_be_focused()
    # words under one claim only go straight to it
    page.locator("#article-text mark", has_text="in five years").click()
    assert page.url.endswith(f"#claim-{claims[0].id}")


@pytest.fixture
def app_settings():
    return {"FACTDESK_ALLOW_PRIVATE_FETCH": True}  # the page server below lives on 127.0.0.1


def test_url_import_in_the_browser_shows_progress_then_opens_the_article(browser: Browser, live_server, checker):
    import threading
    from http.server import ThreadingHTTPServer

    from tests.articles.test_articles_import import PAGES, Pages, _name

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/news/{_name(PAGES[0])}"
        page = _login(browser, live_server, checker)
        page.goto("/desk/articles")
        page.fill("#url-url", url)
        page.locator("#import-url").get_by_role("button", name="Import").click()
        expect(page.locator(".import-progress")).to_contain_text("Extracting the article", timeout=15000)
        expect(page.locator(".import-progress")).to_contain_text("Saved as article")
        page.wait_for_url(re.compile(r"/desk/articles/\d+$"), timeout=15000)  # the progress page moves on by itself
        article = db.session.execute(select(Article)).scalar_one()
        assert page.url.endswith(f"/desk/articles/{article.id}")
        expect(page.locator("h1")).to_have_text(article.title)
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_claim_made_with_the_keyboard_alone(browser: Browser, live_server, checker):
    text = "The minister said exports rose by 12 percent in 2024. Critics disagreed. Nobody checked."
    article = create_article(text=text, by=checker, title="Exports")
    db.session.commit()
    page = _login(browser, live_server, checker)
    page.goto(f"/desk/articles/{article.id}")
    for _ in range(80):  # Tab through the page to the text, as a keyboard user does
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "article-text":
            break
    else:
        raise AssertionError("Tab never reached the article text")
    page.keyboard.press("s")  # select mode: the first word is selected
    status = page.locator("[data-select-status]")
    expect(status).to_contain_text("Select mode")
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # "minister", "said", "exports"
    for _ in range(5):
        page.keyboard.press("Shift+ArrowRight")  # … "rose by 12 percent in"
    page.keyboard.press("Shift+ArrowRight")
    expect(status).to_have_text("Selected: exports rose by 12 percent in 2024.")
    form = page.locator("#claim-from-selection")
    expect(form).to_be_visible()
    expect(form.locator("[data-selection-preview]")).to_have_text("exports rose by 12 percent in 2024.")
    page.keyboard.press("Enter")  # to the form's button
    expect(form.get_by_role("button", name="Add claim")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text("added")
    db.session.expire_all()
    claim = db.session.execute(select(Claim).where(Claim.article_id == article.id)).scalar_one()
    start = text.index("exports rose")
    assert (claim.anchor_start, claim.anchor_end, claim.quote) == (start, start + 35,
                                                                   "exports rose by 12 percent in 2024.")
    # Up and Down take whole sentences
    page.locator("#article-text").focus()
    page.keyboard.press("s")
    page.keyboard.press("ArrowDown")
    expect(status).to_contain_text("Selected: Critics disagreed.")
