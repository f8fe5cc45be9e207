"""Notifications: assigned to you, sent back to you, mentioned, approved, published; unread count; mark read."""
from __future__ import annotations

import lxml.html

from factdesk.bench.statements import counting_statements
from factdesk.claims import comments, editing
from factdesk.extensions import db
from factdesk.models import Notification, Role

from tests.conftest import login, post_form
from tests.support.factories import SeedClaimFactory, UserFactory, move, to_state

UNREAD = 'string(//nav//a[contains(@href, "/desk/notifications")]//span[contains(@class, "unread")])'


def _kinds(user) -> list[str]:
    return [n.kind for n in db.session.query(Notification).filter_by(user_id=user.id).order_by(Notification.id)]


def test_assigning_someone_notifies_them_but_not_oneself(seed_article, checker, editor):
    claim = SeedClaimFactory(article=seed_article, by=checker)
    editing.update_claim(claim, editor, {"assignee": checker.id}, claim.version)
    db.session.commit()
    assert _kinds(checker) == ["assigned"]
    editing.update_claim(claim, editor, {"assignee": editor.id}, claim.version)
    db.session.commit()
    assert _kinds(editor) == []


def test_sent_back_approved_and_published_reach_the_checker(seed_article, checker, editor, editor2):
    claim = to_state(SeedClaimFactory(article=seed_article, by=checker), "changes_requested", checker, editor)
    note = db.session.query(Notification).filter_by(user_id=checker.id, kind="sent_back").one()
    assert "Needs a better source." in note.message and note.claim_id == claim.id
    move(claim, "in_review", checker)
    move(claim, "approved", editor2)
    move(claim, "published", editor)
    assert _kinds(checker) == ["sent_back", "approved", "published"]


def test_mentions_by_handle_or_full_address_notify_once(seed_article, checker, editor, editor2):
    same_local = UserFactory(role=Role.checker, email="editor@elsewhere.test", name="Namesake")
    claim = SeedClaimFactory(article=seed_article, by=checker)
    comments.add_comment(claim, checker, "Ping @editor2 and @EDITOR2 again, and @editor@desk.test; not @nobody.")
    db.session.commit()
    assert _kinds(editor2) == ["mentioned"]
    assert _kinds(editor) == ["mentioned"]
    assert _kinds(same_local) == []          # the full address picked one of the two "editor"s
    assert _kinds(checker) == []             # nobody is told of their own comment
    comments.add_comment(claim, checker, "Now both of you, @editor.")
    db.session.commit()
    assert _kinds(same_local) == ["mentioned"] and _kinds(editor) == ["mentioned", "mentioned"]


def test_mentions_of_handles_with_non_ascii_letters_reach_them_in_any_case(seed_article, checker):
    elodie = UserFactory(role=Role.checker, email="Élodie@desk.test", name="Élodie Martin")
    strasse = UserFactory(role=Role.checker, email="straße@desk.test", name="Anna Straße")
    claim = SeedClaimFactory(article=seed_article, by=checker)
    comments.add_comment(claim, checker, "Over to @ÉLODIE and @STRASSE@desk.test.")
    db.session.commit()
    assert _kinds(elodie) == ["mentioned"] and _kinds(strasse) == ["mentioned"]
    assert comments.handle(elodie) == "élodie"


def test_a_mention_inside_an_email_address_is_not_a_mention(seed_article, checker, editor):
    claim = SeedClaimFactory(article=seed_article, by=checker)
    comments.add_comment(claim, checker, "Write to press@editor.example for the data.")
    db.session.commit()
    assert _kinds(editor) == []


def test_unread_count_in_the_navigation_and_mark_read(client, seed_article, checker, editor):
    claim = SeedClaimFactory(article=seed_article, by=checker)
    comments.add_comment(claim, editor, "@checker have a look")
    comments.add_comment(claim, editor, "@checker and this")
    db.session.commit()
    login(client, checker)
    page = client.get("/desk/notifications")
    assert page.status_code == 200
    doc = lxml.html.fromstring(page.get_data(as_text=True))
    assert doc.xpath(UNREAD) == "2"
    with counting_statements(db.engine) as seen:  # the badge's count comes with the person: no statement of its own
        assert lxml.html.fromstring(client.get("/desk").get_data(as_text=True)).xpath(UNREAD) == "2"
    assert not [s for s in seen if s.lstrip().startswith("SELECT count(notifications.id)")], seen
    assert sum("FROM notifications" in s for s in seen) == 1, seen
    assert len(doc.xpath('//li[contains(@class, "notification") and contains(@class, "unread")]')) == 2
    first = db.session.query(Notification).filter_by(user_id=checker.id).order_by(Notification.id).first()
    response = post_form(client, f"/desk/notifications/{first.id}/read", {"next": f"/desk/claims/{claim.id}"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/desk/claims/{claim.id}")
    doc = lxml.html.fromstring(client.get("/desk/notifications").get_data(as_text=True))
    assert doc.xpath(UNREAD) == "1"
    post_form(client, "/desk/notifications/read-all")
    doc = lxml.html.fromstring(client.get("/desk/notifications").get_data(as_text=True))
    assert doc.xpath('//nav//span[contains(@class, "unread")]') == []
    assert db.session.query(Notification).filter(Notification.user_id == checker.id,
                                                 Notification.read_at.is_(None)).count() == 0


def test_one_cannot_mark_someone_elses_notification(client, seed_article, checker, editor):
    claim = SeedClaimFactory(article=seed_article, by=checker)
    comments.add_comment(claim, checker, "@editor look")
    db.session.commit()
    theirs = db.session.query(Notification).filter_by(user_id=editor.id).one()
    login(client, checker)
    post_form(client, f"/desk/notifications/{theirs.id}/read")
    assert db.session.get(Notification, theirs.id).read_at is None


def test_mark_read_never_redirects_off_the_desk(client, seed_article, checker, editor):
    claim = SeedClaimFactory(article=seed_article, by=checker)
    comments.add_comment(claim, editor, "@checker look")
    db.session.commit()
    note = db.session.query(Notification).filter_by(user_id=checker.id).one()
    login(client, checker)
    response = post_form(client, f"/desk/notifications/{note.id}/read", {"next": "https://evil.example/"})
    assert response.headers["Location"].endswith("/desk/notifications")


def test_a_mention_of_nobody_is_told_to_the_writer_not_dropped(client, seed_article, checker, editor):
    claim = SeedClaimFactory(article=seed_article, by=checker)
    login(client, checker)
    page = post_form(client, f"/desk/claims/{claim.id}/comments",
                     {"comment-body": "@editor and @nosuchperson, please look."}, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "Comment added." in html
    assert "Nobody on the desk answers to @nosuchperson: they were not told." in html
    assert "@editor:" not in html and "@editor," not in html.split("Nobody on the desk")[1][:80]
    assert db.session.execute(db.select(Notification).where(Notification.user_id == editor.id)).scalars().all()
    assert comments.unknown_mentions("@editor@desk.test @EDITOR fine") == []
