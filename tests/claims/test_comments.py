"""The discussion on a claim: comments about words of the quote, and the people offered while a
handle is typed (claims/comments.py, the /desk/mentions choices, the API)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from factdesk.articles.revise import revise_article
from factdesk.claims.comments import about_in_quote, add_comment, people_to_mention
from factdesk.errors import ValidationError
from factdesk.extensions import db
from factdesk.models import Comment, Role

from tests.conftest import login
from tests.support.factories import SeedClaimFactory, UserFactory, token_for

QUOTE0 = "North Korea has sent more than 10,000 containers filled with military weapons to Russia"


@pytest.fixture
def claim(seed_article, checker):
    return SeedClaimFactory(article=seed_article, by=checker, n=0)


def test_a_comment_about_words_of_the_quote_keeps_them_and_where_they_began(claim, checker):
    comment = add_comment(claim, checker, "Which source says *more than*?", about="more  than\n10,000 containers")
    db.session.commit()
    assert (comment.about_words, comment.about_start) == ("more than 10,000 containers", QUOTE0.index("more"))
    before, words, after = about_in_quote(comment, claim.quote)
    assert words == "more than 10,000 containers"
    assert before == "North Korea has sent " and after == " filled with military weapons to Russia"


def test_words_twice_in_the_quote_are_told_apart_by_where_they_were_selected(seed_article, checker):
    claim = SeedClaimFactory(article=seed_article, by=checker, n=1)  # "…of 7,000 containers given by the South …"
    words = "the"
    second = claim.quote.index(" the ") + 1
    assert claim.quote.index(words) < second
    comment = add_comment(claim, checker, "Which one?", about=words, about_start=second)
    assert comment.about_start == second


@pytest.mark.parametrize("about, message", [
    ("20,000 containers", "“20,000 containers” is not in the claim's quote"),
    ("x" * 2001, "limited to 2,000 characters"),
])
def test_words_not_in_the_quote_are_refused_with_the_reason(claim, checker, about, message):
    with pytest.raises(ValidationError) as refused:
        add_comment(claim, checker, "About this", about=about)
    assert message in refused.value.message and refused.value.fields == {"about": refused.value.fields["about"]}
    assert db.session.execute(select(Comment)).first() is None


def test_the_words_are_found_again_in_a_changed_quote_or_said_to_be_gone(seed_article, claim, checker):
    kept = add_comment(claim, checker, "On the count", about="10,000 containers")
    gone = add_comment(claim, checker, "On the cargo", about="military weapons")
    db.session.commit()
    revise_article(seed_article, seed_article.text.replace("military weapons", "arms"), checker)
    db.session.commit()
    db.session.refresh(claim)
    assert claim.quote != QUOTE0
    assert about_in_quote(kept, claim.quote)[1] == "10,000 containers"
    assert about_in_quote(gone, claim.quote) is None


def test_people_are_offered_by_handle_or_name_and_a_shared_handle_by_whole_address(app, checker):
    maria = UserFactory(role=Role.checker, email="maria@desk.test", name="Maria López")
    UserFactory(role=Role.editor, email="maria@wire.test", name="Maria Wire")
    UserFactory(role=Role.editor, email="olu@desk.test", name="Olúwaseun Adé")
    gone = UserFactory(role=Role.checker, email="mark@desk.test", name="Mark Gone")
    gone.active = False
    db.session.commit()
    assert people_to_mention("mar") == [("maria@desk.test", "Maria López"), ("maria@wire.test", "Maria Wire")]
    assert people_to_mention("adé") == [("olu", "Olúwaseun Adé")]  # the start of any word of the name
    assert people_to_mention("@olu") == [("olu", "Olúwaseun Adé")]
    assert people_to_mention("m%") == [] and people_to_mention("_aria") == []  # wildcards are letters here
    assert people_to_mention("nobody") == []
    assert maria.active


def test_the_mention_choices_answer_json_to_the_desk(client, checker):
    UserFactory(role=Role.editor, email="olu@desk.test", name="Olúwaseun Adé")
    login(client, checker)
    answer = client.get("/desk/mentions?q=ol")
    assert answer.status_code == 200 and answer.get_json() == {
        "query": "ol", "items": [{"handle": "olu", "name": "Olúwaseun Adé"}]}
    assert client.get("/desk/mentions?q=zz").get_json()["items"] == []
    refused = client.get("/desk/mentions?q=" + "a" * 61)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"] == {"q": "too_long"}


def test_the_api_takes_and_gives_the_words_a_comment_is_about(client, claim, checker):
    headers = token_for(checker)
    posted = client.post(f"/api/v1/claims/{claim.id}/comments", headers=headers,
                         json={"body": "Source?", "about": "10,000 containers"})
    assert posted.status_code == 201
    assert posted.get_json()["about"] == {"words": "10,000 containers", "start": QUOTE0.index("10,000")}
    refused = client.post(f"/api/v1/claims/{claim.id}/comments", headers=headers,
                          json={"body": "Source?", "about": "twelve ships"})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"] == {"about": "not_in_quote"}
    plain = client.post(f"/api/v1/claims/{claim.id}/comments", headers=headers, json={"body": "Plain"})
    assert plain.get_json()["about"] is None
