"""In real headless Chromium: a checker researches and submits, an editor sends back, the checker fixes it,
a second editor approves and publishes — all through the claim page, as people would."""
from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from factdesk.extensions import db
from factdesk.models import Claim, ClaimHistory, Publication, Status

from tests.conftest import browser_login
from tests.support.factories import SeedClaimFactory

pytestmark = pytest.mark.browser


def _person(browser: Browser, base: str, user) -> Page:
    return browser_login(browser, base, user)


def _status(page: Page, label: str) -> None:
    expect(page.locator(".claim-badges .status")).to_have_text(label)


def test_checker_researches_editor_sends_back_checker_fixes_second_editor_publishes(
        browser: Browser, live_server, seed_article, checker, editor, editor2):
    claim = SeedClaimFactory(article=seed_article, by=checker)
    url = f"/desk/claims/{claim.id}"

    # The checker takes the claim, rates it, writes a rationale, adds evidence and submits it.
    casey = _person(browser, live_server, checker)
    casey.goto(url)
    _status(casey, "new")
    casey.get_by_role("button", name="Start research").click()
    _status(casey, "researching")
    expect(casey.locator(".assignee-name")).to_have_text(checker.name)
    casey.select_option("#rating", "false")
    casey.fill("#rationale", "Customs data show **fewer** containers.")
    expect(casey.locator("#rationale-preview strong")).to_have_text("fewer")  # the live preview, as typed
    expect(casey.locator(".rationale-preview .label")).to_have_text("Preview of what you typed")
    casey.get_by_role("button", name="Save changes").click()
    expect(casey.locator(".flash-success")).to_contain_text("Claim saved")
    casey.fill("#evidence-url", "https://stats.example/customs-2024")
    casey.fill("#evidence-title", "Customs statistics 2024")
    casey.select_option("#evidence-stance", "refutes")
    casey.select_option("#evidence-source_type", "official")
    casey.get_by_role("button", name="Add evidence").click()
    expect(casey.locator("#evidence .evidence-list")).to_contain_text("Customs statistics 2024")
    casey.get_by_role("button", name="Submit for review").click()
    _status(casey, "in review")
    expect(casey.locator("#rationale")).to_contain_text("fewer")  # locked under review, shown rendered

    # An editor sends it back with a comment.
    eddie = _person(browser, live_server, editor)
    eddie.goto(url)
    eddie.get_by_role("button", name="Send back").click()          # without a comment: refused, nothing moves
    expect(eddie.locator("#move-changes_requested-error")).to_contain_text("needs a comment")
    _status(eddie, "in review")
    eddie.fill("#move-changes_requested-comment", "Name the customs office and the exact count.")
    eddie.get_by_role("button", name="Send back").click()
    _status(eddie, "changes requested")
    expect(eddie.locator("#history")).to_contain_text("Name the customs office and the exact count.")

    # The checker sees the notification, fixes the rationale and resubmits.
    casey.goto("/desk/notifications")
    expect(casey.locator(".nav .count-badge.unread")).to_have_text("1")
    expect(casey.locator(".notification.unread")).to_contain_text("sent claim")
    casey.get_by_role("button", name="Open and mark read").click()
    expect(casey).to_have_url(f"{live_server}{url}")
    casey.fill("#rationale", "The customs office counted **6,700** containers, fewer than claimed.")
    casey.get_by_role("button", name="Save changes").click()
    expect(casey.locator(".flash-success")).to_contain_text("Claim saved")
    casey.get_by_role("button", name="Resubmit for review").click()
    _status(casey, "in review")

    # A second editor approves and publishes.
    second = _person(browser, live_server, editor2)
    second.goto(url)
    second.get_by_role("button", name="Approve").click()
    _status(second, "approved")
    second.get_by_role("button", name="Publish").click()
    _status(second, "published")
    expect(second.locator(".flash-success")).to_contain_text("is now published")

    db.session.expire_all()
    stored = db.session.get(Claim, claim.id)
    assert stored.status == Status.published and stored.published_at is not None
    assert "6,700" in stored.rationale
    publication = db.session.query(Publication).filter_by(claim_id=claim.id).one()
    assert publication.published_by_id == editor2.id and publication.rating.label == "false"
    moves = [(h.before, h.after, h.by_id) for h in db.session.query(ClaimHistory)
             .filter_by(claim_id=claim.id, action="transition").order_by(ClaimHistory.id)]
    assert moves == [("new", "researching", checker.id), ("researching", "in_review", checker.id),
                     ("in_review", "changes_requested", editor.id), ("changes_requested", "in_review", checker.id),
                     ("in_review", "approved", editor2.id), ("approved", "published", editor2.id)]
