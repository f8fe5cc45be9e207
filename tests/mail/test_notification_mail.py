"""Notification e-mail as each person chooses on /account — at once, a daily digest (in DESK_TIMEZONE's
day), never — read from a real SMTP server, with an unsubscribe link in each mail that works."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from factdesk import notify
from factdesk.extensions import db
from factdesk.models import NotifyEmail, User

from tests.conftest import login, post_form
from tests.support.mailkit import html_of, inbox, links_in, mail_port, path_of, text_of  # noqa: F401


@pytest.fixture
def app_settings(mail_port):
    return {"MAIL_URL": f"smtp://127.0.0.1:{mail_port}", "MAIL_FROM": "Desk <desk@desk.test>",
            "PUBLIC_URL": "http://localhost", "DESK_TIMEZONE": "Europe/Berlin"}


def _choose(person, choice):
    person.notify_email = NotifyEmail(choice)
    db.session.commit()


def _notify(person, actor, message):
    notify.notify([person], "mentioned", None, actor, message)
    db.session.commit()


def test_the_account_page_saves_the_choice(client, checker):
    login(client, checker)
    assert re.search(r'<input checked[^>]* value="instant"', client.get("/account").get_data(as_text=True))
    assert post_form(client, "/account", {"notify_email": "digest"}).status_code == 302
    assert db.session.get(User, checker.id).notify_email == NotifyEmail.digest
    bad = post_form(client, "/account", {"notify_email": "hourly"})
    assert bad.status_code == 422


def test_a_notification_at_once(client, checker, editor, inbox, run_jobs, seed_article):
    from factdesk.claims.highlight import add_claim, locate

    claim = add_claim(seed_article, checker, locate(seed_article, quote="69 launches"))
    db.session.commit()
    login(client, editor)
    response = client.get(f"/desk/claims/{claim.id}")
    assert response.status_code == 200
    notify.notify([checker], "assigned", claim, editor, f"Editor Person assigned you to claim {claim.id}")
    db.session.commit()
    run_jobs()
    message = inbox.only(checker.email)
    assert message["Subject"] == f"Editor Person assigned you to claim {claim.id}"
    assert f"http://localhost/desk/claims/{claim.id}" in links_in(message)
    assert f'href="http://localhost/desk/claims/{claim.id}"' in html_of(message)
    unsubscribe = next(link for link in links_in(message) if "/account/unsubscribe/" in link)
    assert message["List-Unsubscribe"].strip() == f"<{unsubscribe}>"


def test_never_sends_nothing(checker, editor, inbox, run_jobs):
    _choose(checker, "never")
    _notify(checker, editor, "Editor Person mentioned you on claim 7: look")
    run_jobs()
    assert inbox.messages == []
    assert notify.unread_count(checker) == 1  # still on the notifications page


def test_a_daily_digest_lists_what_is_unread_once_per_desk_day(checker, editor, inbox, run_jobs):
    _choose(checker, "digest")
    _notify(checker, editor, "Editor Person mentioned you on claim 1: first")
    _notify(checker, editor, "Editor Person mentioned you on claim 2: second")
    run_jobs()
    assert inbox.messages == []  # no mail at once for a digest reader

    # 05:30 UTC is 06:30 in Berlin: before the digest hour of the desk's day. (The days are in the
    # past, so what is notified now counts as new the day after.)
    assert notify.send_digests(datetime(2026, 11, 18, 5, 30, tzinfo=timezone.utc)) == 0
    assert notify.send_digests(datetime(2026, 11, 18, 6, 30, tzinfo=timezone.utc)) == 1
    db.session.commit()
    run_jobs()
    digest = inbox.only(checker.email)
    assert digest["Subject"] == "Your digest for Wednesday 18 November 2026: 2 notifications"
    body = text_of(digest)
    assert "- Editor Person mentioned you on claim 1: first" in body
    assert "- Editor Person mentioned you on claim 2: second" in body
    assert "http://localhost/desk/notifications" in links_in(digest)
    assert any("/account/unsubscribe/" in link for link in links_in(digest))

    # Later the same desk day: nothing again. A later day: what is unread now (the first two were read).
    assert notify.send_digests(datetime(2026, 11, 18, 21, 0, tzinfo=timezone.utc)) == 0
    notify.mark_all_read(checker)
    _notify(checker, editor, "Editor Person mentioned you on claim 3: third")
    assert notify.send_digests(datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc)) == 1
    db.session.commit()
    run_jobs()
    latest = inbox.to(checker.email)[-1]
    assert "claim 3: third" in text_of(latest) and "claim 1: first" not in text_of(latest)


def test_the_digest_job_runs_through_the_queue(app, checker, editor, inbox, run_jobs):
    from factdesk.jobs import enqueue

    _choose(checker, "digest")
    _notify(checker, editor, "Editor Person mentioned you on claim 4: queued")
    enqueue("mail.digest")
    db.session.commit()
    run_jobs()
    if notify.desk_day(datetime.now(timezone.utc)).hour >= notify.DIGEST_HOUR:
        assert "claim 4: queued" in text_of(inbox.only(checker.email))
    else:
        assert inbox.messages == [] and db.session.get(User, checker.id).digest_sent_at is None


def test_the_unsubscribe_link_in_a_mail_stops_notification_mail(client, checker, editor, inbox, run_jobs):
    _notify(checker, editor, "Editor Person mentioned you on claim 5: hello")
    run_jobs()
    path = path_of(next(link for link in links_in(inbox.only(checker.email)) if "/account/unsubscribe/" in link))
    visitor = client.application.test_client()  # no login needed
    page = visitor.get(path)
    assert page.status_code == 200
    assert f"Stop sending notification e-mail to {checker.email}?" in page.get_data(as_text=True)
    assert db.session.get(User,
                          checker.id).notify_email == NotifyEmail.instant  # a GET (a mail scanner) changes nothing
    done = post_form(visitor, path)
    assert done.status_code == 200 and "No more notification e-mail goes to" in done.get_data(as_text=True)
    assert db.session.get(User, checker.id).notify_email == NotifyEmail.never
    _notify(checker, editor, "Editor Person mentioned you on claim 6: again")
    run_jobs()
    assert len(inbox.to(checker.email)) == 1


def test_a_forged_unsubscribe_link_is_refused(client, checker):
    response = client.get("/account/unsubscribe/not-signed-by-this-desk")
    assert response.status_code == 422
    assert "This unsubscribe link is not valid" in response.get_data(as_text=True)


RADIO = ("Officials said on Tuesday that the port of Rajin shipped about 7,000 containers of munitions to Russia "
         "last year.\n\nUnemployment rose by 4.2 percent to 1.3 million people in 2024, the statistics office said.")


def test_the_daily_digest_tells_what_monitoring_found_since_the_last_one(checker, editor, inbox, run_jobs):
    from factdesk.models import MonitorSource, SourceKind, utcnow

    from tests.support.factories import ArticleFactory, ClaimFactory, MonitoredArticleFactory, to_state

    _choose(editor, "digest")
    story = ArticleFactory(by=checker, title="Munitions", text="The ministry said 7,000 containers of munitions "
                                                               "were shipped from the port of Rajin to Russia.")
    check = ClaimFactory(article=story, by=checker,
                         quote="7,000 containers of munitions were shipped from the port of Rajin to Russia")
    to_state(check, "published", checker, editor)
    source = MonitorSource(url="https://harbour.example/feed", kind=SourceKind.feed, name="Harbour radio")
    db.session.add(source)
    db.session.flush()
    MonitoredArticleFactory(source=source, text=RADIO)

    tomorrow = datetime.combine(utcnow().date(), datetime.min.time(), timezone.utc).replace(hour=8) + timedelta(days=1)
    assert notify.send_digests(tomorrow) == 1  # the editor, who chose the digest
    db.session.commit()
    run_jobs()
    digest = inbox.only(editor.email)
    assert re.fullmatch(r"Your digest for \w+ \d+ \w+ \d{4}: 1 notification, \d+ sentences? worth checking, "
                        r"1 repeat to confirm", digest["Subject"]), digest["Subject"]
    body = text_of(digest)
    assert '- "Unemployment rose by 4.2 percent to 1.3 million people in 2024, the statistics office said."' in body
    assert f"- Claim {check.id} said again by Harbour radio" in body
    assert f"http://localhost/desk/claims/{check.id}" in links_in(digest)
    assert "http://localhost/desk/monitor" in links_in(digest)
    assert "Unemployment rose by 4.2 percent" in html_of(digest)

    # The next day, nothing new was found and nothing is unread since: no digest.
    assert notify.send_digests(tomorrow + timedelta(days=1)) == 0
