"""The life of a claim (DESIGN.md §2): every allowed move by the right people, every other one refused."""
from __future__ import annotations

import pytest

from factdesk.claims import editing, workflow
from factdesk.errors import ConflictError, PermissionDenied, ValidationError
from factdesk.extensions import db
from factdesk.models import Claim, ClaimHistory, Publication, Role, Status

from tests.support.factories import SeedClaimFactory, UserFactory, move, research, to_state

STATES = [s.value for s in Status]

# §2 as the people on the desk read it: for a claim researched by checker A, what each person may do.
# "checker_a" is the assignee once research started; "checker_b" is another checker.
EXPECTED = {
    ("new", "checker_a"): ["researching"],
    ("new", "checker_b"): ["researching"],
    ("new", "editor"): ["researching", "discarded"],
    ("researching", "checker_a"): ["new", "in_review"],
    ("researching", "checker_b"): [],
    ("researching", "editor"): ["new", "in_review", "discarded"],
    ("in_review", "checker_a"): [],
    ("in_review", "checker_b"): [],
    ("in_review", "editor"): ["approved", "changes_requested"],
    ("changes_requested", "checker_a"): ["in_review"],
    ("changes_requested", "checker_b"): [],
    ("changes_requested", "editor"): ["in_review", "discarded"],
    ("approved", "checker_a"): [],
    ("approved", "checker_b"): [],
    ("approved", "editor"): ["published", "researching"],
    ("published", "checker_a"): [],
    ("published", "checker_b"): [],
    ("published", "editor"): ["researching", "withdrawn"],
    ("discarded", "checker_a"): [],
    ("discarded", "checker_b"): [],
    ("discarded", "editor"): ["new"],
    ("withdrawn", "checker_a"): [],
    ("withdrawn", "checker_b"): [],
    ("withdrawn", "editor"): ["researching"],
}
# Admins can do everything an editor can.
EXPECTED.update({(state, "admin"): moves for (state, who), moves in list(EXPECTED.items()) if who == "editor"})


@pytest.fixture
def people(app, checker, editor, admin):
    return {"checker_a": checker, "checker_b": UserFactory(role=Role.checker, email="b@desk.test", name="Checker B"),
            "editor": editor, "admin": admin}


def _last(claim: Claim) -> ClaimHistory:
    return db.session.query(ClaimHistory).filter_by(claim_id=claim.id).order_by(ClaimHistory.id.desc()).first()


def _moved(claim: Claim, to: str, by, comment: str | None = None) -> None:
    before = claim.status.value
    move(claim, to, by, comment)
    db.session.refresh(claim)
    assert claim.status.value == to
    entry = _last(claim)
    assert (entry.action, entry.field, entry.before, entry.after, entry.by_id, entry.comment) == (
        "transition", "status", before, to, by.id, comment)


def test_one_claim_walks_every_allowed_move_by_the_right_people(seed_article, checker, editor, admin, editor2):
    claim = SeedClaimFactory(article=seed_article, by=checker)
    seen: set[tuple[str, str]] = set()

    def go(to, by, comment=None):
        seen.add((claim.status.value, to))
        _moved(claim, to, by, comment)

    go("researching", checker)                       # a checker self-assigns
    assert claim.assignee_id == checker.id
    go("new", checker)                               # the assignee gives it back: unassigned
    assert claim.assignee_id is None
    editing.update_claim(claim, editor, {"assignee": checker.id}, claim.version)
    db.session.commit()
    go("researching", editor)                        # an editor starts it for the assignee
    go("new", editor)
    go("discarded", editor, "Opinion, not checkable.")
    go("new", editor)
    go("researching", checker)
    go("discarded", editor, "Duplicate of claim 1.")
    go("new", admin)
    go("researching", checker)
    research(claim, checker)
    go("in_review", checker)                         # the assignee submits
    go("changes_requested", editor, "Cite the customs data.")
    go("discarded", editor, "The article was retracted.")
    go("new", editor)
    go("researching", checker)
    go("in_review", checker)
    go("changes_requested", admin, "Say which count.")
    go("in_review", checker)                         # from changes_requested
    go("approved", editor)
    go("researching", editor, "A new source came in.")
    go("in_review", editor)                          # an editor may submit too
    go("approved", admin)
    go("published", admin)
    assert claim.published_at is not None
    go("researching", editor2, "The customs data were revised.")
    editing.update_claim(claim, checker, {"rating": "half-true"}, claim.version)
    db.session.commit()
    go("in_review", checker)
    go("approved", editor2)
    go("published", editor2)
    go("withdrawn", editor, "The video was shown to be doctored.")
    go("researching", admin, "A clean copy of the video turned up.")

    every_move = {(s, to) for (s, who), moves in EXPECTED.items() for to in moves}
    assert seen == every_move


