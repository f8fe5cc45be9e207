"""The desk's article pages: import by paste, upload and URL; the article with marks and claim panels;
adding claims by selection or by quote (asking which one); re-attaching, confirming; revisions."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from factdesk.bench.statements import counting_statements
from factdesk.extensions import db
from factdesk.models import AnchorState, Article, Claim, ClaimHistory

from tests.conftest import FIXTURES, login, post_form

SEED_TEXT = (FIXTURES / "articles" / "dprk-munitions-interview.txt").read_text(encoding="utf-8")


def _articles() -> int:
    return db.session.execute(select(func.count(Article.id))).scalar_one()


def test_checker_pastes_an_article_and_lands_on_its_page(client, checker):
    login(client, checker)
    response = post_form(client, "/desk/articles/paste", {"paste-text": SEED_TEXT, "paste-title": "Munitions"})
    assert response.status_code == 302
    article = db.session.execute(select(Article)).scalar_one()
    assert response.headers["Location"] == f"/desk/articles/{article.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Munitions" in page and "Democratic People’s Republic of Korea" in page


# --- helpers -------------------------------------------------------------------------------------

def _article(checker, text: str = SEED_TEXT, title: str = "Munitions") -> Article:
    from factdesk.articles.service import create_article

    article = create_article(text=text, by=checker, title=title)
    db.session.commit()
    return article


def _claim(article, checker, quote: str, **kw) -> Claim:
    from factdesk.claims.highlight import add_claim, locate

    claim = add_claim(article, checker, locate(article, quote=quote), **kw)
    db.session.commit()
    return claim


def _text_of(html: str) -> str:
    """The text content of the article-text element, as a browser's textContent would give it."""
    from html import unescape

    match = re.search(r'<div class="article-text card" id="article-text"[^>]*>(.*?)</div>', html, re.S)
    assert match, "no article text on the page"
    return unescape(re.sub(r"<[^>]+>", "", match.group(1)))


# --- the article page ----------------------------------------------------------------------------

def test_article_page_renders_the_canonical_text_character_for_character_with_marks(client, checker):
    article = _article(checker)
    first = _claim(article, checker, "more than 10,000 containers filled with military weapons to Russia")
    inner = _claim(article, checker, "10,000 containers filled")  # overlaps the first one
    login(client, checker)
    html = client.get(f"/desk/articles/{article.id}").get_data(as_text=True)
    assert _text_of(html) == article.text
    assert f'data-text-length="{len(article.text)}"' in html
    assert f'href="#claim-{inner.id}"' in html and f'href="#claim-{first.id}"' in html
    assert f'data-claims="{inner.id} {first.id}"' in html and "hl-d2" in html
    assert 'class="hl s-new"' in html
    # a panel per claim, with its status in words, linked back to its highlight
    assert f'id="claim-{first.id}"' in html and f'href="#hl-{first.id}"' in html and f'id="hl-{first.id}"' in html
    assert '<span class="status status-new">new</span>' in html
    assert f'aria-label="Claim {first.id}, new"' in html
    assert '<script type="module" src="/static/js/highlight.js">' in html


