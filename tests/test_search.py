"""Full-text search (factdesk/search.py): the same tests on SQLite FTS5 and on PostgreSQL."""
from __future__ import annotations

import pytest

from factdesk.bench.statements import counting_statements
from factdesk import search
from factdesk.claims import editing
from factdesk.extensions import db
from tests.support.addresses import path_of
from tests.support.factories import ArticleFactory, ClaimFactory, research, to_state, token_for

TEXT = ("The harbour authority said cargo volumes rose by 12 percent in the spring quarter.\n\n"
        "Officials also claimed the new <b>crane</b> fleet cut waiting times & costs by half.\n\n"
        "Dockworkers dispute the figures.")



@pytest.fixture
def story(app, checker):
    return ArticleFactory(by=checker, title="Lighthouse keepers return to Portmerrow", text=TEXT)


@pytest.fixture
def cargo(app, story, checker, editor):
    c = ClaimFactory(article=story, by=checker, quote="cargo volumes rose by 12 percent in the spring quarter",
                     summary="Cargo volumes at the harbour grew by 12% in spring.", claimant="Harbour Authority")
    return to_state(c, "published", checker, editor,
                    rationale="Tonnage registers show a zeppelin-sized rise of 3 percent.")


def _public_ids(q: str) -> list[int]:
    return [hit.id for hit in search.search_public(q).items]


@pytest.mark.parametrize("q, where", [
    ("spring", "its quote"),
    ("grew", "its wording"),
    ("zeppelin", "its rationale"),
    ("Portmerrow", "its article's title"),
    ("lighthouse keepers", "its article's title, two words"),
    ("volume", "a stem of a word in its quote"),
])
def test_public_search_finds_a_published_claim(app, client, cargo, q, where):
    assert _public_ids(q) == [cargo.id], where
    html = client.get("/", query_string={"q": q}).get_data(as_text=True)
    assert path_of(app, cargo) in html, where


def test_public_search_ignores_unpublished_claims_and_desk_search_finds_them(app, client, story, checker):
    c = ClaimFactory(article=story, by=checker, quote="the new <b>crane</b> fleet cut waiting times & costs by half",
                     summary="Cranes halved waits.")
    assert _public_ids("crane") == []
    assert "No published check matches" in client.get("/?q=crane").get_data(as_text=True)
    found = search.search_desk("crane")
    assert {(hit.kind, hit.id) for hit in found.items} == {("claim", c.id), ("article", story.id)}
    assert search.claim_ids_matching("crane", 10) == [c.id]


def test_a_new_or_edited_claim_is_findable_at_once(app, story, checker):
    c = ClaimFactory(article=story, by=checker, quote="Dockworkers dispute the figures",
                     summary="Dockworkers dispute the figures.")
    assert search.claim_ids_matching("dockworkers") == [c.id]
    editing.update_claim(c, checker, {"summary": "Stevedores reject the tonnage numbers."}, c.version)
    # Not committed yet: the same transaction already sees the new words, and not the old ones.
    assert search.claim_ids_matching("stevedores") == [c.id]
    assert search.claim_ids_matching("figures") == [c.id]  # still in its quote
    editing.update_claim(c, checker, {"rationale": "Union ledgers disagree."}, c.version)
    assert search.claim_ids_matching("ledgers") == [c.id]
    db.session.rollback()
    assert search.claim_ids_matching("stevedores") == []


def test_an_edited_article_title_is_findable_at_once(app, cargo, story):
    story.title = "Quayside rumours"
    db.session.flush()
    assert _public_ids("quayside") == [cargo.id]
    assert _public_ids("Portmerrow") == []


@pytest.mark.parametrize("q", [
    '"', '""', "AND", "OR", "NOT", "NEAR(", "*", "-", "--", "title:", "^", "(", ")", "'", "OR OR", "\\", "a:b",
    '"cargo', "cargo*", "{quote}: cargo", "NEAR(cargo spring)", "💥", "\x00", "-cargo", "%", "_", "cargo OR",
    "rank:1", "'; DROP TABLE claims; --",
])
def test_search_syntax_characters_are_harmless(app, client, cargo, checker, q):
    assert client.get("/", query_string={"q": q}).status_code == 200
    headers = token_for(checker)
    response = client.get("/api/v1/search", query_string={"q": q}, headers=headers)
    assert response.status_code in (200, 422), response.get_data(as_text=True)
    search.claim_ids_matching(q)