@pytest.mark.parametrize("state, role", sorted(EXPECTED))
def test_every_other_move_is_refused_naming_the_allowed_moves(seed_article, people, state, role):
    claim = to_state(SeedClaimFactory(article=seed_article, by=people["checker_a"]), state, people["checker_a"],
                     people["editor"])
    person = people[role]
    allowed = EXPECTED[(state, role)]
    assert workflow.allowed_moves(claim, person) == allowed
    version = claim.version
    for target in STATES:
        if target in allowed:
            continue
        with pytest.raises(ConflictError) as refused:
            workflow.transition(claim, target, person, "because")
        assert refused.value.code == "invalid_transition"
        assert refused.value.fields == {"allowed": allowed}
        message = refused.value.message
        assert f"cannot move to {workflow.LABELS[Status(target)]}" in message
        for name in allowed:
            assert workflow.LABELS[Status(name)] in message
        if not allowed:
            assert "none" in message
        db.session.rollback()
    assert db.session.get(Claim, claim.id).status.value == state
    assert db.session.get(Claim, claim.id).version == version


def test_four_eyes_holds_for_an_admin(seed_article, checker, admin, editor):
    claim = SeedClaimFactory(article=seed_article, by=checker)
    editing.update_claim(claim, admin, {"assignee": admin.id}, claim.version)
    move(claim, "researching", admin)
    research(claim, admin)                 # the admin sets rating and rationale
    move(claim, "in_review", admin)
    assert claim.verdict_by_id == admin.id
    assert "approved" not in workflow.allowed_moves(claim, admin)
    with pytest.raises(PermissionDenied) as refused:
        workflow.transition(claim, "approved", admin)
    assert refused.value.code == "four_eyes"
    assert "another editor" in refused.value.message
    assert refused.value.fields["allowed"] == ["changes_requested"]
    db.session.rollback()
    move(claim, "approved", editor)        # somebody else may
    assert claim.status == Status.approved


def test_the_last_person_to_touch_the_verdict_counts(seed_article, checker, editor, editor2):
    claim = SeedClaimFactory(article=seed_article, by=checker)
    research(claim, checker)
    editing.update_claim(claim, editor, {"rationale": "Tightened by the editor."}, claim.version)
    db.session.commit()
    move(claim, "in_review", checker)
    with pytest.raises(PermissionDenied):
        workflow.transition(claim, "approved", editor)
    db.session.rollback()
    move(claim, "approved", editor2)


@pytest.mark.parametrize("app_settings", [{"ALLOW_SELF_APPROVAL": True}])
def test_allow_self_approval_lifts_four_eyes(seed_article, admin, checker):
    claim = SeedClaimFactory(article=seed_article, by=checker)
    editing.update_claim(claim, admin, {"assignee": admin.id}, claim.version)
    move(claim, "researching", admin)
    research(claim, admin)
    move(claim, "in_review", admin)
    assert "approved" in workflow.allowed_moves(claim, admin)
    move(claim, "approved", admin)
    move(claim, "published", admin)
    assert claim.status == Status.published


def test_submitting_needs_rating_rationale_and_evidence(seed_article, checker):
    claim = SeedClaimFactory(article=seed_article, by=checker)
    move(claim, "researching", checker)
    with pytest.raises(ValidationError) as refused:
        workflow.transition(claim, "in_review", checker)
    assert set(refused.value.fields) == {"rating", "rationale", "evidence"}
    assert "at least one evidence link" in refused.value.message


