"""Mail delivery (factdesk/mail.py): SMTP through the job queue after commit; a mail server that is down
delays the mail without failing the request or losing it; without MAIL_URL mail goes to the log."""
from __future__ import annotations

from datetime import timedelta

import pytest

import config
from factdesk.extensions import db
from factdesk.models import Job, JobState, utcnow

from tests.conftest import post_form
from tests.support.mailkit import app_settings, links_in, mail_port, smtp_server  # noqa: F401


def test_a_mail_server_that_is_down_delays_the_mail_and_loses_nothing(client, checker, mail_port, run_jobs):
    # Nothing listens on mail_port yet: the request still succeeds.
    response = post_form(client, "/password/reset", {"email": checker.email})
    assert response.status_code == 302
    assert "a link to choose a new password is on its way" in client.get("/login").get_data(as_text=True)
    run_jobs()
    job = db.session.query(Job).filter_by(name="mail.send").one()
    assert job.state == JobState.waiting and job.attempts == 1
    assert "Connection refused" in job.last_error or "ConnectionRefused" in job.last_error

    with smtp_server(mail_port) as (inbox, _):
        run_jobs(now=utcnow() + timedelta(hours=1))  # the retry's time has come
        db.session.expire_all()
        job = db.session.get(Job, job.id)
        assert job.state == JobState.done and job.attempts == 2
        [message] = inbox.to(checker.email)
        assert message["Subject"] == "Choose a new password"
        assert any("/password/reset/" in link for link in links_in(message))


def test_mail_is_sent_only_after_the_commit(app, checker, mail_port):
    from factdesk.mail import send

    with app.test_request_context():
        send(checker.email, "Never sent", "notification", note=None, link="http://localhost/", person=checker)
        db.session.rollback()
    assert db.session.query(Job).filter_by(name="mail.send").count() == 0


@pytest.mark.parametrize("url, expected", [
    ("smtp://mail.desk.test", {"MAIL_SERVER": "mail.desk.test", "MAIL_PORT": 25, "MAIL_USE_TLS": False,
                               "MAIL_USE_SSL": False, "MAIL_USERNAME": None}),
    ("smtps://desk%40news.test:p%40ss@smtp.news.test:465", {"MAIL_PORT": 465, "MAIL_USE_SSL": True,
                                                            "MAIL_USERNAME": "desk@news.test",
                                                            "MAIL_PASSWORD": "p@ss"}),
    ("smtp+starttls://u:p@smtp.news.test", {"MAIL_PORT": 587, "MAIL_USE_TLS": True}),
])
def test_mail_url_becomes_smtp_settings(url, expected):
    settings = config.mail_settings(url)
    assert {key: settings[key] for key in expected} == expected


def test_production_refuses_to_start_without_mail_url():
    """Invitations, password resets and notifications go only by mail: production without a mail server
    would start and reach nobody."""
    production = {"FACTDESK_ENV": "production", "SECRET_KEY": "s" * 40, "PUBLIC_URL": "https://checks.example.org",
                  "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://desk@127.0.0.1:1/desk"}
    with pytest.raises(config.ConfigError, match="MAIL_URL is not set: production sends invitations"):
        config.load({**production, "MAIL_URL": None})
    assert config.load({**production, "MAIL_URL": "smtp://mail.desk.test:25"})["MAIL_SMTP"]["MAIL_PORT"] == 25


@pytest.mark.parametrize("url", ["http://mail.desk.test", "smtp://", "smtp://host:port"])
def test_a_mail_url_the_desk_cannot_use_stops_it_at_start(url):
    with pytest.raises(config.ConfigError, match="MAIL_URL"):
        config.mail_settings(url)