def test_websearch_syntax_phrases_exclusions_and_alternatives(app, cargo):
    assert _public_ids('"spring quarter"') == [cargo.id]
    assert _public_ids('"quarter spring"') == []
    assert _public_ids("cargo -zeppelin") == []
    assert _public_ids("cargo -unicorn") == [cargo.id]
    assert _public_ids("unicorn or zeppelin") == [cargo.id]
    assert _public_ids("unicorn spring") == []


def test_snippets_mark_the_words_and_escape_the_text(app, story, checker):
    c = ClaimFactory(article=story, by=checker, quote="the new <b>crane</b> fleet cut waiting times & costs by half",
                     summary="Cranes & <i>waits</i>")
    (hit,) = [h for h in search.search_desk("crane").items if h.kind == "claim"]
    snippet = str(hit.snippet)
    assert "<mark>crane</mark>" in snippet.lower() or "<mark>cranes</mark>" in snippet.lower()
    assert "<b>" not in snippet and "<i>" not in snippet
    assert "&lt;b&gt;" in snippet or "&lt;i&gt;" in snippet
    assert search.mark_hits('<script>\ue000x\ue001') == "&lt;script&gt;<mark>x</mark>"
    assert search.mark_hits("\ue001 stray \ue000") == " stray "
    assert c.id == hit.id


def test_public_search_snippet_is_escaped_on_the_page(app, client, story, checker, editor):
    to_state(ClaimFactory(article=story, by=checker,
                          quote="the new <b>crane</b> fleet cut waiting times & costs by half",
                          summary="Officials said the <b>crane</b> fleet halved waits."), "published", checker, editor)
    html = client.get("/?q=crane").get_data(as_text=True)
    snippet = html.split('<p class="snippet">')[1].split("</p>")[0]
    assert "<mark>" in snippet and "<b>" not in snippet and "&lt;b&gt;" in snippet


def test_search_api_answers_checkers_with_articles_and_claims(app, client, cargo, story, checker):
    assert client.get("/api/v1/search?q=cargo").status_code == 401
    headers = token_for(checker)
    body = client.get("/api/v1/search?q=cargo", headers=headers).get_json()
    assert body["total"] == 2 and body["page"] == 1
    kinds = {item["kind"]: item for item in body["items"]}
    assert kinds["claim"]["id"] == cargo.id and kinds["claim"]["claim"]["status"] == "published"
    assert kinds["article"]["id"] == story.id and kinds["article"]["article"]["title"] == story.title
    assert all("<mark>" in item["snippet"].lower() for item in body["items"])
    assert client.get("/api/v1/search?q=", headers=headers).status_code == 422
    page2 = client.get("/api/v1/search?q=cargo&per_page=1&page=2", headers=headers).get_json()
    assert len(page2["items"]) == 1 and page2["total"] == 2


def test_a_desk_hit_is_the_claim_as_the_claims_api_shows_it(app, client, story, checker):
    """Hits are read as plain rows (rating, assignee and tags beside each): the same shape as the claim's own."""
    claim = research(ClaimFactory(article=story, by=checker, quote="cargo volumes rose by 12 percent in the spring "
                                  "quarter", summary="Cargo grew."), checker, rating="false", tags=["trade", "harbour"])
    headers = token_for(checker)
    items = client.get("/api/v1/search?q=cargo", headers=headers).get_json()["items"]
    hit = next(item["claim"] for item in items if item["kind"] == "claim")
    whole = client.get(f"/api/v1/claims/{claim.id}", headers=headers).get_json()
    del whole["allowed_moves"]
    assert hit == {**whole, "evidence": None}
    assert hit["tags"] == ["harbour", "trade"] and hit["rating"] == "false"
    assert hit["assignee"] == {"id": checker.id, "name": checker.name} and hit["status"] == "researching"


def test_desk_search_never_reads_the_page_an_article_was_imported_from(app, cargo, story):
    """An article hit needs its text for the snippet, never its imported HTML (which can be megabytes)."""
    with counting_statements(db.engine) as seen:
        found = search.search_desk("Portmerrow")
    assert [hit.kind for hit in found.items if hit.kind == "article"] == ["article"]
    assert seen and not any("source_html" in statement for statement in seen)


def test_better_matches_rank_first(app, checker, editor):
    story = ArticleFactory(by=checker, title="Budget",
                           text="Taxes rose. Taxes on taxes rose again, taxes everywhere. Spending fell.")
    weak = to_state(ClaimFactory(article=story, by=checker, quote="Spending fell",
                                 summary="Spending fell while taxes rose."), "published", checker, editor)
    strong = to_state(ClaimFactory(article=story, by=checker, quote="Taxes on taxes rose again, taxes everywhere",
                                   summary="Taxes, taxes and more taxes."), "published", checker, editor)
    assert _public_ids("taxes") == [strong.id, weak.id]