def test_an_editor_starting_research_needs_an_assignee(seed_article, checker, editor):
    claim = SeedClaimFactory(article=seed_article, by=checker)
    with pytest.raises(ValidationError) as refused:
        workflow.transition(claim, "researching", editor)
    assert refused.value.fields == {"assignee": "required"}


@pytest.mark.parametrize("state, to", [("in_review", "changes_requested"), ("approved", "researching"),
                                       ("published", "researching"), ("new", "discarded"),
                                       ("researching", "discarded"), ("changes_requested", "discarded")])
def test_moves_that_need_words_refuse_without_them(seed_article, checker, editor, editor2, state, to):
    claim = to_state(SeedClaimFactory(article=seed_article, by=checker), state, checker, editor)
    with pytest.raises(ValidationError) as refused:
        workflow.transition(claim, to, editor2, "   ")
    assert refused.value.fields == {"comment": "required"}


def test_a_checker_cannot_take_a_claim_assigned_to_someone_else(seed_article, checker, editor):
    other = UserFactory(role=Role.checker, email="other@desk.test", name="Other Checker")
    claim = SeedClaimFactory(article=seed_article, by=checker)
    editing.update_claim(claim, editor, {"assignee": other.id}, claim.version)
    db.session.commit()
    assert workflow.allowed_moves(claim, checker) == []
    assert workflow.allowed_moves(claim, other) == ["researching"]


def test_publishing_writes_a_publication_and_a_correction_when_the_verdict_changes(seed_article, checker, editor,
                                                                                   editor2):
    claim = to_state(SeedClaimFactory(article=seed_article, by=checker), "published", checker, editor)
    first = db.session.query(Publication).filter_by(claim_id=claim.id).one()
    assert (first.number, first.is_correction, first.rating.label) == (1, False, "false")
    published_at = claim.published_at
    move(claim, "researching", editor, "Unchanged republish.")
    move(claim, "in_review", checker)
    move(claim, "approved", editor2)
    move(claim, "published", editor2)
    second = db.session.query(Publication).filter_by(claim_id=claim.id, number=2).one()
    assert second.is_correction is False and second.correction_reason is None

    move(claim, "researching", editor, "New customs figures lowered the count.")
    editing.update_claim(claim, checker, {"rating": "half-true", "rationale": "The revised figures say less."},
                         claim.version)
    db.session.commit()
    move(claim, "in_review", checker)
    move(claim, "approved", editor2)
    move(claim, "published", editor)
    third = db.session.query(Publication).filter_by(claim_id=claim.id, number=3).one()
    assert third.is_correction is True
    assert third.correction_reason == "New customs figures lowered the count."
    assert (third.rating.label, third.rationale) == ("half-true", "The revised figures say less.")
    assert db.session.get(Claim, claim.id).published_at == published_at  # the first publication's date stays


def test_publishing_refuses_what_readers_pages_cannot_show(seed_article, checker, editor, editor2):
    claim = SeedClaimFactory(article=seed_article, by=checker)
    editing.update_claim(claim, checker, {"claimant": ""}, claim.version)
    db.session.commit()
    to_state(claim, "approved", checker, editor)
    with pytest.raises(ValidationError) as refused:
        workflow.transition(claim, "published", editor2)
    assert refused.value.code == "not_publishable"
    assert any("claimant" in p for p in refused.value.fields["problems"])


def test_unknown_state_is_422(seed_article, checker):
    claim = SeedClaimFactory(article=seed_article, by=checker)
    with pytest.raises(ValidationError) as refused:
        workflow.transition(claim, "archived", checker)
    assert "archived" in refused.value.message


def test_moves_notify_the_people_concerned(seed_article, checker, editor, editor2):
    from factdesk.models import Notification

    claim = to_state(SeedClaimFactory(article=seed_article, by=checker), "changes_requested", checker, editor)
    kinds = [n.kind for n in db.session.query(Notification).filter_by(user_id=checker.id)]
    assert "sent_back" in kinds
    move(claim, "in_review", checker)
    move(claim, "approved", editor2)
    move(claim, "published", editor2)
    kinds = [n.kind for n in db.session.query(Notification).filter_by(user_id=checker.id)]
    assert {"sent_back", "approved", "published"} <= set(kinds)
    assert db.session.query(Notification).filter_by(user_id=editor2.id).count() == 0  # not of one's own doing
