"""What readers see (DESIGN.md §7): published checks only, readable addresses, filters, pages."""
from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import select

from factdesk.bench.statements import counting_statements
from factdesk.extensions import db
from tests.conftest import login
from tests.support.addresses import article_path_of, path_of
from tests.support.factories import ArticleFactory, ClaimFactory, to_state

TEXT = ("The mayor said the city planted 40,000 trees last year.\n\n"
        "She added that crime fell by half since 2019, a figure the police dispute.\n\n"
        "The council met on Tuesday to discuss the harbour bridge.")



@pytest.fixture
def story(app, checker):
    return ArticleFactory(by=checker, title="Mayor boasts of greener city", text=TEXT)


def test_unpublished_claim_its_article_and_its_search_hits_are_invisible_to_readers(app, client, story, checker,
                                                                                     editor):
    trees = ClaimFactory(article=story, by=checker, quote="the city planted 40,000 trees last year",
                         summary="The city planted 40,000 trees in 2024.")
    path, apath = path_of(app, trees), article_path_of(app, story)
    for url in (path, f"/checks/{trees.id}", apath, f"/articles/{story.id}", f"{path}/v/1"):
        assert client.get(url).status_code == 404, url
    assert "40,000 trees" not in client.get("/").get_data(as_text=True)
    assert "No published check matches" in client.get("/?q=trees").get_data(as_text=True)
    assert trees.summary not in client.get("/feed.atom").get_data(as_text=True)
    assert path not in client.get("/sitemap.xml").get_data(as_text=True)

    to_state(trees, "published", checker, editor)

    page = client.get(path)
    assert page.status_code == 200
    assert "The city planted 40,000 trees in 2024." in page.get_data(as_text=True)
    assert "planted 40,000 trees" in client.get("/").get_data(as_text=True)
    assert path in client.get("/?q=trees").get_data(as_text=True)
    summary = client.get(apath)
    assert summary.status_code == 200 and "Mayor boasts of greener city" in summary.get_data(as_text=True)


def test_a_logged_in_checker_is_still_a_reader_on_public_pages(app, client, story, checker):
    trees = ClaimFactory(article=story, by=checker, quote="the city planted 40,000 trees last year")
    login(client, checker)
    assert client.get(path_of(app, trees)).status_code == 404


def test_article_summary_shows_only_published_highlights(app, client, story, checker, editor):
    trees = to_state(ClaimFactory(article=story, by=checker, quote="the city planted 40,000 trees last year"),
                     "published", checker, editor)
    crime = ClaimFactory(article=story, by=checker, quote="crime fell by half since 2019")
    html = client.get(article_path_of(app, story)).get_data(as_text=True)
    assert f'data-claims="{trees.id}"' in html
    assert f'data-claims="{crime.id}"' not in html and f"hl-{crime.id}" not in html
    text = re.sub(r"<[^>]+>", "", html.split('class="article-text card">')[1].split("</div>")[0])
    assert "crime fell by half since 2019" in text  # the words stay, unmarked
    assert 'class="rating rating-false">False<' in html


def test_wrong_or_missing_slug_redirects_permanently_to_the_current_address(app, client, story, checker, editor):
    trees = to_state(ClaimFactory(article=story, by=checker, quote="the city planted 40,000 trees last year",
                                  summary="Trees were planted."), "published", checker, editor)
    path = path_of(app, trees)
    assert path == f"/checks/{trees.id}-trees-were-planted"
    for old in (f"/checks/{trees.id}", f"/checks/{trees.id}-an-old-slug"):
        response = client.get(old)
        assert response.status_code == 301 and response.headers["Location"].endswith(path)
    apath = article_path_of(app, story)
    response = client.get(f"/articles/{story.id}-x")
    assert response.status_code == 301 and response.headers["Location"].endswith(apath)
    assert client.get(f"/articles/{story.id}").headers["Location"].endswith(apath)
    assert client.get("/checks/99999").status_code == 404


