"""The admin's pages in real Chromium: a new API token shown once after a redirect, destructive buttons
that ask first (revoke a token, delete a rating)."""
from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import func, select

from factdesk.extensions import db
from factdesk.models import ApiToken, Rating
from factdesk.ratings import rating_by_label

from tests.support.browserkit import screenshot
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def test_a_new_token_is_shown_once_and_a_refresh_neither_posts_nor_shows_it(browser: Browser, live_server, admin,
                                                                           checker):
    page = browser_login(browser, live_server, admin)
    page.goto("/admin/tokens")
    page.fill("#name", "newsroom CMS")
    page.get_by_role("button", name="Create token").click()
    shown = page.locator("#new-token")
    expect(shown).to_contain_text("shown only once")
    expect(shown).to_contain_text(f"It is “newsroom CMS”, for {admin.name}.")
    raw = shown.locator("code.token").inner_text()
    screenshot(page, "token-shown-once")
    assert raw.startswith("fd_") and page.url.endswith("/admin/tokens#new-token")
    page.reload()  # a GET after the redirect: no resubmission, and the token is gone from the page
    expect(page.locator("#new-token")).to_have_count(0)
    assert raw not in page.content()
    assert db.session.execute(select(func.count(ApiToken.id))).scalar_one() == 1


def test_revoking_a_token_asks_first_and_escape_takes_the_question_back(browser: Browser, live_server, admin, checker):
    from factdesk.accounts.tokens import issue_token

    token, _ = issue_token(checker, "newsroom CMS")
    db.session.commit()
    page = browser_login(browser, live_server, admin)
    page.goto("/admin/tokens")
    ask = page.locator("details.confirm summary", has_text="Revoke")
    ask.click()
    yes = page.get_by_role("button", name="Yes, revoke it")
    expect(yes).to_be_focused()
    expect(page.locator(".confirm-box")).to_contain_text("Revoke “newsroom CMS” of Checker Person?")
    screenshot(page, "token-revoke-asks", full_page=False)
    page.keyboard.press("Escape")
    expect(yes).to_be_hidden()
    expect(ask).to_be_focused()
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is None  # asking revoked nothing
    page.keyboard.press("Enter")  # the keyboard opens it again
    expect(yes).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text("is revoked")
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is not None


def test_deleting_a_rating_asks_first(browser: Browser, live_server, admin):
    unused_id = rating_by_label("unproven").id  # no claim uses it on a new desk
    page = browser_login(browser, live_server, admin)
    page.goto("/admin/ratings")
    row = page.locator(f"#rating-{unused_id}")
    row.locator("details.confirm summary").click()
    expect(row.locator(".confirm-box")).to_contain_text("Delete “Unproven” from the scale? No claim uses it")
    row.get_by_role("button", name="Yes, delete it").click()
    expect(page.locator(".flash-success")).to_contain_text("Unproven is deleted from the scale.")
    db.session.expunge_all()
    assert db.session.get(Rating, unused_id) is None
