"""Readers' pages in a real headless Chromium on a phone-sized screen."""
from __future__ import annotations

import pytest

from tests.support.addresses import path_of
from tests.support.factories import ArticleFactory, ClaimFactory, to_state

PHONE = {"width": 390, "height": 844}
TEXT = ("The harbour authority said cargo volumes rose by 12 percent in the spring quarter, a record for the port.\n\n"
        "Officials also claimed the new crane fleet cut waiting times by half.")



@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE}


@pytest.fixture
def published(app, checker, editor):
    story = ArticleFactory(by=checker, title="Portmerrow harbour: a record spring?", text=TEXT,
                           source_url="https://news.example/harbour")
    cargo = to_state(ClaimFactory(article=story, by=checker,
                                  quote="cargo volumes rose by 12 percent in the spring quarter",
                                  summary="Cargo volumes at Portmerrow harbour rose 12% in the spring quarter of 2026.",
                                  claimant="Portmerrow Harbour Authority"), "published", checker, editor,
                     rating="mostly-false", rationale="Tonnage registers show a **3 percent** rise.", tags=["shipping"])
    return cargo


def _watch(page) -> list[str]:
    problems: list[str] = []
    # Failed loads are caught below with their URL (the browser's own /favicon.ico probe is not ours).
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    return problems


def _fits_the_screen(page) -> None:
    width, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner


def test_check_page_on_a_phone_reads_whole_with_its_claim_review(app, live_server, page, published):
    problems = _watch(page)
    page.goto(live_server + path_of(app, published))
    _fits_the_screen(page)
    assert page.locator("h1").inner_text() == published.summary
    assert page.locator(".verdict .rating").inner_text() == "Mostly false"
    review = page.evaluate(
        "() => JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)")
    assert review["@type"] == "ClaimReview" and review["reviewRating"]["ratingValue"] == 2
    assert page.locator("meta[property='og:title']").get_attribute("content").startswith("Mostly false: Cargo")
    assert problems == []


def test_reader_searches_from_the_home_page_with_the_keyboard(app, live_server, page, published):
    problems = _watch(page)
    page.goto(live_server + "/")
    _fits_the_screen(page)
    page.get_by_label("Search the checks").fill("tonnage")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=tonnage**")
    _fits_the_screen(page)
    assert page.locator(".snippet mark").first.inner_text().lower() == "tonnage"
    page.get_by_role("link", name=published.summary).click()
    page.wait_for_url("**" + path_of(app, published))
    assert problems == []
