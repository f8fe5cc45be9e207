"""Full-text search (factdesk/search.py): the same tests on SQLite FTS5 and on PostgreSQL."""
from __future__ import annotations

import pytest

from factdesk.bench.statements import counting_statements
from factdesk import search
from factdesk.claims import editing
from factdesk.extensions import db
from tests.conftest import PG_URL
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
    # Readers' search runs on its own connection (search._public_rows): it sees what is committed.
    story.title = "Quayside rumours"
    db.session.commit()
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


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: SQLite plans in process, nothing is kept between requests")
def test_desk_search_on_postgresql_keeps_one_plan_for_every_query(app, client, story, checker):
    """PostgreSQL plans a prepared statement again for each run while its plan depends on the values
    given; desk search names its query once as a subquery, so the plan is the same for every query and
    each connection keeps it (its connections are autocommit: no ROLLBACK deallocates it)."""
    headers = token_for(checker)
    ClaimFactory(article=story, by=checker, quote="cargo volumes rose by 12 percent", summary="Cargo grew.")
    words = ("cargo", "crane", "volumes rose", "percent", "dockworkers", "spring", "quarter", "harbour",
             "cargo -crane", '"cargo volumes"', "rose or fell", "twelve", "volume", "ships", "port", "berth")
    for q in words:  # psycopg prepares a statement at its sixth run; PostgreSQL plans its first five runs
        assert client.get(f"/api/v1/search?q={q}", headers=headers).status_code == 200
    # Desk search runs on the readers' pool of driver connections (search._desk_rows): one connection
    # here, as the requests came one after another.
    from factdesk.public.caching import _validator_engine

    connection = _validator_engine().raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                       "WHERE statement LIKE 'WITH claim_matches%'")
        kept = cursor.fetchall()
    finally:
        connection.close()
    assert kept and sum(generic for generic, _ in kept) >= 4, kept  # the runs after those ten kept their plan


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
        # Articles' vectors are kept in their rows (migration 0028), where ranking reads them.
        assert db.session.execute(text("SELECT attstorage FROM pg_attribute WHERE attrelid = 'articles'::regclass "
                                       "AND attname = 'search_vector'")).scalar_one() == "m"


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: SQLite's FTS5 keeps no pending list")
def test_edits_of_claims_leave_no_pending_list_for_searches_to_read(app, client, story, checker):
    """Each search reads a GIN index's pending list whole; edits of wording on a busy desk queued theirs
    there (137 pages after the bench's writers), so claims' words are written in place (migration 0032)
    and articles' lists are merged at 256 kB."""
    from sqlalchemy import text

    headers = token_for(checker)
    claim = ClaimFactory(article=story, by=checker, quote="cargo volumes rose by 12 percent", summary="Cargo grew.")
    version = claim.version
    for n in range(30):
        response = client.patch(f"/api/v1/claims/{claim.id}", headers=headers,
                                json={"version": version, "summary": f"Cargo grew by {n} percent at harbour {n}."})
        assert response.status_code == 200
        version = response.get_json()["version"]
    assert db.session.execute(text("SELECT gin_clean_pending_list('ix_claims_search'::regclass)")).scalar_one() == 0
    options = dict(db.session.execute(text(
        "SELECT relname, array_to_string(reloptions, ',') FROM pg_class WHERE relname IN "
        "('ix_claims_search', 'ix_articles_search', 'ix_articles_search_title')")).all())
    assert options == {"ix_claims_search": "fastupdate=off", "ix_articles_search": "gin_pending_list_limit=256",
                       "ix_articles_search_title": "gin_pending_list_limit=256"}
    assert [h.id for h in search.search_desk("harbour 29").items if h.kind == "claim"] == [claim.id]


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


# ---------------------------------------------------------------- the statements against their definition
#
# Each engine's page statements are tuned (top-k, one pass, probes forced on PostgreSQL); what they must
# give is what the plain definition gives: every match ranked, filtered, sorted, paged. The references
# below read each engine's matches whole and do the rest in Python.

HARBOUR = [("Harbour dues rose 4 percent at the harbour berth.", "published", "false", ["harbour"]),
           ("The harbour master said harbour dues doubled.", "published", "true", ["trade"]),
           ("Harbour cranes were idle in spring.", "published", "false", ["harbour", "trade"]),
           ("Dues at the harbour rose again.", "researching", None, None),
           ("The harbour closed for a day.", "withdrawn", None, None),
           ("Spring tides flooded the quay.", "published", "true", ["harbour"]),
           ("Harbour harbour harbour, said the mayor.", "published", "true", None)]


