"""Readers' listing (public_checks) says what `is_public()` says after every move of the published record."""
from __future__ import annotations

from factdesk.extensions import db
from factdesk.ratings import RatingInput, rating_by_label, update_rating
from tests.support.factories import ArticleFactory, ClaimFactory, move, to_state
from tests.support.listing import listed, what_readers_see

TEXT = ("The governor said the state has 3,000 new teachers this year. Crime fell by 12 percent in the city. "
        "The bridge cost 40 million to build.")


def _agrees(expected_claims: set[int]) -> set[tuple]:
    rows = listed()
    assert rows == what_readers_see()
    assert {row[0] for row in rows} == expected_claims
    return rows


def test_the_listing_follows_publish_correct_reopen_withdraw_and_republish(app, client, checker, editor, admin):
    story = ArticleFactory(by=checker, title="State of the state", text=TEXT)
    teachers = ClaimFactory(article=story, by=checker, quote="the state has 3,000 new teachers this year")
    crime = ClaimFactory(article=story, by=checker, quote="Crime fell by 12 percent in the city")
    bridge = ClaimFactory(article=story, by=checker, quote="The bridge cost 40 million to build")
    _agrees(set())

    to_state(teachers, "published", checker, editor, rating="true", tags=["education", "budget"])
    to_state(crime, "published", checker, editor, rating="false", tags=["crime"])
    first = {row[0]: row for row in _agrees({teachers.id, crime.id})}
    assert first[teachers.id][3:] == ("true", frozenset({"education", "budget"}))
    assert client.get("/?tag=budget").get_data(as_text=True).count('class="check-card"') == 1

    move(teachers, "researching", editor, "Revised hiring figures came in.")  # reopened: still shown as published
    assert _agrees({teachers.id, crime.id}) == set(first.values())
    to_state(teachers, "published", checker, editor, rating="mostly-false", tags=["education"])
    corrected = {row[0]: row for row in _agrees({teachers.id, crime.id})}
    assert corrected[teachers.id][1] != first[teachers.id][1]  # the correction is the one shown
    assert corrected[teachers.id][2] == first[teachers.id][2]  # first published date kept: its place on the home
    assert corrected[teachers.id][3:] == ("mostly-false", frozenset({"education"}))
    assert 'class="check-card"' not in client.get("/?tag=budget").get_data(as_text=True)
    assert client.get("/?rating=mostly-false").get_data(as_text=True).count('class="check-card"') == 1

    move(crime, "withdrawn", editor, "The source was fabricated.")
    _agrees({teachers.id})
    assert 'class="check-card"' not in client.get("/?rating=false").get_data(as_text=True)
    move(crime, "researching", editor, "A new source was found.")
    _agrees({teachers.id})  # withdrawn until published again
    to_state(crime, "published", checker, editor, rating="false", tags=["crime", "police"])
    _agrees({teachers.id, crime.id})

    rating = rating_by_label("false")
    update_rating(rating, RatingInput(label="false", name="Plainly wrong", definition=rating.definition,
                                      colour=rating.colour, ordinal=rating.ordinal), admin)
    db.session.commit()
    to_state(bridge, "published", checker, editor, rating="false")
    rows = {row[0]: row for row in _agrees({teachers.id, crime.id, bridge.id})}
    assert rows[bridge.id][3] == rows[crime.id][3] == "false"
    home = client.get("/?rating=false").get_data(as_text=True)
    assert home.count('class="check-card"') == 2 and "Plainly wrong" in home
