"""Without MAIL_URL (development) mail goes to the log, links included, through the same queue."""
from __future__ import annotations

import logging

import pytest

from tests.conftest import post_form


def test_without_mail_url_mail_goes_to_the_log(client, checker, run_jobs, caplog):
    post_form(client, "/password/reset", {"email": checker.email})
    with caplog.at_level(logging.INFO):
        run_jobs()
    [record] = [r for r in caplog.records if "MAIL_URL is not set" in r.getMessage()]
    assert "to checker@desk.test: Choose a new password" in record.getMessage()
    assert "/password/reset/" in record.getMessage()


def test_demo_load_says_where_mail_goes(runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "Mail goes to the log (MAIL_URL is not set)" in result.output



@pytest.fixture
def migrated_again(app):
    """A migration run in this process after the desk has logged (as the suite's and the worker's do)."""
    from flask_migrate import upgrade

    app.logger.info("the desk has logged before")
    upgrade()


def test_mail_still_reaches_the_log_after_a_migration_in_the_same_process(migrated_again, client, checker, run_jobs,
                                                                          caplog):
    test_without_mail_url_mail_goes_to_the_log(client, checker, run_jobs, caplog)
