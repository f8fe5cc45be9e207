"""The migrations and the models describe the same schema (on SQLite and on PostgreSQL)."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

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


# --- migrations that carry existing rows over --------------------------------------------------------

def _revision_before(revision: str) -> str:
    from alembic.script import ScriptDirectory

    from factdesk import ROOT

    return ScriptDirectory(str(ROOT / "migrations")).get_revision(revision).down_revision


BEFORE_EMAIL_KEY = _revision_before("0014_email_key")


@pytest.fixture
def scratch_url(tmp_path):
    """An empty database of the suite's kind (a SQLite file, or a PostgreSQL database made here)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from tests.conftest import PG_URL

    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    base = make_url(PG_URL)
    name = f"{base.database}_scratch"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _desk_at(url: str, revision: str, emails: list[str]):
    """A desk migrated to `revision` holding users with these e-mail addresses."""
    from flask_migrate import upgrade

    from factdesk import create_app

    from tests.conftest import _settings

    scratch = create_app(_settings(url))
    with scratch.app_context():
        upgrade(revision=revision)
        for number, email in enumerate(emails, 1):
            db.session.execute(text(
                "INSERT INTO users (email, name, role, password_hash, active, created_at, session_epoch) "
                "VALUES (:email, :name, 'checker', 'x', :yes, CURRENT_TIMESTAMP, 0)"),
                {"email": email, "name": f"Person {number}", "yes": True})
        db.session.commit()
        db.engine.dispose()
    return scratch


def test_the_email_key_migration_fills_the_key_of_existing_accounts(scratch_url):
    from flask_migrate import upgrade

    from factdesk.accounts.users import find_by_email

    scratch = _desk_at(scratch_url, BEFORE_EMAIL_KEY, ["Élodie@Desk.test", "E\u0301MILE@desk.test", "ana@desk.test"])
    with scratch.app_context():
        upgrade()
        keys = db.session.execute(text("SELECT email, email_key FROM users ORDER BY id")).all()
        assert [tuple(row) for row in keys] == [("Élodie@Desk.test", "élodie@desk.test"),
                                                ("E\u0301MILE@desk.test", "émile@desk.test"),
                                                ("ana@desk.test", "ana@desk.test")]
        assert find_by_email("ÉLODIE@DESK.TEST").name == "Person 1"
        assert find_by_email("émile@desk.test").name == "Person 2"
        db.session.remove()
        db.engine.dispose()


def test_the_email_key_migration_refuses_accounts_that_collide_and_names_them(scratch_url):
    import os
    import subprocess
    import sys
    from pathlib import Path

    # Collisions lower() let through on both databases: ß folds to ss, a decomposed É to É.
    scratch = _desk_at(scratch_url, BEFORE_EMAIL_KEY, ["Straße@desk.test", "ana@desk.test", "STRASSE@desk.test",
                                                       "Émile@desk.test", "E\u0301mile@desk.test"])
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=root,
                          env={**os.environ, "DATABASE_URL": scratch_url, "FACTDESK_ENV": "development"},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "user 1 <Straße@desk.test> and user 3 <STRASSE@desk.test>" in done.stderr
    assert "user 4 <Émile@desk.test> and user 5 <E\u0301mile@desk.test>" in done.stderr
    assert "Nothing was changed." in done.stderr
    with scratch.app_context():
        # Still at the revision before: no half-added column, every account as it was.
        assert db.session.execute(text("SELECT version_num FROM alembic_version")).scalar() == BEFORE_EMAIL_KEY
        assert db.session.execute(text("SELECT count(*) FROM users")).scalar() == 5
        db.session.remove()
        db.engine.dispose()
