"""The migrations and the models describe the same schema (on SQLite and on PostgreSQL)."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from factdesk.extensions import db
from factdesk.search import include_object


def test_no_pending_autogenerate_diff(app):
    with db.engine.connect() as connection:
        # The same filter as migrations/env.py: the search tables and indexes have no model.
        context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True,
                                                               "include_object": include_object})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_history_cannot_be_edited_or_deleted_even_in_sql(app, seed_article, checker):
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from factdesk.claims.highlight import add_claim, locate

    add_claim(seed_article, checker, locate(seed_article, quote="69 launches"))
    db.session.commit()
    for statement in ("UPDATE claim_history SET comment = 'x'", "DELETE FROM claim_history"):
        with pytest.raises(DBAPIError):
            db.session.execute(text(statement))
        db.session.rollback()
