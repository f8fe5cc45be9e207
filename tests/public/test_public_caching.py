"""Readers' pages are cached the way the web caches (DESIGN.md §9): ETag, a 304 without rendering,
Cache-Control public for everyone's page and private for a person's, compression."""
from __future__ import annotations

import gzip

import pytest
from sqlalchemy import select

from factdesk.bench.statements import counting_statements
from factdesk.extensions import db
from factdesk.models import Rating
from factdesk.ratings import RatingInput, update_rating
from tests.conftest import PG_URL, login
from tests.support.addresses import article_path_of, path_of
from tests.support.factories import ArticleFactory, ClaimFactory, move, to_state

TEXT = ("The mayor said the city planted 40,000 trees last year.\n\n"
        "She added that crime fell by half since 2019, a figure the police dispute.")


@pytest.fixture
def story(app, checker):
    return ArticleFactory(by=checker, title="Mayor boasts of greener city", text=TEXT)


@pytest.fixture
def trees(app, story, checker, editor):
    return to_state(ClaimFactory(article=story, by=checker, quote="the city planted 40,000 trees last year",
                                 summary="The city planted 40,000 trees."), "published", checker, editor)


def _etag(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.headers["ETag"]


def test_asking_again_with_the_etag_is_a_304_with_one_statement_and_no_body(app, client, story, trees):
    for url in (path_of(app, trees), "/", article_path_of(app, story), "/feed.atom", "/sitemap.xml", "/ratings",
                "/corrections", "/api/v1/public/claimreviews"):
        etag = _etag(client, url)
        with counting_statements(db.engine) as seen:
            again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304, url
        assert again.get_data() == b"" and again.headers["ETag"] == etag, url
        assert again.headers["Cache-Control"] == "public, max-age=60, s-maxage=10", url
        assert len(seen) == 1, (url, seen)  # the validator's one statement; nothing rendered
        assert client.get(url, headers={"If-None-Match": 'W/"something-else"'}).status_code == 200, url


def test_a_correction_changes_the_check_page_and_the_listings(app, client, story, checker, editor, trees):
    url = path_of(app, trees)
    before = {u: _etag(client, u) for u in (url, "/", "/feed.atom", article_path_of(app, story))}
    move(trees, "researching", editor, "The parks department sent new figures.")
    during = client.get(url, headers={"If-None-Match": before[url]})
    assert during.status_code == 200 and during.headers["ETag"] != before[url]  # the dated notice is new
    assert "Under review" in during.get_data(as_text=True)
    to_state(trees, "published", checker, editor, rating="mostly-false", rationale="New figures: 30,000 trees.")
    for u, etag in before.items():
        response = client.get(u, headers={"If-None-Match": etag})
        assert response.status_code == 200, u
        assert response.headers["ETag"] != etag, u
    assert "Mostly false" in client.get(url).get_data(as_text=True)


def test_editing_the_rating_a_check_shows_leaves_the_check_as_published(app, client, trees, admin):
    url = path_of(app, trees)
    etag, ratings_etag = _etag(client, url), _etag(client, "/ratings")
    rating = db.session.execute(select(Rating).where(Rating.label == "false")).scalar_one()
    update_rating(rating, RatingInput(label="false", name=rating.name, colour=rating.colour, ordinal=rating.ordinal,
                                      definition="Not accurate at all, by the records."), admin)
    db.session.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304  # the publication keeps its version
    assert "Not accurate at all, by the records." not in client.get(url).get_data(as_text=True)
    methodology = client.get("/ratings", headers={"If-None-Match": ratings_etag})
    assert methodology.status_code == 200
    assert "Not accurate at all, by the records." in methodology.get_data(as_text=True)


def test_every_change_to_the_scale_readers_see_changes_the_listings_etags(app, client, trees, admin):
    """A new colour (always seven characters), a one-letter fix of a name and a move up the scale each
    change what /ratings and the home show; none may be answered with a 304 of the old page."""
    from factdesk.ratings import move_rating

    def false():
        return db.session.execute(select(Rating).where(Rating.label == "false")).scalar_one()

    def edit(**changes):
        rating = false()
        fields = {"label": "false", "name": rating.name, "colour": rating.colour, "ordinal": rating.ordinal,
                  "definition": rating.definition, **changes}
        update_rating(rating, RatingInput(**fields), admin)

    colour = "#00ff00" if false().colour.lower() != "#00ff00" else "#ff0000"
    name = false().name[:-1] + ("x" if false().name[-1] != "x" else "y")
    for change in (lambda: edit(colour=colour), lambda: edit(name=name), lambda: move_rating(false(), "up", admin)):
        before = {u: _etag(client, u) for u in ("/ratings", "/")}
        change()
        db.session.commit()
        for u, etag in before.items():
            assert client.get(u, headers={"If-None-Match": etag}).status_code == 200, u


def test_a_page_shared_by_everyone_holds_nothing_personal(app, client, trees, checker):
    for url in ("/", path_of(app, trees)):
        html = client.get(url).get_data(as_text=True)
        assert "csrf_token" not in html and checker.name not in html and "Log out" not in html


def test_a_logged_in_persons_view_is_private_and_never_answered_with_a_shared_304(app, client, trees, checker):
    url = path_of(app, trees)
    etag = _etag(client, url)
    login(client, checker)
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200 and checker.name in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private, no-cache" and "ETag" not in response.headers
    assert "Cookie" in response.headers["Vary"]


def test_a_page_showing_a_flash_message_is_private(app, client, trees):
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "You are logged out.")]
    response = client.get("/")
    assert "You are logged out." in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private, no-cache" and "ETag" not in response.headers
    assert client.get("/").headers["Cache-Control"].startswith("public")  # shown once, then everyone's again