def test_a_heavy_article_page_names_each_claim_once_and_stays_under_150_kb(client, checker):
    """The bench's article with 300 overlapping highlights (DESIGN §9: ≤ 150 KB of HTML)."""
    from factdesk.bench.pages import heavy_article

    heavy, _ = heavy_article(300, checker)
    db.session.commit()
    login(client, checker)
    response = client.get(f"/desk/articles/{heavy.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and _text_of(html) == heavy.text
    assert len(response.data) <= 150 * 1024, f"{len(response.data) / 1024:.1f} KB"
    text = html.split('id="article-text"')[1].split(">", 1)[1].split("</div>")[0]
    assert "title=" not in text
    ids = [c.id for c in heavy.claims]
    assert len(ids) == 300
    assert sorted(int(i) for i in re.findall(r'<a [^>]*id="hl-(\d+)"', text)) == sorted(ids)
    assert len(re.findall(r"aria-label=", text)) == 300  # one keyboard stop per claim, not per stretch
    assert "hl-d3" in text


def test_claims_of_every_look_get_their_marks_and_panels(client, checker, editor):
    """The page's highlights and panels are made from pieces shared by claims of the same status, rating
    and anchor state: each claim still gets its own number, words, badges, classes and byline."""
    from factdesk.articles.revise import revise_article
    from factdesk.models import Rating, Status

    article = _article(checker)
    rated = _claim(article, checker, "In 2022 alone, they have conducted 69 launches", claimant="Ministry <spokes>")
    plain = _claim(article, checker, "10,000 containers filled")
    wordless = _claim(article, checker, "more than 10,000 containers")
    gone = _claim(article, checker, "a minimum of 10 occurrences")
    moved = _claim(article, checker,
                   "the previous estimate of 7,000 containers given by the South Korean defense chief")
    rated.status, rated.assignee = Status.in_review, editor
    rated.rating = db.session.execute(select(Rating).where(Rating.label == "mostly-false")).scalar_one()
    plain.summary = "Ten thousand & more"
    db.session.commit()
    text = article.text.replace("a minimum of 10 occurrences", "at least 10 occasions").replace(
        "by the South Korean defense chief", "by South Korea's defense chief")
    revise_article(article, text, checker)
    db.session.commit()
    assert db.session.get(Claim, moved.id).anchor_state == AnchorState.fuzzy
    login(client, checker)
    html = client.get(f"/desk/articles/{article.id}").get_data(as_text=True)
    assert _text_of(html) == text
    marked = html.split('id="article-text"')[1].split("</div>")[0]
    panels = html.split('<ol class="claim-list"><li')[1].split("</ol>")[0]
    assert (f'<a class="s-in_review" id="hl-{rated.id}" href="#claim-{rated.id}" '
            f'aria-label="Claim {rated.id}, in review"></a>') in marked
    assert 'class="hl s-in_review r-mostly-false' in marked
    assert f'<a class="s-new" id="hl-{moved.id}"' in marked and "s-new a-fuzzy" in marked
    assert f'id="hl-{gone.id}"' not in marked  # orphaned: not in the text, listed with its form
    assert (f'<a href="/desk/claims/{rated.id}">Claim {rated.id}</a> <span class="status status-in_review">in review'
            '</span> <span class="rating rating-mostly-false">Mostly false</span> '
            '<span class="anchor-state anchor-state-moved">moved</span></h3>') in panels  # moved by the revision
    assert f'<p class="meta">Ministry &lt;spokes&gt; · {editor.name}</p>' in panels
    assert f'<a href="#hl-{plain.id}">Ten thousand &amp; more</a></li>' in panels
    assert f'<a href="#hl-{wordless.id}">“more than 10,000 containers”</a></li>' in panels
    assert f'id="claim-{moved.id}"' not in panels and f'id="claim-{gone.id}"' not in panels
    assert html.count(f'id="claim-{moved.id}"') == 1 and html.count(f'id="claim-{gone.id}"') == 1
    assert "<dt>Claims</dt><dd>5 · " in html


def test_claims_added_out_of_text_order_are_shown_in_text_order(client, checker):
    """The page's rows come back in no promised order on SQLite (models.plain_rows): marks and panels
    still follow the text, the claim nearer the start first, the shorter first where two start together."""
    article = _article(checker)
    longer = _claim(article, checker, "In 2022 alone, they have conducted 69 launches")
    shorter = _claim(article, checker, "In 2022 alone")
    middle = _claim(article, checker, "a minimum of 10 occurrences")
    first = _claim(article, checker, "more than 10,000 containers")
    in_text_order = [str(c.id) for c in (first, middle, shorter, longer)]
    login(client, checker)
    html = client.get(f"/desk/articles/{article.id}").get_data(as_text=True)
    panels = html.split('<ol class="claim-list">')[1].split("</ol>")[0]
    assert re.findall(r'<li id="claim-(\d+)"', panels) == in_text_order
    marked = html.split('id="article-text"')[1].split("</div>")[0]
    assert re.findall(r'id="hl-(\d+)"', marked) == in_text_order


def test_marks_are_coloured_by_rating_once_rated(client, checker):
    from factdesk.models import Rating

    article = _article(checker)
    claim = _claim(article, checker, "In 2022 alone, they have conducted 69 launches")
    claim.rating = db.session.execute(select(Rating).where(Rating.label == "mostly-false")).scalar_one()
    db.session.commit()
    login(client, checker)
    html = client.get(f"/desk/articles/{article.id}").get_data(as_text=True)
    assert 'class="hl s-new r-mostly-false' in html
    assert '<span class="rating rating-mostly-false">Mostly false</span>' in html


def test_article_page_costs_the_same_sql_statements_for_1_and_30_claims(client, checker):
    article = _article(checker)
    _claim(article, checker, "In 2022 alone, they have conducted 69 launches")
    login(client, checker)

    def statements() -> int:
        with counting_statements(db.engine) as seen:
            assert client.get(f"/desk/articles/{article.id}").status_code == 200
        return len(seen)

    one = statements()
    words = [m for m in re.finditer(r"\w{6,}", article.text)][:40]
    added = 0
    from factdesk.claims.highlight import add_claim, anchor_at
    from factdesk.errors import DomainError
    from factdesk.models import Rating, User

    rating = db.session.execute(select(Rating)).scalars().first()
    for match in words:
        try:
            claim = add_claim(article, checker, anchor_at(article.text, match.start(), match.end()))
        except DomainError:  # the same words already highlighted
            db.session.rollback()
            continue
        claim.rating, claim.assignee = rating, db.session.get(User, checker.id)
        added += 1
        if added == 29:
            break
    db.session.commit()
    assert statements() == one


def test_checker_adds_a_claim_from_a_selection(client, checker):
    article = _article(checker)
    start = article.text.index("69 launches")
    login(client, checker)
    response = post_form(client, f"/desk/articles/{article.id}/claims",
                         {"start": start, "end": start + 11, "quote": "69 launches", "summary": "69 launches in 2022"})
    assert response.status_code == 302
    claim = db.session.execute(select(Claim)).scalar_one()
    assert response.headers["Location"] == f"/desk/articles/{article.id}#claim-{claim.id}"
    assert (claim.anchor_start, claim.anchor_end, claim.quote) == (start, start + 11, "69 launches")
    assert claim.summary == "69 launches in 2022" and claim.created_by_id == checker.id
    history = db.session.execute(select(ClaimHistory).where(ClaimHistory.claim_id == claim.id)).scalar_one()
    assert history.action == "created"


def test_a_selection_that_no_longer_matches_the_text_is_refused(client, checker):
    article = _article(checker)
    login(client, checker)
    response = post_form(client, f"/desk/articles/{article.id}/claims", {"start": 0, "end": 5, "quote": "Other"})
    assert response.status_code == 422
    assert "does not match the text" in response.get_data(as_text=True)
    assert db.session.execute(select(func.count(Claim.id))).scalar_one() == 0


def test_claim_by_quote_without_javascript_finds_the_words(client, checker):
    article = _article(checker)
    login(client, checker)
    # typed with straight quotes and a line break: the desk still finds the typographic original
    response = post_form(client, f"/desk/articles/{article.id}/claims",
                         {"quote": "We still assess that DPRK's leader,\nKim Jong Un", "claimant": "VOA"})
    assert response.status_code == 302
    claim = db.session.execute(select(Claim)).scalar_one()
    assert claim.quote == "We still assess that DPRK’s leader, Kim Jong Un"
    assert article.text[claim.anchor_start:claim.anchor_end] == claim.quote and claim.claimant == "VOA"


def test_a_repeated_quote_asks_which_one_and_the_pick_adds_it(client, checker):
    article = _article(checker)
    quote = "10,000 containers of munitions to Russia"
    starts = [m.start() for m in re.finditer(re.escape(quote), article.text)]
    assert len(starts) >= 2
    login(client, checker)
    response = post_form(client, f"/desk/articles/{article.id}/claims",
                         {"quote": quote, "summary": "Kept wording", "claimant": "U.S."})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Which one?" in html and f"occurs {len(starts)} times" in html
    for start in starts:
        assert f'name="start" value="{start}"' in html
    assert 'name="summary" value="Kept wording"' in html  # the pick keeps what was typed
    assert db.session.execute(select(func.count(Claim.id))).scalar_one() == 0
    response = post_form(client, f"/desk/articles/{article.id}/claims",
                         {"start": starts[1], "end": starts[1] + len(quote), "summary": "Kept wording",
                          "claimant": "U.S."})
    assert response.status_code == 302
    claim = db.session.execute(select(Claim)).scalar_one()
    assert claim.anchor_start == starts[1] and claim.summary == "Kept wording"


def test_a_duplicate_highlight_is_refused_on_the_page(client, checker):
    article = _article(checker)
    _claim(article, checker, "In 2022 alone, they have conducted 69 launches")
    login(client, checker)
    response = post_form(client, f"/desk/articles/{article.id}/claims",
                         {"quote": "In 2022 alone, they have conducted 69 launches", "summary": "again"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "already highlighted as claim" in html and "again</textarea>" in html
    assert db.session.execute(select(func.count(Claim.id))).scalar_one() == 1


# --- revising, orphans and fuzzy re-anchors ------------------------------------------------------

def test_revise_page_saves_a_revision_and_reports_anchor_states(client, checker):
    article = _article(checker)
    kept = _claim(article, checker, "In 2022 alone, they have conducted 69 launches")
    gone = _claim(article, checker, "a minimum of 10 occurrences")
    login(client, checker)
    form = client.get(f"/desk/articles/{article.id}/revise").get_data(as_text=True)
    assert 'name="base_revision" type="hidden" value="1"' in form
    new_text = article.text.replace("there have been a minimum of 10 occurrences where", "on several occasions")
    response = post_form(client, f"/desk/articles/{article.id}/revise",
                         {"text": new_text, "note": "publisher edit", "base_revision": "1"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved revision 2. Claims: 1 moved, 1 orphaned." in page
    assert "Orphaned claims" in page and "a minimum of 10 occurrences" in page
    assert db.session.get(Claim, gone.id).anchor_state == AnchorState.orphaned
    assert db.session.get(Claim, kept.id).anchor_state == AnchorState.moved
    assert _text_of(page) == new_text
    revisions = client.get(f"/desk/articles/{article.id}/revisions").get_data(as_text=True)
    assert "Revision 2" in revisions and "publisher edit" in revisions and "(current)" in revisions
    old = client.get(f"/desk/articles/{article.id}/revisions/1").get_data(as_text=True)
    assert "a minimum of 10 occurrences where" in old


def test_a_stale_revision_comes_back_with_the_typed_text(client, checker):
    article = _article(checker)
    from factdesk.articles.revise import revise_article

    revise_article(article, article.text + "\n\nSomeone else’s addition.", checker)
    db.session.commit()
    login(client, checker)
    response = post_form(client, f"/desk/articles/{article.id}/revise",
                         {"text": article.text + "\n\nMy addition.", "base_revision": "1"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "revised meanwhile" in html and "My addition." in html and "Someone else’s addition." in html
    assert db.session.get(Article, article.id).revision == 2


def test_orphan_is_reattached_by_quote_with_history(client, checker):
    article = _article(checker)
    claim = _claim(article, checker, "a minimum of 10 occurrences")
    from factdesk.articles.revise import revise_article

    new_text = article.text.replace("a minimum of 10 occurrences", "at least 10 occasions")
    revise_article(article, new_text, checker)
    db.session.commit()
    assert db.session.get(Claim, claim.id).anchor_state == AnchorState.orphaned
    login(client, checker)
    response = post_form(client, f"/desk/articles/{article.id}/claims/{claim.id}/reattach",
                         {"quote": "at least 10 occasions"})
    assert response.status_code == 302
    claim = db.session.get(Claim, claim.id)
    assert claim.anchor_state == AnchorState.anchored and claim.quote == "at least 10 occasions"
    assert new_text[claim.anchor_start:claim.anchor_end] == claim.quote
    entry = db.session.execute(select(ClaimHistory).where(ClaimHistory.action == "reattached")).scalar_one()
    assert entry.before["state"] == "orphaned" and entry.after["quote"] == "at least 10 occasions"


def test_orphan_is_reattached_by_selection(client, checker):
    article = _article(checker)
    claim = _claim(article, checker, "a minimum of 10 occurrences")
    from factdesk.articles.revise import revise_article

    new_text = article.text.replace("a minimum of 10 occurrences", "at least 10 occasions")
    revise_article(article, new_text, checker)
    db.session.commit()
    login(client, checker)
    page = client.get(f"/desk/articles/{article.id}").get_data(as_text=True)
    assert f'<option value="{claim.id}">re-attach claim {claim.id} (orphaned)' in page
    start = new_text.index("at least 10 occasions")
    response = post_form(client, f"/desk/articles/{article.id}/claims",
                         {"start": start, "end": start + 21, "quote": "at least 10 occasions", "reattach": claim.id})
    assert response.status_code == 302
    claim = db.session.get(Claim, claim.id)
    assert (claim.anchor_start, claim.anchor_state) == (start, AnchorState.anchored)
    assert db.session.execute(select(func.count(Claim.id))).scalar_one() == 1


def test_fuzzy_reanchor_shows_both_wordings_until_confirmed(client, checker):
    article = _article(checker)
    old = "the previous estimate of 7,000 containers given by the South Korean defense chief"
    claim = _claim(article, checker, old)
    version = claim.version
    from factdesk.articles.revise import revise_article

    new_wording = "the previous estimate of 7,000 containers given by South Korea's defense chief"
    revise_article(article, article.text.replace(old, new_wording), checker)
    db.session.commit()
    claim = db.session.get(Claim, claim.id)
    assert claim.anchor_state == AnchorState.fuzzy and claim.previous_quote == old and claim.quote == new_wording
    assert claim.version == version + 1
    login(client, checker)
    html = client.get(f"/desk/articles/{article.id}").get_data(as_text=True)
    assert f"<del>{old}</del>" in html
    assert "<ins>the previous estimate of 7,000 containers given by South Korea&#39;s" in html
    assert "Confirm new wording" in html and "anchor-state-fuzzy" in html
    response = post_form(client, f"/desk/articles/{article.id}/claims/{claim.id}/confirm")
    assert response.status_code == 302
    claim = db.session.get(Claim, claim.id)
    assert claim.anchor_state == AnchorState.anchored and claim.previous_quote is None
    html = client.get(f"/desk/articles/{article.id}").get_data(as_text=True)
    assert "<del>" not in html
    actions = db.session.execute(select(ClaimHistory.action).where(ClaimHistory.claim_id == claim.id)
                                 .order_by(ClaimHistory.id)).scalars().all()
    assert actions == ["created", "reanchored", "anchor_confirmed"]


def test_articles_list_is_paginated_and_links_each_article(client, checker):
    for n in range(27):
        _article(checker, f"Article {n}.\n\nBody {n}.", title=f"Article {n:02d}")
    login(client, checker)
    first = client.get("/desk/articles").get_data(as_text=True)
    assert "Article 26" in first and "Article 01" not in first and "Page 1 of 2" in first
    assert "New article" in first and 'name="url-url"' in first and 'name="upload-file"' in first
    second = client.get("/desk/articles?page=2").get_data(as_text=True)
    assert "Article 01" in second and "Article 00" in second


def test_reader_is_sent_to_login_and_other_articles_404(client, checker):
    article = _article(checker)
    assert client.get(f"/desk/articles/{article.id}").status_code == 302
    login(client, checker)
    assert client.get("/desk/articles/999").status_code == 404
    assert client.get(f"/desk/articles/{article.id}/revisions/9").status_code == 404


def test_demo_seed_article_shows_its_highlighted_claims(client, app, checker):
    from factdesk.demo import load_demo

    load_demo()
    article = db.session.execute(select(Article).where(Article.title.like("U.S. says North Korea%"))).scalar_one()
    claims = db.session.execute(select(Claim).where(Claim.article_id == article.id)).scalars().all()
    login(client, checker)
    html = client.get(f"/desk/articles/{article.id}").get_data(as_text=True)
    placed = [c for c in claims if c.anchor_state != AnchorState.orphaned]
    assert len(placed) >= 4
    for claim in placed:
        assert f'id="hl-{claim.id}"' in html and f'id="claim-{claim.id}"' in html
    assert _text_of(html) == article.text


def test_reattaching_to_a_repeated_quote_asks_which_one(client, checker):
    article = _article(checker)
    claim = _claim(article, checker, "a minimum of 10 occurrences")
    from factdesk.articles.revise import revise_article

    revise_article(article, article.text.replace("a minimum of 10 occurrences", "many occasions"), checker)
    db.session.commit()
    quote = "10,000 containers of munitions to Russia"
    starts = [m.start() for m in re.finditer(re.escape(quote), db.session.get(Article, article.id).text)]
    login(client, checker)
    url = f"/desk/articles/{article.id}/claims/{claim.id}/reattach"
    response = post_form(client, url, {"quote": quote})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Which one?" in html and f'action="{url}"' in html
    assert db.session.get(Claim, claim.id).anchor_state == AnchorState.orphaned
    response = post_form(client, url, {"start": starts[-1], "end": starts[-1] + len(quote)})
    assert response.status_code == 302
    claim = db.session.get(Claim, claim.id)
    assert (claim.anchor_start, claim.quote, claim.anchor_state) == (starts[-1], quote, AnchorState.anchored)
    # an empty re-attach form is refused with a message, the claim stays as it was
    response = post_form(client, url, {"quote": ""})
    assert response.status_code == 422 and "Type or paste the words" in response.get_data(as_text=True)
