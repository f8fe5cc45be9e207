"""Without MAIL_URL (development) mail goes to the log, links included, through the same queue."""
from __future__ import annotations

import logging

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