def test_pages_are_compressed_when_the_client_accepts_it(app, client, trees):
    url = path_of(app, trees)
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert len(packed.get_data()) < len(plain.get_data()) / 2
    assert packed.headers["ETag"] == plain.headers["ETag"]  # one resource, two encodings (a weak validator)


def test_taking_a_check_off_the_record_changes_the_listings_validator(app, client, story, editor, trees):
    """Only withdrawing takes a check off the record (a reopened one stays public as published): with no
    newer publication anywhere, the withdrawal alone changes the listings' ETag."""
    from factdesk.claims import workflow

    before = {u: _etag(client, u) for u in ("/", "/feed.atom", "/sitemap.xml")}
    workflow.transition(trees, "withdrawn", editor, "The figures it quoted were withdrawn by the city.")
    db.session.commit()
    for url, etag in before.items():
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 200, url
    assert f"/checks/{trees.id}-" not in client.get("/sitemap.xml").get_data(as_text=True)


def _check_block(html: str) -> str:
    """The check itself (the <article> of the page), without the site's header."""
    return html[html.index('<article class="check"'):html.index("</article>")]


def test_a_check_pages_first_view_is_one_statement_and_shows_what_loading_it_whole_shows(app, client, story, checker,
                                                                                         editor):
    trees = to_state(ClaimFactory(article=story, by=checker, quote="the city planted 40,000 trees last year",
                                  summary="The city planted 40,000 trees."), "published", checker, editor,
                     tags=["parks", "city hall"], rationale="Parks data shows **12,000** trees.\n\n<script>x</script>")
    move(trees, "researching", editor, "The parks department sent new figures.")
    db.session.commit()
    url = path_of(app, trees)
    with counting_statements(db.engine) as seen:
        first = client.get(url)
    assert first.status_code == 200 and len(seen) == 1, seen  # its validator and everything it shows
    html = first.get_data(as_text=True)
    assert "Under review" in html and "<strong>12,000</strong>" in html and "<script>x</script>" not in html
    assert ">city hall</a>" in html and ">parks</a>" in html and "The statement is not accurate." in html
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    login(client, checker)  # a person's view loads the check the long way: every publication as a row
    assert _check_block(client.get(url).get_data(as_text=True)) == _check_block(html)


def test_a_corrected_checks_first_view_still_lists_its_versions_and_corrections(app, client, story, checker, editor,
                                                                                 trees):
    move(trees, "researching", editor, "The parks department sent new figures.")
    to_state(trees, "published", checker, editor, rating="mostly-false", rationale="New figures: 30,000 trees.")
    db.session.commit()
    html = client.get(path_of(app, trees)).get_data(as_text=True)
    assert "Version 1" in html and "Version 2" in html and "The rating changed from False to Mostly false." in html
    assert "Why: The parks department sent new figures." in html


def _headers(response) -> dict[str, str]:
    return {name: value for name, value in response.headers.items() if name not in ("Date", "Content-Length")}


