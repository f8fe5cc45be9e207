"""The migrations and the models describe the same schema (on SQLite and on PostgreSQL)."""
from __future__ import annotations

import json

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


def _database_before_the_published_record(tmp_path):
    """A desk migrated up to the revision before 0012_published_record (its own database)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from .conftest import PG_URL, _settings

    if PG_URL:
        base = make_url(PG_URL)
        name = f"{base.database}_carry"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = base.set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / 'carry.db'}"
    from factdesk import create_app

    return create_app(_settings(url))


def test_migration_rebuilds_publications_from_history_or_the_claim_and_keeps_ratings(tmp_path):
    """Publications made before 0012 get what was published: from the history where it holds it (the
    claimant was edited after publishing; the tag came later), otherwise from the claim as it is."""
    from flask_migrate import upgrade

    app = _database_before_the_published_record(tmp_path)
    with app.app_context():
        upgrade(revision="0014_email_key")
        run = lambda sql, **values: db.session.execute(text(sql), values)  # noqa: E731
        run("INSERT INTO users (id, email, email_key, name, role, password_hash, active, created_at, session_epoch) "
            "VALUES (1, 'c@desk.test', 'c@desk.test', 'C', 'checker', '!', :t, '2026-01-01 00:00:00', 0)", t=True)
        run("INSERT INTO articles (id, title, source_url, publisher, text, revision, created_at, updated_at, "
            "claim_count) VALUES (1, 'Homes', 'https://news.example/homes', 'Courier', :text, 1, "
            "'2026-01-01 00:00:00', '2026-01-01 00:00:00', 2)", text="They built 10,000 homes. Budgets rose 4 percent.")
        run("INSERT INTO article_revisions (article_id, number, text, created_at) VALUES (1, 1, :text, "
            "'2026-01-01 00:00:00')", text="They built 10,000 homes. Budgets rose 4 percent.")
        false_id = run("SELECT id FROM ratings WHERE label = 'false'").scalar()
        for cid, quote, start in ((1, "built 10,000 homes", 5), (2, "Budgets rose 4 percent", 25)):
            run("INSERT INTO claims (id, article_id, anchor_start, anchor_end, quote, prefix, suffix, anchor_state, "
                "summary, claimant, status, priority, rating_id, rationale, version, evidence_count, comment_count, "
                "created_at, updated_at, published_at) VALUES (:id, 1, :s, :e, :q, '', '', 'anchored', :q, "
                "'Later name', 'published', 1, :r, 'Records say 6,000.', 3, 1, 0, '2026-01-01 00:00:00', "
                "'2026-01-03 00:00:00', '2026-01-02 00:00:00')", id=cid, s=start, e=start + len(quote), q=quote,
                r=false_id)
            run("INSERT INTO publications (claim_id, number, summary, rating_id, rationale, published_at, "
                "is_correction) VALUES (:id, 1, :q, :r, 'Records say 6,000.', '2026-01-02 00:00:00', :f)",
                id=cid, q=quote, r=false_id, f=False)
        run("INSERT INTO evidence (id, claim_id, url, title, publisher, excerpt, stance, source_type, created_at) "
            "VALUES (1, 1, 'https://stats.example/homes', 'Registry', 'Stats office', '6,000 homes', 'refutes', "
            "'official', '2026-01-01 10:00:00')")
        run("INSERT INTO claim_tags (claim_id, tag) VALUES (1, 'housing')")
        history = [("created", "quote", None, "built 10,000 homes", "2026-01-01 09:00:00"),
                   ("evidence_added", "evidence", None, {"id": 1, "url": "https://stats.example/homes",
                                                         "title": "Registry", "stance": "refutes",
                                                         "source_type": "official"}, "2026-01-01 10:00:00"),
                   ("transition", "status", "approved", "published", "2026-01-02 00:00:00"),
                   ("edit", "claimant", "Jane Doe", "Later name", "2026-01-03 00:00:00"),
                   ("edit", "tags", [], ["housing"], "2026-01-03 00:00:00")]
        for action, field, before, after, at in history:
            run("INSERT INTO claim_history (claim_id, at, action, field, before, after) "
                "VALUES (1, :at, :a, :f, :b, :v)", at=at, a=action, f=field, b=json.dumps(before), v=json.dumps(after))
        db.session.commit()

        upgrade()
        rows = {r.claim_id: r for r in db.session.execute(text(
            "SELECT p.*, v.label, v.name, v.number AS version FROM publications p "
            "JOIN rating_versions v ON v.id = p.rating_version_id ORDER BY p.claim_id"))}
        first, second = rows[1], rows[2]
        assert (first.rebuilt_from, first.quote, first.claimant) == ("history", "built 10,000 homes", "Jane Doe")
        evidence = json.loads(first.evidence) if isinstance(first.evidence, str) else first.evidence
        assert [e["url"] for e in evidence] == ["https://stats.example/homes"]
        assert db.session.execute(text("SELECT count(*) FROM publication_tags WHERE publication_id = :p"),
                                  {"p": first.id}).scalar() == 0  # tagged after publishing
        assert (first.label, first.name, first.version) == ("false", "False", 1)
        assert (first.scale_best, first.scale_worst, first.article_title) == (5, 1, "Homes")
        assert (second.rebuilt_from, second.claimant) == ("claim", "Later name")  # no history: the claim as it is
        assert db.session.execute(text("SELECT count(*) FROM rating_versions")).scalar() == \
            db.session.execute(text("SELECT count(*) FROM ratings")).scalar()
        db.session.remove()
        db.engine.dispose()


def test_the_public_checks_migration_lists_the_checks_readers_see_and_no_other(scratch_url):
    """0026 fills readers' listing from the publications of a desk that had none listed: published,
    corrected and reopened checks, not a withdrawn one, each with its tags and rating as published."""
    from flask_migrate import downgrade, upgrade

    from factdesk import create_app
    from factdesk.models import Role
    from tests.conftest import _settings
    from tests.support.factories import ArticleFactory, ClaimFactory, UserFactory, move, to_state
    from tests.support.listing import listed, what_readers_see

    scratch = create_app(_settings(scratch_url))
    with scratch.app_context():
        upgrade()
        checker = UserFactory(role=Role.checker, email="c@desk.test")
        editor = UserFactory(role=Role.editor, email="e@desk.test")
        story = ArticleFactory(by=checker, title="Homes", text="They built 10,000 homes. Budgets rose 4 percent. "
                                                               "Rents fell by half.")
        homes, budgets, rents = (ClaimFactory(article=story, by=checker, quote=quote)
                                 for quote in ("built 10,000 homes", "Budgets rose 4 percent", "Rents fell by half"))
        to_state(homes, "published", checker, editor, rating="true", tags=["housing", "budget"])
        move(homes, "researching", editor, "New figures.")
        to_state(homes, "published", checker, editor, rating="mostly-true", tags=["housing"])
        to_state(budgets, "published", checker, editor, rating="false")
        move(budgets, "researching", editor, "A reader wrote in.")
        to_state(rents, "withdrawn", checker, editor)
        before = listed()
        db.session.commit()  # the migration's own connection drops the tables this session just read
        downgrade(revision="0025_article_matches")
        upgrade()
        after = listed()
        assert after == before == what_readers_see()
        assert {(row[0], row[3], row[4]) for row in after} == {(homes.id, "mostly-true", frozenset({"housing"})),
                                                               (budgets.id, "false", frozenset())}
        db.session.remove()
        db.engine.dispose()