@pytest.fixture
def harbour(app, checker, editor):
    def ported(words: str) -> str:
        return words.replace("Harbour ", "Port ").replace("harbour", "port")

    texts = "\n\n".join(quote for quote, *_ in HARBOUR)
    story = ArticleFactory(by=checker, title="Harbour dues and tides", text=texts)
    other = ArticleFactory(by=checker, title="Tides", text=ported(texts))
    for n, (quote, state, rating, tags) in enumerate(HARBOUR):
        article = other if n % 2 else story
        words = ported(quote) if n % 2 else quote
        claim = ClaimFactory(article=article, by=checker, quote=words, summary=quote)
        if state != "new":
            to_state(claim, state, checker, editor, rating=rating or "false", tags=tags)
    return story, other


def _public_reference(q: str, rating: str | None, tag: str | None) -> list[tuple[int, float]]:
    from sqlalchemy import select

    from factdesk.models import PublicCheck, PublicCheckTag

    dialect = db.engine.dialect.name
    hits = search._claim_hits(dialect, with_article_title=True)
    ranks = dict(db.session.execute(select(hits.c.id, hits.c.rank), search._values(q, dialect)).all())
    listed = db.session.execute(select(PublicCheck)).scalars().all()
    tagged = set(db.session.execute(select(PublicCheckTag.claim_id).where(PublicCheckTag.tag == tag)).scalars())
    rows = [(ranks[p.claim_id], -p.first_published_at.timestamp(), -p.claim_id, p.publication_id) for p in listed
            if p.claim_id in ranks and (rating is None or p.rating_label == rating)
            and (tag is None or p.claim_id in tagged)]
    return [(publication_id, rank) for rank, _, _, publication_id in sorted(rows)]


@pytest.mark.parametrize("q", ["harbour", "harbour dues", "spring or tides", "harbour -dues", "port", "nothing"])
@pytest.mark.parametrize("rating, tag", [(None, None), ("false", None), (None, "harbour"), ("true", "harbour")])
def test_readers_search_is_its_definition_ranked_filtered_and_paged(app, harbour, q, rating, tag):
    from factdesk.public.reading import _filters

    expected = _public_reference(q, rating, tag)
    filters = _filters(rating, tag)
    for per_page in (2, 20):
        got = []
        for page in range(1, 6):
            found = search.search_public(q, page, per_page, *filters)
            assert found.total == len(expected)
            got += [(hit.obj.publication_id, hit.rank) for hit in found.items]
        assert [p for p, _ in got] == [p for p, _ in expected]
        assert [r for _, r in got] == pytest.approx([r for _, r in expected])


def _desk_reference(q: str) -> list[tuple[float, str, int]]:
    from sqlalchemy import select, text

    dialect = db.engine.dialect.name
    values = search._values(q, dialect)
    claims = search._claim_hits(dialect, with_article_title=False)
    found = [(rank, "claim", i) for i, rank in db.session.execute(select(claims.c.id, claims.c.rank), values)]
    if dialect == "postgresql":
        articles = text("SELECT id, -ts_rank(search_vector, websearch_to_tsquery('english'::regconfig, :q)) "
                        "FROM articles WHERE search_vector @@ websearch_to_tsquery('english'::regconfig, :q)")
    else:
        articles = text("SELECT rowid, bm25(articles_fts, 3.0, 1.0) FROM articles_fts WHERE articles_fts MATCH :fq")
    found += [(rank, "article", i) for i, rank in db.session.execute(articles, values)]
    return sorted(found)


@pytest.mark.parametrize("q", ["harbour", "harbour dues", "spring or tides", "harbour -dues", "port", "nothing"])
def test_desk_search_is_its_definition_ranked_and_paged(app, harbour, q):
    expected = _desk_reference(q)
    for per_page in (3, 20):
        got = []
        for page in range(1, 6):
            found = search.search_desk(q, page, per_page)
            assert found.total == len(expected)
            got += [(hit.rank, hit.kind, hit.id) for hit in found.items]
        assert [(kind, i) for _, kind, i in got] == [(kind, i) for _, kind, i in expected]
        assert [r for r, _, _ in got] == pytest.approx([r for r, _, _ in expected])
