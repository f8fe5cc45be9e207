"""Pages cost a constant number of SQL statements, whatever the size of the desk (DESIGN.md §9).

Each page that exists is requested on a small desk and again after the desk has grown tenfold; the
statements one request runs (counted by an engine event listener, after a warm-up request) must be
the same.
"""
from __future__ import annotations

from factdesk.bench import pages as P
from factdesk.demo.generate import fill_desk
from factdesk.bench.statements import counting_statements
from factdesk.extensions import db

from tests.conftest import login
from tests.support.factories import token_for


def test_each_page_costs_the_same_statements_on_a_desk_ten_times_larger(app, client, editor, checker):
    fill_desk(60, 6)
    heavy, empty = P.heavy_article(40, checker)
    db.session.commit()
    headers = token_for(editor)
    login(client, editor)
    pages = [p for p in P.discover(app, client, heavy, empty, token_headers=headers) if p.name in P.COUNTED]
    names = {p.name for p in pages}
    assert "queue" in names, "the queue page is always counted"

    small = P.statements_per_page(app, client, pages, headers)
    fill_desk(600, 30, seed=8)
    db.session.commit()
    large = P.statements_per_page(app, client, pages, headers)

    for page in pages:
        assert small[page.name]["status"] == 200, (page.path, small[page.name])
        assert large[page.name]["status"] == 200, (page.path, large[page.name])
        assert small[page.name]["statements"] > 0, page.path
    assert {name: large[name]["statements"] for name in names} == {name: small[name]["statements"] for name in names}


def test_the_statement_counter_sees_a_page_that_queries_per_row(app, client, editor, checker):
    """The counter itself can fail: a page that loads each claim's article lazily costs more with more claims."""
    from sqlalchemy import select

    from factdesk.models import Claim

    fill_desk(20, 2)
    db.session.commit()

    def lazy_titles() -> int:
        with counting_statements(db.engine) as seen:
            claims = db.session.execute(select(Claim).limit(50)).scalars().all()
            _ = [c.article.title for c in claims]
            db.session.expunge_all()
        return len(seen)

    few = lazy_titles()
    fill_desk(200, 20, seed=8)
    db.session.commit()
    assert lazy_titles() > few


def test_the_by_key_unit_is_one_primary_key_read(app):
    """§9's unit: one claim read by its id and a small template — one statement, or every ratio
    measured against it is flattered (its tags, loaded with a claim by "selectin", made it two)."""
    from markupsafe import escape

    from factdesk.bench.serve import BY_KEY_PATH, add_baseline_routes
    from factdesk.models import Claim

    fill_desk(10, 2)
    db.session.commit()
    claim = db.session.scalars(db.select(Claim).where(Claim.tag_rows.any())).first()
    assert claim is not None, "the generated desk tags some claims"
    claim_id, quote = claim.id, claim.quote
    add_baseline_routes(app)
    client = app.test_client()
    client.get(BY_KEY_PATH.format(id=claim_id))  # warm-up
    db.session.expunge_all()  # as each gunicorn request starts: nothing of the claim in the session
    with counting_statements(db.engine) as seen:
        response = client.get(BY_KEY_PATH.format(id=claim_id))
    assert response.status_code == 200 and f"Claim {claim_id}" in response.get_data(as_text=True)
    assert str(escape(quote)) in response.get_data(as_text=True)  # the claim's words, as the template escapes them
    assert len(seen) == 1 and seen[0].lstrip().upper().startswith("SELECT"), [s[:60] for s in seen]
