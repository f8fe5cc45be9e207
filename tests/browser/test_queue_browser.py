"""In real headless Chromium: an editor filters the queue with the form, selects a page of claims and
changes their priority in bulk; a checker's queue has no bulk controls."""
from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from factdesk.demo.generate import fill_desk
from factdesk.extensions import db
from factdesk.models import Claim, ClaimHistory, Priority, Status

from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def _person(browser: Browser, base: str, user) -> Page:
    return browser_login(browser, base, user)


def test_editor_filters_selects_all_and_sets_priority_in_bulk(browser: Browser, live_server, editor, checker):
    fill_desk(claims=80, articles=8)
    new_ids = set(db.session.execute(select(Claim.id).where(Claim.status == Status.new)).scalars())
    to_change = set(db.session.execute(select(Claim.id).where(
        Claim.status == Status.new, Claim.priority != int(Priority.urgent))).scalars())
    page = _person(browser, live_server, editor)
    page.goto("/desk")
    page.select_option("#f-status", ["new"])
    page.select_option("#f-sort", "age")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(f"{live_server}/desk?status=new&assignee=&priority=&article=&tag=&q=&sort=age")
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(len(new_ids))
    page.get_by_label("Select all claims on this page").check()
    page.select_option("#action", "priority")
    page.select_option("#priority", "urgent")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.locator(".flash-success")).to_contain_text(f"{len(new_ids)} claims reprioritised")
    expect(page.locator("table.queue .priority-urgent")).to_have_count(len(new_ids))  # back on the filtered queue
    db.session.expire_all()
    assert set(db.session.execute(select(Claim.id).where(Claim.priority == int(Priority.urgent),
                                                         Claim.status == Status.new)).scalars()) == new_ids
    # One history entry per claim that changed (those already urgent change nothing and write nothing).
    entries = db.session.execute(select(ClaimHistory).where(
        ClaimHistory.action == "edit", ClaimHistory.field == "priority", ClaimHistory.by_id == editor.id)).scalars()
    recorded = {e.claim_id for e in entries if e.after == "urgent"}
    assert recorded == to_change and to_change

    casey = _person(browser, live_server, checker)
    casey.goto("/desk")
    expect(casey.locator("table.queue tbody tr").first).to_be_visible()
    expect(casey.locator('input[name="ids"]')).to_have_count(0)
    expect(casey.get_by_role("button", name="Apply to selected")).to_have_count(0)
