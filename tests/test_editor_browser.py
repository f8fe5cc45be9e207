"""The desk as an editor, in real Chromium: work on a claim without reloads, the send-back banner,
bulk refusals that keep the selection, the phone layout."""
from __future__ import annotations

import os

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from factdesk.articles.revise import revise_article
from factdesk.extensions import db
from factdesk.models import Evidence, Status

from .claimkit import make_claim, move, research, to_state
from .conftest import browser_login

pytestmark = pytest.mark.browser


def _page(browser: Browser, base: str, user, **context) -> Page:
    page = browser_login(browser, base, user, viewport=context.pop("viewport", {"width": 1280, "height": 900}),
                         **context)
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def test_evidence_is_added_and_removed_without_a_reload_and_focus_stays(browser: Browser, live_server, seed_article,
                                                                       checker):
    claim = make_claim(seed_article, checker)
    move(claim, "researching", checker)
    page = _page(browser, live_server, checker)
    page.goto(f"/desk/claims/{claim.id}")
    page.evaluate("() => { window.__sameDocument = true; }")
    page.fill("#evidence-url", "https://stats.example.org/containers")
    page.fill("#evidence-title", "Customs records")
    page.locator("#evidence-submit").click()
    expect(page.locator("#evidence .evidence-list li")).to_have_count(1)
    expect(page.locator("#evidence")).to_contain_text("Customs records")
    expect(page.locator("[role=status]").last).to_contain_text("dded")
    assert page.evaluate("() => window.__sameDocument === true"), "the page was reloaded"
    focused = page.evaluate("() => document.activeElement.closest('#evidence') !== null")
    assert focused, "focus left the evidence section"
    db.session.expire_all()
    evidence = db.session.execute(select(Evidence).where(Evidence.claim_id == claim.id)).scalar_one()
    assert evidence.title == "Customs records"

    page.get_by_role("button", name="Remove evidence Customs records").click()  # the confirmation is accepted
    expect(page.locator("#evidence .evidence-list li")).to_have_count(0)
    expect(page.locator("#evidence")).to_contain_text("No evidence yet.")
    assert page.evaluate("() => window.__sameDocument === true"), "the page was reloaded"
    assert page.evaluate("() => document.activeElement.closest('#evidence') !== null")
    db.session.expire_all()
    assert db.session.execute(select(Evidence).where(Evidence.claim_id == claim.id)).first() is None


def test_a_dismissed_confirmation_removes_nothing(browser: Browser, live_server, seed_article, checker):
    claim = research(make_claim(seed_article, checker), checker)
    page = browser_login(browser, live_server, checker)
    page.on("dialog", lambda dialog: dialog.dismiss())
    page.goto(f"/desk/claims/{claim.id}")
    page.get_by_role("button", name="Remove evidence Shipping data").click()
    expect(page.locator("#evidence .evidence-list li")).to_have_count(1)
    db.session.expire_all()
    assert db.session.execute(select(Evidence).where(Evidence.claim_id == claim.id)).scalar_one()


def test_the_send_back_reason_is_a_banner_for_the_checker_until_resubmitted(browser: Browser, live_server,
                                                                           seed_article, checker, editor):
    claim = to_state(make_claim(seed_article, checker), "in_review", checker, editor)
    page = _page(browser, live_server, editor)
    page.goto(f"/desk/claims/{claim.id}")
    page.fill("#move-changes_requested-comment", "Cite the customs **records**, not the press release.")
    page.locator(".move-changes_requested button").click()
    expect(page.locator(".status").first).to_have_text("changes requested")

    mine = _page(browser, live_server, checker)
    mine.goto(f"/desk/claims/{claim.id}")
    banner = mine.locator("#send-back")
    expect(banner).to_be_visible()
    expect(banner.get_by_role("heading")).to_contain_text(f"Sent back by {editor.name}")
    expect(banner.locator("strong")).to_have_text("records")
    expect(banner).to_contain_text("Cite the customs records, not the press release.")
    # on top: above the wording, the evidence and the history
    assert mine.evaluate("() => document.getElementById('send-back').getBoundingClientRect().top"
                         " < document.getElementById('edit').getBoundingClientRect().top")
    mine.locator(".move-in_review button").click()
    expect(mine.locator(".status").first).to_have_text("in review")
    expect(mine.locator("#send-back")).to_have_count(0)


