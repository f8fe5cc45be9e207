"""models.plain_rows: on SQLite a statement's rows come back through one JSON array (one driver step,
so a page of hundreds of rows does not hand the GIL to another thread at every row); what it gives
must be exactly what the driver gives row by row, for every kind of value the desk's pages read."""
from __future__ import annotations

from sqlalchemy import bindparam, literal, select, union_all

from factdesk.extensions import db
from factdesk.models import TAG_SEPARATOR, plain_rows

AWKWARD = ["", "plain", "quote \" and backslash \\\\ and 'apostrophe'", "newline\nand\ttab", "emoji 🧪 and ü",
           f"tags{TAG_SEPARATOR}joined", "<b>&amp;</b>", "\u2028line separator", "null\u0001control"]


def test_plain_rows_gives_exactly_the_drivers_values(app):
    values = [(i, text, None if i % 2 else 2 ** 53 + i, -i) for i, text in enumerate(AWKWARD)]
    statement = union_all(*(select(literal(i).label("n"), literal(text).label("t"), literal(big).label("big"),
                                   literal(neg).label("neg")) for i, text, big, neg in values))
    got = sorted(tuple(row) for row in plain_rows(select(statement.subquery()), {}))
    assert got == sorted(values)
    assert got == sorted(tuple(row) for row in db.session.connection().execute(select(statement.subquery())).all())


def test_plain_rows_takes_bound_parameters_and_may_give_nothing(app, seed_article):
    from factdesk.models import Article

    statement = select(Article.id, Article.title).where(Article.id == bindparam("article_id"))
    assert [tuple(r) for r in plain_rows(statement, {"article_id": seed_article.id})] == [
        (seed_article.id, seed_article.title)]
    assert list(plain_rows(statement, {"article_id": seed_article.id + 1000})) == []
