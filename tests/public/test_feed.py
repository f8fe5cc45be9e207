"""/feed.atom is Atom 1.0 (RFC 4287) and /sitemap.xml a sitemaps.org urlset, with the published checks."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime

from tests.support.addresses import article_path_of, path_of
from tests.support.factories import ArticleFactory, ClaimFactory, to_state

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
TEXT = "The senator said exports doubled in 2025. Imports fell. The port handled 4 million containers."


def _rfc3339(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value  # Atom dates carry a zone
    return parsed


def test_feed_is_atom_with_an_entry_per_published_check(app, client, checker, editor):
    story = ArticleFactory(by=checker, title="Trade figures & <more>", text=TEXT)
    first = to_state(ClaimFactory(article=story, by=checker, quote="exports doubled in 2025",
                                  summary="Exports doubled in 2025 <b>."), "published", checker, editor)
    second = to_state(ClaimFactory(article=story, by=checker, quote="The port handled 4 million containers",
                                   summary="Port: 4m containers."), "published", checker, editor, rating="true")
    ClaimFactory(article=story, by=checker, quote="Imports fell", summary="Imports fell.")  # never published

    response = client.get("/feed.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert (feed.findtext(f"{ATOM}{required}") or "").strip(), required
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "Factdesk"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "http://localhost/feed.atom"
    _rfc3339(feed.findtext(f"{ATOM}updated"))

    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 2
    ids = set()
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{required}") or "").strip(), required
        _rfc3339(entry.findtext(f"{ATOM}updated"))
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href").startswith("http://localhost/checks/")
        assert entry.find(f"{ATOM}content").get("type") == "html"
        ids.add(entry.findtext(f"{ATOM}id"))
    assert len(ids) == 2
    links = {e.find(f"{ATOM}link").get("href") for e in entries}
    assert links == {f"http://localhost{path_of(app, first)}", f"http://localhost{path_of(app, second)}"}
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert titles[0] == "Port: 4m containers. — True"  # newest first
    assert "Exports doubled in 2025 <b>. — False" in titles  # text, escaped in XML and read back intact
    assert "Imports fell." not in response.get_data(as_text=True)


def test_empty_feed_is_still_valid_atom(client):
    feed = ET.fromstring(client.get("/feed.atom").data)
    assert feed.findall(f"{ATOM}entry") == []
    _rfc3339(feed.findtext(f"{ATOM}updated"))


def test_sitemap_lists_published_checks_and_their_article_summaries(app, client, checker, editor):
    story = ArticleFactory(by=checker, title="Trade figures", text=TEXT)
    other = ArticleFactory(by=checker, title="Unchecked story", text="Nothing checked here yet. Another sentence.")
    published = to_state(ClaimFactory(article=story, by=checker, quote="exports doubled in 2025",
                                      summary="Exports doubled."), "published", checker, editor)
    hidden = ClaimFactory(article=story, by=checker, quote="Imports fell", summary="Imports fell.")
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    urlset = ET.fromstring(response.data)
    assert urlset.tag == f"{SITEMAP}urlset"
    locs = {}
    for url in urlset.findall(f"{SITEMAP}url"):
        loc = url.findtext(f"{SITEMAP}loc")
        assert loc.startswith("http://localhost/")
        lastmod = url.findtext(f"{SITEMAP}lastmod")
        if lastmod:
            date.fromisoformat(lastmod)
        locs[loc] = lastmod
    assert f"http://localhost{path_of(app, published)}" in locs
    assert locs[f"http://localhost{path_of(app, published)}"] == published.published_at.date().isoformat()
    assert f"http://localhost{article_path_of(app, story)}" in locs
    assert not any(f"/checks/{hidden.id}-" in loc for loc in locs)
    assert not any(f"/articles/{other.id}-" in loc for loc in locs)


def test_entries_published_within_one_second_keep_distinct_updated_times(app, client, checker, editor):
    from factdesk.public.views import atom_time

    assert atom_time(datetime(2026, 12, 1, 9, 0, 1, 500)) != atom_time(datetime(2026, 12, 1, 9, 0, 1, 900))
    assert atom_time(datetime(2026, 12, 1, 9, 0, 1, 500)) == "2026-12-01T09:00:01.000500Z"
    story = ArticleFactory(by=checker, title="Trade figures", text=TEXT)
    for quote in ("exports doubled in 2025", "Imports fell", "The port handled 4 million containers"):
        to_state(ClaimFactory(article=story, by=checker, quote=quote, summary=quote.capitalize() + "."), "published",
                 checker, editor)
    feed = ET.fromstring(client.get("/feed.atom").data)
    updated = [e.findtext(f"{ATOM}updated") for e in feed.findall(f"{ATOM}entry")]
    assert len(updated) == 3 and len(set(updated)) == 3
    assert [_rfc3339(u) for u in updated] == sorted((_rfc3339(u) for u in updated), reverse=True)


def test_a_correction_reason_ending_in_a_full_stop_gets_no_second_one(app, client, checker, editor):
    from tests.support.factories import move

    story = ArticleFactory(by=checker, title="Trade figures", text=TEXT)
    c = to_state(ClaimFactory(article=story, by=checker, quote="exports doubled in 2025",
                              summary="Exports doubled in 2025."), "published", checker, editor)
    move(c, "researching", editor, "The customs office revised its figures.")
    to_state(c, "published", checker, editor, rating="mostly-false", rationale="The revised figures show a 60% rise.")
    entries = ET.fromstring(client.get("/feed.atom").data).iter(f"{ATOM}entry")
    summaries = [e.findtext(f"{ATOM}summary") for e in entries]
    assert any(s.startswith("Corrected: The customs office revised its figures. ") for s in summaries), summaries
    assert not any(".." in s for s in summaries)