def test_a_bulk_refusal_keeps_the_refused_claims_selected(browser: Browser, live_server, seed_article, checker, editor):
    new = make_claim(seed_article, checker, 0)
    published = to_state(make_claim(seed_article, checker, 1), "published", checker, editor)
    page = _page(browser, live_server, editor)
    page.goto("/desk")
    page.check(f"#select-{new.id}")
    page.check(f"#select-{published.id}")
    page.select_option("#action", "discard")
    page.fill("#comment", "Not checkable.")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.locator(".flash-warning")).to_contain_text(f"claim {published.id}")
    expect(page.locator(f"#select-{published.id}")).to_be_checked()
    expect(page.locator(f"#select-{new.id}")).not_to_be_checked()
    db.session.expire_all()
    assert db.session.get(type(new), new.id).status == Status.discarded
    assert db.session.get(type(new), published.id).status == Status.published


def test_on_a_375px_phone_text_and_claims_are_tabs_and_the_queue_is_cards(browser: Browser, live_server,
                                                                         seed_article, checker):
    claims = [make_claim(seed_article, checker, n) for n in range(3)]
    page = _page(browser, live_server, checker, viewport={"width": 375, "height": 800})
    page.goto(f"/desk/articles/{seed_article.id}")
    tabs = page.get_by_role("tablist", name="Show")
    expect(tabs).to_be_visible()
    expect(page.locator("#article-text")).to_be_visible()
    expect(page.locator(".claim-column")).to_be_hidden()
    tabs.get_by_role("tab", name="Claims (3)").click()
    expect(page.locator(".claim-column")).to_be_visible()
    expect(page.locator("#article-text")).to_be_hidden()
    expect(tabs.get_by_role("tab", name="Claims (3)")).to_have_attribute("aria-selected", "true")
    # a claim's "in the text" link brings the text back, at its highlight
    page.locator(f"#claim-{claims[0].id} a[href='#hl-{claims[0].id}']").click()
    expect(page.locator("#article-text")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375

    page.goto("/desk")
    row = page.locator(f"tr#claim-{claims[1].id}")
    assert row.evaluate("r => getComputedStyle(r).display") == "flex"  # a card, not a table row
    box = row.bounding_box()
    assert box["width"] <= 375 and box["height"] > 60
    expect(row.locator("td[data-label=Assignee]")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    # on a desktop the same queue is a table again
    page.set_viewport_size({"width": 1280, "height": 900})
    assert row.evaluate("r => getComputedStyle(r).display") == "table-row"


def _screenshot(page: Page, name: str) -> None:
    """A look at the page for a person reviewing it, when FACTDESK_SCREENSHOTS names a folder."""
    folder = os.environ.get("FACTDESK_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_two_revisions_are_compared_paragraph_by_paragraph(browser: Browser, live_server, seed_article, checker):
    text = seed_article.text
    first = text.split("\n\n")[1]
    edited = first.replace(first.split()[2], "REPLACED", 1)
    revise_article(seed_article, text.replace(first, edited) + "\n\nAn added closing paragraph.", checker, "tidied")
    db.session.commit()
    page = _page(browser, live_server, checker)
    page.goto(f"/desk/articles/{seed_article.id}/revisions")
    page.get_by_role("link", name="from revision 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revision 1 → revision 2")
    expect(page.locator(".comparison-summary")).to_contain_text("1 paragraph changed, 1 paragraph added.")
    changed = page.locator(".para-changed")
    expect(changed.locator("ins")).to_have_text("[added: REPLACED]")  # the words in brackets are for screen readers
    expect(page.locator(".para-added")).to_contain_text("An added closing paragraph.")
    folded = page.locator("details.unchanged").first
    expect(folded.locator(".para-text").first).to_be_hidden()
    folded.locator("summary").click()
    expect(folded.locator(".para-text").first).to_be_visible()
    assert page.evaluate("() => getComputedStyle(document.querySelector('.para-text')).whiteSpace") == "pre-wrap"
    _screenshot(page, "compare-desktop")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    _screenshot(page, "compare-phone")
    # any two: the form takes both numbers and keeps them
    page.fill("#compare-from", "2")
    page.fill("#compare-to", "1")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("alert")).to_contain_text("Compare an earlier revision with a later one")
    expect(page.locator("#compare-from")).to_have_value("2")