def test_a_readers_revalidation_is_answered_in_front_of_flask_as_flask_would(app, client, story, trees):
    """A revalidation with no cookie is answered by AnswerRevalidations; with any cookie it goes through
    Flask's own 304 (readers_page). Both answers are the same, headers and all."""
    from werkzeug.test import Client

    from factdesk.public.caching import AnswerRevalidations

    asked_flask = []

    def flask_must_not_run(environ, start_response):
        asked_flask.append(environ["PATH_INFO"])
        start_response("599 FLASK", [])
        return [b""]

    layer = Client(AnswerRevalidations(app, flask_must_not_run), use_cookies=False)  # sends Cookie as given
    with_cookie = app.test_client(use_cookies=False)
    for url in (path_of(app, trees), "/", article_path_of(app, story), "/feed.atom", "/ratings",
                "/api/v1/public/claimreviews"):
        etag = _etag(client, url)
        answered = layer.get(url, headers={"If-None-Match": etag})
        assert answered.status_code == 304 and answered.get_data() == b"" and asked_flask == [], url
        through_flask = with_cookie.get(url, headers={"If-None-Match": etag, "Cookie": "newsroom_analytics=1"})
        assert through_flask.status_code == 304, url
        assert _headers(answered) == _headers(through_flask), url
        assert answered.headers["Content-Security-Policy"].startswith("default-src 'self'"), url
    # What the layer cannot answer as a shared 304 goes on to Flask untouched.
    url, etag = path_of(app, trees), _etag(client, path_of(app, trees))
    for headers, address in (({"If-None-Match": 'W/"stale"'}, url),
                             ({"If-None-Match": etag, "Cookie": "session=x"}, url),
                             ({"If-None-Match": etag, "Authorization": "Bearer x"}, url),
                             ({"If-None-Match": etag}, url + "?utm_source=feed"),
                             ({"If-None-Match": etag}, "/checks/99999999-nothing"),
                             ({"If-None-Match": etag}, f"/checks/{2**40}-too-large"),
                             ({"If-None-Match": etag}, "/desk/queue")):
        asked_flask.clear()
        assert layer.get(address, headers=headers).status_code == 599, (address, headers)
        assert asked_flask, (address, headers)


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: a database server's connection can drop")
def test_a_revalidation_on_a_dropped_connection_runs_again_on_a_fresh_one_in_front_of_flask(app, client, trees):
    """On a database server the validators' connections are not pinged before use (a 304's one
    statement would cost two round trips): a connection found dead is replaced and the statement
    sent again, still answered in front of Flask."""
    from sqlalchemy import text
    from werkzeug.test import Client

    from factdesk.public import caching

    asked_flask = []

    def flask_must_not_run(environ, start_response):
        asked_flask.append(environ["PATH_INFO"])
        start_response("599 FLASK", [])
        return [b""]

    layer = Client(caching.AnswerRevalidations(app, flask_must_not_run), use_cookies=False)
    url = path_of(app, trees)
    etag = _etag(client, url)
    assert layer.get(url, headers={"If-None-Match": etag}).status_code == 304
    validators = caching._validator_engine()
    assert validators is not db.engine and validators.pool.checkedin() == 1
    connection = validators.raw_connection()
    pid = connection.dbapi_connection.info.backend_pid
    connection.close()
    assert db.session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar() is True
    db.session.commit()
    for _ in range(3):
        answered = layer.get(url, headers={"If-None-Match": etag})
        assert answered.status_code == 304 and asked_flask == []
    connection = validators.raw_connection()
    assert connection.dbapi_connection.info.backend_pid != pid
    connection.close()
    db.engine.dispose()
    assert validators.pool.checkedin() == 0  # the validators' pool goes with the app's


def test_a_revalidation_after_a_withdrawal_is_the_410_not_a_304(app, client, editor, trees):
    from factdesk.claims import workflow

    url = path_of(app, trees)
    etag = _etag(client, url)
    workflow.transition(trees, "withdrawn", editor, "The figures it quoted were withdrawn by the city.")
    db.session.commit()
    gone = client.get(url, headers={"If-None-Match": etag})
    assert gone.status_code == 410 and "withdrawn by the city" in gone.get_data(as_text=True)


def test_a_database_failure_in_front_of_flask_is_logged_and_answered_by_flask(app, client, trees, monkeypatch, caplog):
    from factdesk.public import caching

    url = path_of(app, trees)
    etag = _etag(client, url)

    def broken(*_, **__):
        raise RuntimeError("database unreachable")

    monkeypatch.setattr(caching, "_one_row", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answered as production answers: the desk's 500 page
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 500
    assert "revalidation of /checks/" in caplog.text and "database unreachable" in caplog.text
