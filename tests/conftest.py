"""Test fixtures: a real database per test (a copy of a migrated SQLite file, or a truncated PostgreSQL).

Set TEST_DATABASE_URL=postgresql+psycopg://… to run the same suite on PostgreSQL (`make test-postgres`).
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from flask_migrate import upgrade
from sqlalchemy import text

from factdesk import create_app
from factdesk.extensions import db, limiter
from factdesk.jobs.queue import EXTENSION as QUEUE_EXTENSION, queue
from factdesk.models import Role
from tests.support.factories import PASSWORD, UserFactory

# No wall-clock checks in tests: Hypothesis's deadline and its "too slow" health check time each example,
# and on a shared, loaded machine they fail a test for the machine's sake. Speed is the bench's job.
settings.register_profile("desk", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("desk")


def _worker_database(url: str | None) -> str | None:
    """Under pytest-xdist each worker gets its own PostgreSQL database (created here), so tests that
    truncate tables never meet another worker's rows."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    worker_url = base.set(database=name).render_as_string(hide_password=False)
    os.environ["TEST_DATABASE_URL"] = worker_url
    return worker_url


PG_URL = _worker_database(os.environ.get("TEST_DATABASE_URL"))
FIXTURES = Path(os.environ.get("FACTDESK_FIXTURES") or Path(__file__).resolve().parents[2] / "shared" / "fixtures")
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def _settings(url: str, **extra) -> dict:
    return {"FACTDESK_ENV": "testing", "TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "test-secret", "FACTDESK_FIXTURES": str(FIXTURES), "SERVER_NAME": None, **extra}


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """Run the real migrations once; each test then starts from a copy of the result."""
    if PG_URL:
        app = create_app(_settings(PG_URL))
        with app.app_context():
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            upgrade()
            db.engine.dispose()
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.db"
    app = create_app(_settings(f"sqlite:///{path}"))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


def _fresh_postgres() -> None:
    tables = [t.name for t in db.metadata.sorted_tables]
    db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    from factdesk.ratings import seed_default_scale

    seed_default_scale()
    db.session.commit()


@pytest.fixture
def app_settings():
    """Override in a test module to change settings (e.g. ALLOW_SELF_APPROVAL)."""
    return {}


@pytest.fixture
def app(migrated_database, tmp_path, app_settings):
    if PG_URL:
        app = create_app(_settings(PG_URL, **app_settings))
    else:
        path = tmp_path / "desk.db"
        shutil.copy(migrated_database, path)
        app = create_app(_settings(f"sqlite:///{path}", **app_settings))
    with app.app_context():
        if PG_URL:
            _fresh_postgres()
            queue(app).flush()  # the job queue's own tables (huey_*) are not the models'
        limiter.reset()
        app.test_client_class = DeskClient
        yield app
        db.session.remove()
        db.engine.dispose()
        huey = app.extensions.get(QUEUE_EXTENSION)
        if huey is not None:  # Huey's PostgreSQL storage holds its own connection until closed
            huey.storage.close()


class DeskClient(FlaskClient):
    """Each request in its own app context, as in production (its own `g` and database session).

    Afterwards the test's own session is rolled back, so the test reads what the request committed.
    """

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)  # a streamed body is read while its context is still up
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.rollback()
        return response


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def run_jobs(app):
    """Run the job queue's pending jobs in this process, through the worker's own code; returns how
    many ran. `run_jobs(now=…)` also runs jobs scheduled before that moment (retries)."""
    from factdesk.jobs.worker import run_pending

    return lambda now=None: run_pending(app, now)


@pytest.fixture
def checker(app):
    return UserFactory(role=Role.checker)


@pytest.fixture
def editor(app):
    return UserFactory(role=Role.editor)


@pytest.fixture
def editor2(app):
    return UserFactory(role=Role.editor, email="editor2@desk.test", name="Second Editor")


@pytest.fixture
def admin(app):
    return UserFactory(role=Role.admin)


def csrf_token(client) -> str:
    """A CSRF token for this client's session, read from a real form."""
    page = client.get("/logout").get_data(as_text=True)
    match = CSRF.search(page)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def post_form(client, url: str, data: dict | None = None, **kwargs):
    """POST a form as a browser would: with the session's CSRF token."""
    return client.post(url, data={"csrf_token": csrf_token(client), **(data or {})}, **kwargs)


def login(client, user, password: str = PASSWORD):
    response = post_form(client, "/login", {"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


@pytest.fixture
def seed_article(app, checker):
    """The demo desk's seed article from the shared fixtures."""
    from factdesk.demo import seed_article as make

    article = make(checker)
    db.session.commit()
    return article


# Real headless Chromium (Debian's) for browser tests; never `playwright install`.
# Browser tests reuse these fixtures (`browser`/`page` from pytest-playwright then launch
# /usr/bin/chromium, `live_server` serves the test's app).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session", autouse=True)
def _patient_expectations():
    """Playwright's `expect` waits up to 5 s by default; a loaded two-core CI machine (the suite beside
    PostgreSQL) can take longer to answer a bulk action. This is how long a wait may last, not a timing check."""
    from playwright.sync_api import expect

    expect.set_options(timeout=20_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch options, pointed at /usr/bin/chromium with the desk's flags."""
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture
def live_server(app):
    """The test's app served by a werkzeug thread on a free 127.0.0.1 port, against the test's own database."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()


def browser_login(browser, base: str, user, password: str = PASSWORD, **context):
    """A browser context of the person's own (own cookies), logged in through the login page."""
    from playwright.sync_api import expect

    page = browser.new_context(base_url=base, **context).new_page()
    page.goto("/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", password)
    page.click("form [type=submit]")
    expect(page.locator(".nav-user")).to_contain_text(user.name)
    return page
