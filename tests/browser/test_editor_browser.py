"""The desk as an editor, in real Chromium: work on a claim without reloads, the send-back banner,
bulk refusals that keep the selection, the phone layout."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from factdesk.articles.revise import revise_article
from factdesk.extensions import db
from factdesk.models import Claim, Evidence, Status

from tests.conftest import browser_login
from tests.support.browserkit import screenshot, select_with_mouse
from tests.support.factories import SeedClaimFactory, move, research, to_state

pytestmark = pytest.mark.browser


def _page(browser: Browser, base: str, user, **context) -> Page:
    return browser_login(browser, base, user, viewport=context.pop("viewport", {"width": 1280, "height": 900}),
                         **context)


def test_evidence_is_added_and_removed_without_a_reload_and_focus_stays(browser: Browser, live_server, seed_article,
                                                                       checker):
    claim = SeedClaimFactory(article=seed_article, by=checker)
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

    page.locator("#evidence details.confirm summary", has_text="Remove").click()  # it asks first, in the page
    expect(page.locator("#evidence .confirm-box")).to_contain_text("Remove the evidence “Customs records”")
    page.get_by_role("button", name="Yes, remove it").click()
    expect(page.locator("#evidence .evidence-list li")).to_have_count(0)
    expect(page.locator("#evidence")).to_contain_text("No evidence yet.")
    assert page.evaluate("() => window.__sameDocument === true"), "the page was reloaded"
    assert page.evaluate("() => document.activeElement.closest('#evidence') !== null")
    db.session.expire_all()
    assert db.session.execute(select(Evidence).where(Evidence.claim_id == claim.id)).first() is None


def test_a_question_taken_back_removes_nothing(browser: Browser, live_server, seed_article, checker):
    claim = research(SeedClaimFactory(article=seed_article, by=checker), checker)
    page = browser_login(browser, live_server, checker)
    page.goto(f"/desk/claims/{claim.id}")
    ask = page.locator("#evidence details.confirm summary")
    ask.click()
    expect(page.get_by_role("button", name="Yes, remove it")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Yes, remove it")).to_be_hidden()
    expect(ask).to_be_focused()
    expect(page.locator("#evidence .evidence-list li")).to_have_count(1)
    db.session.expire_all()
    assert db.session.execute(select(Evidence).where(Evidence.claim_id == claim.id)).scalar_one()


def test_the_send_back_reason_is_a_banner_for_the_checker_until_resubmitted(browser: Browser, live_server,
                                                                           seed_article, checker, editor):
    claim = to_state(SeedClaimFactory(article=seed_article, by=checker), "in_review", checker, editor)
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
    new = SeedClaimFactory(article=seed_article, by=checker, n=0)
    published = to_state(SeedClaimFactory(article=seed_article, by=checker, n=1), "published", checker, editor)
    page = _page(browser, live_server, editor)
    page.goto("/desk")
    _same_document(page)
    discarded_tab = page.locator("#queue-tabs").get_by_role("link", name=re.compile("^Discarded"))
    discarded_before = discarded_tab.inner_text()
    page.check(f"#select-{new.id}")
    page.check(f"#select-{published.id}")
    page.select_option("#action", "discard")
    page.fill("#comment", "Not checkable.")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.locator(".flash-warning")).to_contain_text(f"claim {published.id}")
    expect(page.locator(f"#select-{published.id}")).to_be_checked()
    expect(page.locator(f"#select-{new.id}")).not_to_be_checked()
    expect(page.locator(f"tr#claim-{new.id} .status")).to_have_text("Discarded")  # the table, in place
    expect(discarded_tab).not_to_have_text(discarded_before)
    expect(page.locator("#bulk-apply")).to_be_focused()
    expect(page.locator("#select-all")).to_be_visible()
    assert page.evaluate("() => document.getElementById('select-all').indeterminate")
    assert _not_reloaded(page), "the page was reloaded"
    db.session.expire_all()
    assert db.session.get(type(new), new.id).status == Status.discarded
    assert db.session.get(type(new), published.id).status == Status.published


def test_on_a_375px_phone_text_and_claims_are_tabs_and_the_queue_is_cards(browser: Browser, live_server,
                                                                         seed_article, checker):
    claims = [SeedClaimFactory(article=seed_article, by=checker, n=n) for n in range(3)]
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
    screenshot(page, "compare-desktop")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    screenshot(page, "compare-phone")
    # any two: the form takes both numbers and keeps them
    page.fill("#compare-from", "2")
    page.fill("#compare-to", "1")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("alert")).to_contain_text("Compare an earlier revision with a later one")
    expect(page.locator("#compare-from")).to_have_value("2")


def _same_document(page: Page) -> None:
    page.evaluate("() => { window.__sameDocument = true; }")


def _not_reloaded(page: Page) -> bool:
    return page.evaluate("() => window.__sameDocument === true")


def test_a_claim_added_from_a_selection_appears_in_place_with_focus_on_it(browser: Browser, live_server,
                                                                          seed_article, checker):
    quote = "In 2022 alone, they have conducted 69 launches"
    page = _page(browser, live_server, checker)
    page.goto(f"/desk/articles/{seed_article.id}")
    _same_document(page)
    page.locator("#article-text").evaluate(
        "(t, q) => { const i = t.textContent.indexOf(q);"
        " window.scrollTo(0, t.offsetTop + t.offsetHeight * i / t.textContent.length - 300); }", quote)
    select_with_mouse(page, quote)
    form = page.locator("#claim-from-selection")
    expect(form).to_be_visible()
    form.locator("input[name=summary]").fill("The DPRK launched 69 missiles in 2022.")
    scrolled = page.evaluate("() => window.scrollY")
    assert scrolled > 300
    form.get_by_role("button", name="Add claim").click()
    expect(page.locator(".flash-success")).to_contain_text("added")
    db.session.expire_all()
    claim = db.session.execute(select(Claim).where(Claim.article_id == seed_article.id)).scalar_one()
    assert claim.quote == quote and claim.summary == "The DPRK launched 69 missiles in 2022."
    expect(page.locator(f"mark[data-claims='{claim.id}']")).to_have_text(quote)
    expect(page.locator(f"#claim-{claim.id}")).to_contain_text("The DPRK launched 69 missiles in 2022.")
    expect(page.locator(f"#claim-{claim.id} a").first).to_be_focused()  # the new claim, not the top of the page
    expect(page.locator("#article-meta")).to_contain_text("Claims1")
    expect(form).to_be_hidden()
    assert _not_reloaded(page), "the page was reloaded"
    assert page.evaluate("() => document.getElementById('article-text').matches('[data-article-id]')")
    # the text's own behaviour survives the update: a click on the new highlight goes to its claim
    page.locator(f"mark[data-claims='{claim.id}']").click()
    assert page.url.endswith(f"#claim-{claim.id}")


def test_a_refused_and_an_ambiguous_quote_answer_in_place(browser: Browser, live_server, seed_article, checker):
    SeedClaimFactory(article=seed_article, by=checker, n=3)  # "In 2022 alone, they have conducted 69 launches"
    page = _page(browser, live_server, checker)
    page.goto(f"/desk/articles/{seed_article.id}")
    _same_document(page)
    page.get_by_text("Add a claim by typing its quote").click()
    by_quote = page.locator("#claim-by-quote")
    by_quote.locator("textarea[name=quote]").fill("In 2022 alone, they have conducted 69 launches")
    by_quote.locator("textarea[name=summary]").fill("Typed wording kept")
    by_quote.get_by_role("button", name="Add claim").click()
    alert = page.locator("#article-notices [role=alert]")
    expect(alert).to_contain_text("already highlighted as claim")
    expect(alert).to_be_focused()
    expect(page.locator("#claim-by-quote textarea[name=summary]")).to_have_value("Typed wording kept")

    page.locator("#claim-by-quote textarea[name=quote]").fill("North Korea")
    page.locator("#claim-by-quote textarea[name=summary]").fill("Second time it occurs")
    page.locator("#claim-by-quote").get_by_role("button", name="Add claim").click()
    expect(page.locator("#pick")).to_be_visible()
    page.locator("#pick").get_by_role("button", name="The second time it occurs").click()
    expect(page.locator(".flash-success")).to_contain_text("added")
    expect(page.locator("#pick")).to_have_count(0)
    db.session.expire_all()
    added = db.session.execute(select(Claim).where(Claim.summary == "Second time it occurs")).scalar_one()
    second = [i for i in range(len(seed_article.text)) if seed_article.text.startswith("North Korea", i)][1]
    assert added.anchor_start == second
    expect(page.locator(f"#claim-{added.id} a").first).to_be_focused()
    assert _not_reloaded(page), "the page was reloaded"


def test_a_fuzzy_reanchor_is_confirmed_in_place(browser: Browser, live_server, seed_article, checker):
    claim = SeedClaimFactory(article=seed_article, by=checker, n=1)
    old = claim.quote
    reworded = old.replace("the South Korean", "South Korea's")
    revise_article(seed_article, seed_article.text.replace(old, reworded), checker)
    db.session.commit()
    page = _page(browser, live_server, checker)
    page.goto(f"/desk/articles/{seed_article.id}")
    _same_document(page)
    expect(page.locator("#fuzzy")).to_contain_text(old)
    page.locator(f"#fuzzy #claim-{claim.id}").get_by_role("button", name="Confirm new wording").click()
    expect(page.locator(".flash-success")).to_contain_text(f"Claim {claim.id} now quotes")
    expect(page.locator("#fuzzy")).to_have_count(0)
    expect(page.locator(f"#claim-{claim.id} a").first).to_be_focused()
    assert _not_reloaded(page), "the page was reloaded"
    db.session.expire_all()
    assert db.session.get(Claim, claim.id).anchor_state.value == "anchored"


def test_a_stale_revision_comes_back_with_the_diff_and_the_paragraphs(browser: Browser, live_server, seed_article,
                                                                      checker, editor):
    page = _page(browser, live_server, checker)
    page.goto(f"/desk/articles/{seed_article.id}/revise")
    first = seed_article.text.split("\n\n")[2]
    revised = seed_article.text.replace(first, first + " Added by the editor.")
    revise_article(seed_article, revised, editor, "editor's fix")
    db.session.commit()
    mine = page.locator("#text").input_value() + "\n\nMy closing paragraph."
    page.fill("#text", mine)
    page.get_by_role("button", name="Save revision").click()
    expect(page.get_by_role("alert")).to_contain_text("The article was revised meanwhile")
    meanwhile = page.locator("section[aria-labelledby=meanwhile-title]")
    expect(meanwhile.get_by_role("heading")).to_have_text("What changed meanwhile: revision 1 → 2")
    expect(meanwhile.locator(".para-changed ins")).to_have_text("[added: Added by the editor.]")
    expect(meanwhile).to_contain_text("Revision 2 by Editor Person")
    page.get_by_text("Your text compared with the current one").click()
    expect(page.locator(".para-added").last).to_contain_text("My closing paragraph.")
    page.get_by_text("The current text (revision 2)").click()
    current = page.locator(".current-text")
    assert current.evaluate("e => getComputedStyle(e).whiteSpace") == "pre-wrap"
    assert current.evaluate("e => e.getClientRects().length && e.innerText.includes('\\n\\n')")  # paragraphs kept
    expect(page.locator("#text")).to_have_value(mine)  # what was typed stays in the form
    screenshot(page, "revise-stale")
    assert db.session.get(type(seed_article), seed_article.id).revision == 2


def test_wording_is_saved_and_the_claim_moved_without_a_reload(browser: Browser, live_server, seed_article, checker):
    claim = SeedClaimFactory(article=seed_article, by=checker)
    page = _page(browser, live_server, checker)
    page.goto(f"/desk/claims/{claim.id}")
    _same_document(page)
    page.get_by_role("button", name="Assign to me").click()
    expect(page.locator(".assignee-name")).to_have_text(checker.name)
    page.locator(".move-researching button").click()
    expect(page.locator("#claim-now .status")).to_have_text("researching")
    expect(page.locator("#claim-now")).to_be_focused()  # where the move shows, not the top of the page
    page.fill("#summary", "North Korea sent over 10,000 containers of weapons.")
    page.evaluate("() => window.scrollTo(0, document.getElementById('save').getBoundingClientRect().top"
                  " + window.scrollY - 500)")  # the button well inside the screen: the click need not scroll
    on_screen = "() => document.getElementById('save').getBoundingClientRect().top"
    y = page.evaluate(on_screen)
    page.locator("#save").click()
    expect(page.locator(".flash-success")).to_contain_text("Claim saved.")  # not the move's message, still shown
    expect(page.locator("#save")).to_be_focused()
    assert abs(page.evaluate(on_screen) - y) < 2, "the button moved on the screen: the page scrolled away"
    assert _not_reloaded(page), "the page was reloaded"
    db.session.expire_all()
    saved = db.session.get(Claim, claim.id)
    assert saved.summary == "North Korea sent over 10,000 containers of weapons."
    assert saved.status == Status.researching and saved.assignee_id == checker.id


def test_mentions_are_offered_while_typing_and_an_unknown_name_is_told(browser: Browser, live_server, seed_article,
                                                                       checker, editor):
    claim = SeedClaimFactory(article=seed_article, by=checker)
    page = _page(browser, live_server, checker)
    page.goto(f"/desk/claims/{claim.id}")
    _same_document(page)
    body = page.locator("#comment-body")
    body.click()
    page.keyboard.type("Can you check this, @edi")
    choices = page.get_by_role("listbox", name="People on the desk")
    expect(choices.get_by_role("option")).to_have_text([f"{editor.name} (@editor)"])
    expect(body).to_have_attribute("aria-activedescendant", re.compile("people-0$"))
    page.keyboard.press("Enter")
    expect(body).to_have_value("Can you check this, @editor ")
    expect(choices).to_be_hidden()
    page.keyboard.type("and @nobodyhere")
    expect(page.locator(".mention-none")).to_have_text(
        "No one on the desk answers to @nobodyhere: they would not be told.")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.locator(".flash-warning")).to_contain_text("Nobody on the desk answers to @nobodyhere")
    expect(page.locator("#comments .comment")).to_have_count(1)
    assert _not_reloaded(page), "the page was reloaded"
    # the refreshed form offers people again
    page.locator("#comment-body").click()
    page.keyboard.type("@edi")
    expect(page.get_by_role("listbox", name="People on the desk").get_by_role("option")).to_have_count(1)
    db.session.expire_all()
    from factdesk.models import Notification
    assert db.session.execute(select(Notification).where(Notification.user_id == editor.id,
                                                         Notification.kind == "mentioned")).scalar_one()


def test_a_comment_points_at_words_selected_in_the_quote(browser: Browser, live_server, seed_article, checker):
    # "North Korea has sent more than 10,000 containers filled with …"
    claim = SeedClaimFactory(article=seed_article, by=checker)
    page = _page(browser, live_server, checker)
    page.goto(f"/desk/claims/{claim.id}")
    page.locator("mark[data-quote]").evaluate("""(mark) => {
        const text = mark.firstChild, at = text.data.indexOf("more than 10,000");
        const range = document.createRange();
        range.setStart(text, at); range.setEnd(text, at + "more than 10,000".length);
        getSelection().removeAllRanges(); getSelection().addRange(range);
    }""")
    offer = page.get_by_role("button", name="Comment on “more than 10,000”")
    offer.click()
    expect(page.locator("#comment-about")).to_have_value("more than 10,000")
    expect(page.locator("#comment-body")).to_be_focused()
    page.keyboard.type("Which record says more than?")
    page.get_by_role("button", name="Comment", exact=True).click()
    about = page.locator("#comments .comment .comment-about")
    expect(about).to_contain_text("About North Korea has sent more than 10,000 containers")
    expect(about.locator("mark")).to_have_text("more than 10,000")
    db.session.expire_all()
    from factdesk.models import Comment
    comment = db.session.execute(select(Comment)).scalar_one()
    assert (comment.about_words, comment.about_start) == ("more than 10,000", claim.quote.index("more than"))
    screenshot(page, "claim-comment-about")
    # words typed that the quote does not hold are refused, with everything typed kept
    page.fill("#comment-about", "twelve ships")
    page.fill("#comment-body", "About ships")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.locator("#comments .field-error")).to_contain_text("“twelve ships” is not in the claim's quote")
    expect(page.locator("#comment-body")).to_have_value("About ships")


def test_marking_a_duplicate_asks_first(browser: Browser, live_server, seed_article, checker, editor):
    from factdesk.articles.service import create_article
    from factdesk.claims.highlight import add_claim, locate

    original = SeedClaimFactory(article=seed_article, by=checker, n=0)
    other = create_article(text="Officials said North Korea has sent more than 10,000 containers filled with "
                                "military weapons to Russia, the report added.", by=checker, title="Repeat")
    copy = add_claim(other, checker, locate(other, quote="North Korea has sent more than 10,000 containers filled "
                                                         "with military weapons to Russia"))
    db.session.commit()
    page = _page(browser, live_server, editor)
    page.goto(f"/desk/claims/{copy.id}")
    _same_document(page)
    item = page.locator(f"#similar-{original.id}")
    item.locator("summary", has_text="Duplicate: discard this one").click()
    expect(item.locator(".confirm-box").last).to_contain_text(
        f"Discard claim {copy.id} as a duplicate of claim {original.id}?")
    db.session.expire_all()
    assert db.session.get(Claim, copy.id).status == Status.new  # asking changed nothing
    item.get_by_role("button", name="Yes, discard it").click()
    expect(page.locator(".flash-success")).to_contain_text(f"discarded as a duplicate of claim {original.id}")
    db.session.expire_all()
    assert db.session.get(Claim, copy.id).status == Status.discarded
