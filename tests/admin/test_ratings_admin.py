"""The rating scale editor for admins: add, edit, validate, reorder, deactivate; labels in use stay."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from factdesk.claims.highlight import add_claim, locate
from factdesk.extensions import db
from factdesk.models import Rating
from factdesk.ratings import rating_by_label, scale

from tests.conftest import login, post_form

NEW = {"label": "needs-context", "name": "Needs context", "definition": "Accurate, but missing context.",
       "colour": "#336699", "ordinal": "", "active": "y"}


def test_admin_adds_a_rating_at_the_end_of_the_scale(client, admin):
    login(client, admin)
    response = post_form(client, "/admin/ratings", NEW, follow_redirects=True)
    assert response.status_code == 200 and "Needs context is on the scale." in response.get_data(as_text=True)
    labels = [r.label for r in scale()]
    assert labels[-1] == "needs-context" and len(labels) == 8
    rating = rating_by_label("needs-context")
    assert rating.colour == "#336699" and rating.ordinal is None and rating.active


@pytest.mark.parametrize("field, value, message", [
    ("colour", "blue", "The colour must look like #1e7b34"),
    ("colour", "#12345", "The colour must look like #1e7b34"),
    ("label", "Needs Context", "Use lower-case letters"),
    ("label", "true", "already on the scale"),
    ("name", "", "Give the rating a name"),
    ("ordinal", "zero", "The ordinal is a whole number"),
])
def test_invalid_rating_comes_back_with_what_was_typed(client, admin, field, value, message):
    login(client, admin)
    response = post_form(client, "/admin/ratings", {**NEW, field: value})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and "Accurate, but missing context." in page
    assert rating_by_label("needs-context") is None


def test_admin_moves_a_rating_up_and_down(client, admin):
    login(client, admin)
    false = rating_by_label("false")
    post_form(client, f"/admin/ratings/{false.id}/move", {"direction": "up"})
    assert [r.label for r in scale()][:5] == ["true", "mostly-true", "half-true", "false", "mostly-false"]
    post_form(client, f"/admin/ratings/{false.id}/move", {"direction": "down"})
    post_form(client, f"/admin/ratings/{false.id}/move", {"direction": "down"})
    assert [r.label for r in scale()][3:6] == ["mostly-false", "misleading", "false"]


def test_a_rating_used_by_a_claim_cannot_be_deleted_or_relabelled_but_can_be_deactivated(client, admin, seed_article,
                                                                                          checker):
    claim = add_claim(seed_article, checker, locate(seed_article,
                                                    quote="In 2022 alone, they have conducted 69 launches"))
    claim.rating = rating_by_label("misleading")
    db.session.commit()
    misleading = rating_by_label("misleading")
    login(client, admin)
    page = client.get("/admin/ratings").get_data(as_text=True)
    assert f'action="/admin/ratings/{misleading.id}/delete"' not in page
    response = post_form(client, f"/admin/ratings/{misleading.id}/delete", follow_redirects=True)
    assert "deactivate it instead" in response.get_data(as_text=True)
    assert rating_by_label("misleading") is not None
    edit = {"label": "misleading-claim", "name": "Misleading", "definition": "x", "colour": "#8e44ad", "ordinal": ""}
    response = post_form(client, f"/admin/ratings/{misleading.id}", edit)
    assert response.status_code == 422 and "so it stays" in response.get_data(as_text=True)
    response = post_form(client, f"/admin/ratings/{misleading.id}", {**edit, "label": "misleading",
                                                                     "name": "Misleading (retired)"})
    assert response.status_code == 302
    db.session.expire_all()
    rating = rating_by_label("misleading")
    assert rating.name == "Misleading (retired)" and rating.active is False
    assert "misleading" not in [r.label for r in scale()]
    assert db.session.get(type(claim), claim.id).rating.label == "misleading"


def test_an_unused_rating_can_be_deleted(client, admin):
    login(client, admin)
    post_form(client, "/admin/ratings", NEW)
    rating = rating_by_label("needs-context")
    response = post_form(client, f"/admin/ratings/{rating.id}/delete", follow_redirects=True)
    assert "Needs context is deleted" in response.get_data(as_text=True)
    assert db.session.execute(select(Rating).where(Rating.label == "needs-context")).scalar() is None


def test_edited_colour_shows_in_the_queue(client, admin, seed_article, checker):
    claim = add_claim(seed_article, checker, locate(seed_article,
                                                    quote="In 2022 alone, they have conducted 69 launches"))
    claim.rating = rating_by_label("false")
    db.session.commit()
    login(client, admin)
    false = rating_by_label("false")
    post_form(client, f"/admin/ratings/{false.id}", {"label": "false", "name": "Wrong", "definition": "Not so.",
                                                       "colour": "#AA0011", "ordinal": "1", "active": "y"})
    page = client.get("/desk").get_data(as_text=True)
    assert 'fill="#aa0011"' in page and "Wrong" in page


def test_ratings_editor_is_for_admins(client, editor):
    login(client, editor)
    assert client.get("/admin/ratings").status_code == 403