def test_desk_search_costs_the_same_sql_for_few_hits_or_many(app, client, story, checker, editor):
    headers = token_for(checker)
    ClaimFactory(article=story, by=checker, quote="cargo volumes rose by 12 percent in the spring quarter",
                 summary="Cargo grew.")

    def statements() -> int:
        with counting_statements(db.engine) as seen:
            assert client.get("/api/v1/search?q=cargo OR crane OR dockworkers", headers=headers).status_code == 200
        return len(seen)

    statements()  # the token's first use is recorded once
    few = statements()
    ClaimFactory(article=story, by=checker, quote="the new <b>crane</b> fleet cut waiting times & costs by half",
                 summary="Cranes.")
    ClaimFactory(article=story, by=checker, quote="Dockworkers dispute the figures", summary="Dockworkers.")
    other = ArticleFactory(by=checker, title="Cargo cranes", text="Cargo cranes everywhere. Dockworkers too.")
    ClaimFactory(article=other, by=checker, quote="Cargo cranes everywhere", summary="More cargo.")
    assert statements() == few


def test_search_index_machinery_survives_every_migration(app):
    """A later migration that rebuilds `claims` or `articles` in batch mode drops their triggers;
    it must recreate them (migrations/versions/0002_full_text_search.py: create_sqlite_triggers)."""
    from sqlalchemy import text

    if db.engine.dialect.name == "sqlite":
        triggers = set(db.session.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
        expected = {f"{table}_fts_{kind}" for table in ("claims", "articles") for kind in ("ai", "ad", "au")}
        assert expected <= triggers
    else:
        indexes = set(db.session.execute(text("SELECT indexname FROM pg_indexes")).scalars())
        assert search.SEARCH_INDEXES <= indexes


def test_desk_search_pages_through_every_match_once_with_the_total(app, checker):
    """Each engine hands over only its best hits for the page; the pages still add up to every match."""
    texts = [f"Harbour dues rose {n} percent at berth {n}." for n in range(1, 24)]
    story = ArticleFactory(by=checker, title="Harbour dues", text="\n\n".join(texts))
    claims = {ClaimFactory(article=story, by=checker, quote=t, summary=t).id for t in texts}
    other = ArticleFactory(by=checker, title="More on harbour dues", text="The harbour dues debate went on.")
    seen, total = [], None
    for page in (1, 2, 3):
        results = search.search_desk("harbour", page=page, per_page=10)
        total = results.total
        seen += [(hit.kind, hit.id) for hit in results.items]
    assert total == 23 + 2 and len(seen) == 25 and len(set(seen)) == 25
    assert {i for kind, i in seen if kind == "claim"} == claims
    assert {i for kind, i in seen if kind == "article"} == {story.id, other.id}
    ranks = [hit.rank for page in (1, 2, 3) for hit in search.search_desk("harbour", page=page, per_page=10).items]
    assert ranks == sorted(ranks)
    assert search.search_desk("harbour", page=4, per_page=10).items == [] and \
        search.search_desk("harbour", page=4, per_page=10).total == 25


def test_a_long_article_s_snippet_is_the_stretch_that_names_the_words(app, checker):
    """The snippet comes from where the words are, however deep in the text, marked as the engine
    stems them ("strikes" finds and marks "striking"), and stays a few words long."""
    filler = "\n\n".join(f"Paragraph {n} says nothing of note about the weather in town." for n in range(400))
    story = ArticleFactory(by=checker, title="A long day",
                           text=filler + "\n\nThen the lighthouse keepers began striking at dawn, and the "
                           "harbour stood still.\n\n" + filler)
    (hit,) = search.search_desk("strikes lighthouse").items
    snippet = str(hit.snippet)
    assert hit.id == story.id and snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>lighthouse</mark> keepers began <mark>striking</mark> at dawn" in snippet
    assert len(snippet) < 300


def test_snippets_mark_every_form_the_engine_matched_and_only_those(app, cargo):
    (hit,) = search.search_public("volume spring").items
    snippet = str(hit.snippet)
    assert "<mark>volumes</mark>" in snippet and "<mark>spring</mark>" in snippet
    assert "<mark>" not in snippet.replace("<mark>volumes</mark>", "").replace("<mark>spring</mark>", "")