def test_home_filters_by_rating_and_tag(app, client, story, checker, editor):
    trees = to_state(ClaimFactory(article=story, by=checker, quote="the city planted 40,000 trees last year",
                                  summary="Trees claim"), "published", checker, editor, rating="true",
                     tags=["environment"])
    crime = to_state(ClaimFactory(article=story, by=checker, quote="crime fell by half since 2019",
                                  summary="Crime claim"), "published", checker, editor, rating="false", tags=["crime"])
    rated_true = client.get("/?rating=true").get_data(as_text=True)
    assert "Trees claim" in rated_true and "Crime claim" not in rated_true
    tagged = client.get("/?tag=+Crime+").get_data(as_text=True)
    assert "Crime claim" in tagged and "Trees claim" not in tagged
    assert "Crime claim" not in client.get("/?tag=crime&rating=true").get_data(as_text=True)
    both_filters = client.get("/?rating=false&tag=crime").get_data(as_text=True)
    assert "Crime claim" in both_filters and "Trees claim" not in both_filters
    both = client.get("/").get_data(as_text=True)
    assert "Trees claim" in both and "Crime claim" in both
    assert 'href="/?tag=environment"' in both
    assert trees.id != crime.id


def test_home_is_paginated_newest_first(app, client, checker, editor, monkeypatch):
    import factdesk.public.views as views

    monkeypatch.setattr(views, "PER_PAGE", 2)
    story = ArticleFactory(by=checker, title="Numbers", text="One claim here. Two claim here. Three claim here.")
    for word in ("One", "Two", "Three"):
        to_state(ClaimFactory(article=story, by=checker, quote=f"{word} claim here", summary=f"{word} wording"),
                 "published", checker, editor)
    first = client.get("/").get_data(as_text=True)
    assert "Three wording" in first and "Two wording" in first and "One wording" not in first
    assert first.index("Three wording") < first.index("Two wording")
    older = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert older.startswith("/?page=2&before=")  # the next page starts after this page's last card
    second = client.get(older).get_data(as_text=True)
    assert "One wording" in second and "Three wording" not in second and 'rel="next"' not in second
    assert 'rel="prev" href="/"' in second  # page 1 is the home itself
    assert second == client.get("/?page=2").get_data(as_text=True)  # an address without a cursor: the same page
    for nonsense in ("/?page=nonsense", "/?before=nonsense", "/?after=1-x", "/?before=99999999999999999999-1"):
        assert client.get(nonsense).status_code == 200, nonsense


def test_home_pages_by_cursor_both_ways_with_filters(app, client, checker, editor, monkeypatch):
    """Older and newer links carry the card a page starts after: walking older to the end and newer back
    gives every check once, newest first, with the filters kept, the same pages OFFSET gives."""
    import factdesk.public.views as views

    monkeypatch.setattr(views, "PER_PAGE", 2)
    story = ArticleFactory(by=checker, title="Numbers", text=" ".join(f"Claim {n} here." for n in range(7)))
    for n in range(7):
        to_state(ClaimFactory(article=story, by=checker, quote=f"Claim {n} here", summary=f"Wording {n}"),
                 "published", checker, editor, rating="false" if n != 3 else "true", tags=["economy"])

    def shown(html):
        return re.findall(r"Wording (\d)", html)

    url, pages = "/?rating=false&tag=economy", []
    while url:
        html = client.get(url).get_data(as_text=True)
        pages.append((url, html))
        found = re.search(r'rel="next" href="([^"]+)"', html)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert [n for _, html in pages for n in shown(html)] == ["6", "5", "4", "2", "1", "0"]
    for number, (url, html) in enumerate(pages, 1):
        assert "rating=false" in url and "tag=economy" in url
        assert shown(client.get(f"/?rating=false&tag=economy&page={number}").get_data(as_text=True)) == shown(html)
    newer = re.search(r'rel="prev" href="([^"]+)"', pages[-1][1]).group(1).replace("&amp;", "&")
    assert "after=" in newer and "page=2" in newer
    assert shown(client.get(newer).get_data(as_text=True)) == shown(pages[1][1])


def test_check_page_shows_context_rating_definition_rationale_and_evidence(app, client, story, checker, editor):
    trees = to_state(ClaimFactory(article=story, by=checker, quote="the city planted 40,000 trees last year",
                                  summary="The city planted 40,000 trees."), "published", checker, editor,
                     rationale="Parks data shows **12,000** trees.\n\n<script>alert(1)</script>")
    html = client.get(path_of(app, trees)).get_data(as_text=True)
    assert "The mayor said " in html and '<mark class="quote">the city planted 40,000 trees last year</mark>' in html
    assert "Jane Doe" in html and "https://news.example/story" in html and "Mayor boasts of greener city" in html
    assert "The statement is not accurate." in html  # the rating's public definition
    assert "<strong>12,000</strong>" in html and "<script>alert(1)</script>" not in html
    assert "Refutes the claim" in html and "Public records" in html and "The registry lists 12 launches." in html
    assert '<meta property="og:title" content="False: The city planted 40,000 trees.">' in html
    assert f'<meta property="og:url" content="http://localhost{path_of(app, trees)}">' in html


def test_public_pages_are_cacheable_for_readers_and_private_for_the_desk(app, client, story, checker, editor):
    trees = to_state(ClaimFactory(article=story, by=checker, quote="the city planted 40,000 trees last year"),
                     "published", checker, editor)
    for url in ("/", path_of(app, trees), article_path_of(app, story), "/ratings", "/corrections", "/feed.atom",
                "/sitemap.xml"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "public, max-age=60, s-maxage=10", url
        assert response.headers["ETag"].startswith('W/"'), url
        assert "Set-Cookie" not in response.headers, url
    login(client, checker)
    assert client.get("/").headers["Cache-Control"] == "private, no-cache"


def test_ratings_page_lists_the_scale_with_definitions(client):
    html = client.get("/ratings").get_data(as_text=True)
    for name, definition in (("Mostly true", "The statement is accurate but needs clarification"),
                             ("Misleading", "uses accurate facts in a way that gives a false impression")):
        assert name in html and definition in html


def _statements(client, url: str) -> int:
    with counting_statements(db.engine) as seen:
        assert client.get(url).status_code == 200
    return len(seen)


def test_public_pages_cost_the_same_sql_for_one_check_or_many(app, client, checker, editor):
    story = ArticleFactory(by=checker, title="Many claims",
                           text=" ".join(f"Claim number {i} is here." for i in range(8)))
    first = to_state(ClaimFactory(article=story, by=checker, quote="Claim number 0 is here", summary="Wording 0"),
                     "published", checker, editor, tags=["a"])
    urls = lambda: ("/", "/?q=claim", path_of(app, first), article_path_of(app, story), "/feed.atom",  # noqa: E731
                    "/sitemap.xml", "/corrections", "/?tag=a", "/api/v1/public/claimreviews")
    before = {url: _statements(client, url) for url in urls()}
    for i in range(1, 8):
        to_state(ClaimFactory(article=story, by=checker, quote=f"Claim number {i} is here", summary=f"Wording {i}"),
                 "published", checker, editor, tags=["a", f"t{i}"])
    db.session.commit()
    after = {url: _statements(client, url) for url in urls()}
    assert after == before


def test_a_desks_own_rating_shows_its_own_colour_wherever_readers_see_it(app, client, story, checker, editor, admin):
    from factdesk.ratings import RatingInput, create_rating

    create_rating(RatingInput(label="needs-context", name="Needs context", definition="True but partial.",
                              colour="#0b5394", ordinal=None), by=admin)
    db.session.commit()
    trees = to_state(ClaimFactory(article=story, by=checker, quote="the city planted 40,000 trees last year"),
                     "published", checker, editor, rating="needs-context")
    swatch = ('<circle cx="6" cy="6" r="6" fill="#0b5394"/></svg> '
              '<span class="rating rating-needs-context">Needs context<')
    for url in (path_of(app, trees), article_path_of(app, story), "/", "/ratings"):
        assert swatch in client.get(url).get_data(as_text=True), url


def test_the_homes_rating_filter_names_the_scale_in_order_whatever_a_name_holds(app, client, admin):
    # The home reads the scale's names beside its validator in one statement (ratings.scale_names_column).
    from factdesk.models import Rating
    from factdesk.ratings import RatingInput, create_rating

    create_rating(RatingInput(label="odd-one", name="Odd: 3:x\x1fy ünï", colour="#123456"), by=admin)
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    shown = re.findall(r'<option value="([a-z0-9-]+)"[^>]*>([^<]*)</option>', page)
    scale = db.session.execute(select(Rating).where(Rating.active).order_by(Rating.position)).scalars().all()
    assert shown == [(r.label, str(escape(r.name))) for r in scale]
    assert ("odd-one", "Odd: 3:x\x1fy ünï") in shown
