"""'Worth checking?': an article's sentences ranked by how checkable they are, with reasons."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from factdesk.articles.sentences import split_sentences
from factdesk.assist.suggestions import suggest
from factdesk.claims.highlight import add_claim, locate
from factdesk.extensions import db
from factdesk.models import Claim
from factdesk.text import canonicalize

from tests.conftest import FIXTURES, login, post_form
from tests.support.factories import token_for

SEED = FIXTURES / "articles" / "dprk-munitions-interview.txt"


@pytest.fixture
def seed_text():
    return canonicalize(SEED.read_text(encoding="utf-8"))


def test_sentence_offsets_are_exact_code_points():
    text = ("The U.S. Senior Official said 10 cases. Was it “true”? Yes — 3.5 percent rose. Mr. Lee left."
            "\n\nNext ✓ line.")
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "The U.S. Senior Official said 10 cases.", "Was it “true”?", "Yes — 3.5 percent rose.", "Mr. Lee left.",
        "Next ✓ line."]
    for s in sentences:
        assert text[s.start:s.end] == s.text


def test_seed_article_top_five_has_the_four_figures_and_no_question(seed_text):
    top = suggest(seed_text, limit=5)
    joined = " | ".join(s.sentence for s in top)
    assert "10,000 containers" in joined
    assert "7,000 containers" in joined
    assert "69 launches" in joined
    assert "a minimum of 10 occurrences" in joined or "a minimum of 10 occasions" in joined
    assert not any(s.sentence.rstrip().endswith("?") for s in top)
    for s in top:
        assert seed_text[s.start:s.end] == s.sentence
        assert s.reasons and 0 < s.score <= 1


def test_questions_opinion_and_boilerplate_rank_low(seed_text):
    ranked = suggest(seed_text, limit=None)
    position = {s.sentence: i for i, s in enumerate(ranked)}
    half = len(ranked) // 2
    for low in ("Can you discuss the strengthening relationship between Moscow and Pyongyang?",
                "I think Kim Jong Un probably knows what that would likely mean in response.",
                "The text has been revised for conciseness and comprehensibility.",
                "Source: voanews.com", "Europe Ukraine"):
        assert position[low] > half, low
    assert "a question" in next(s for s in ranked if s.sentence.startswith("Can you discuss")).reasons


def test_reasons_name_the_signals():
    [s] = suggest("Exports rose 12% to $4.5 billion in 2023, the largest rise on record, the ministry said.", 1)
    text = " ".join(s.reasons)
    for phrase in ("figures", "a percentage", "an amount of money", "a change over time", "a superlative",
                   "a date or time"):
        assert phrase in text


def test_a_repeated_sentence_is_suggested_once():
    text = "Sales rose 5% in May, the company said.\n\nSales rose 5% in May, the company said."
    assert len(suggest(text, limit=None)) == 1


def test_subscribe_lines_rank_below_statements():
    text = ("Subscribe to our newsletter for 50% off.\n\n"
            "The city council approved a budget of $3 million on Tuesday, officials said.")
    assert suggest(text, limit=1)[0].sentence.startswith("The city council")


def test_api_suggestions_leave_out_highlighted_sentences(client, seed_article, checker):
    quote = "In 2022 alone, they have conducted 69 launches"
    headers = token_for(checker)
    before = client.get(f"/api/v1/articles/{seed_article.id}/suggestions?limit=20", headers=headers).get_json()
    assert any("69 launches" in s["sentence"] for s in before["items"])
    item = before["items"][0]
    assert set(item) >= {"start", "end", "sentence", "score", "reasons"}
    assert seed_article.text[item["start"]:item["end"]] == item["sentence"]
    add_claim(seed_article, checker, locate(seed_article, quote=quote))
    db.session.commit()
    after = client.get(f"/api/v1/articles/{seed_article.id}/suggestions?limit=20", headers=headers).get_json()
    assert not any("69 launches" in s["sentence"] for s in after["items"])


def test_api_suggestions_need_a_login_and_an_article(client, seed_article, checker):
    assert client.get(f"/api/v1/articles/{seed_article.id}/suggestions").status_code == 401
    assert client.get("/api/v1/articles/424242/suggestions", headers=token_for(checker)).status_code == 404


def test_article_page_shows_suggestions_that_become_a_claim_in_one_click(client, seed_article, checker):
    login(client, checker)
    page = client.get(f"/desk/articles/{seed_article.id}").get_data(as_text=True)
    assert "Worth checking?" in page and "suggestion" in page
    assert "In 2022 alone, they have conducted 69 launches" in page
    start = seed_article.text.index("In 2022 alone")
    end = seed_article.text.index(".", start) + 1
    assert f'name="start" value="{start}"' in page
    assert db.session.execute(select(Claim)).first() is None  # a suggestion is never a claim by itself
    response = post_form(client, f"/desk/articles/{seed_article.id}/claims",
                         {"start": start, "end": end, "quote": seed_article.text[start:end]})
    assert response.status_code == 302
    db.session.rollback()
    [claim] = db.session.execute(select(Claim)).scalars().all()
    assert claim.quote == "In 2022 alone, they have conducted 69 launches and several dozen in the previous year."
    page = client.get(f"/desk/articles/{seed_article.id}").get_data(as_text=True)
    assert f'name="start" value="{start}"' not in page  # highlighted now: no longer suggested


SENTENCES = ("Exports rose 12% in 2023. The minister said 40 schools closed. Prices fell to $3 on Monday. "
             "Is that right? I think so. The largest port handled 9,000 ships.")


@given(spans=st.lists(st.tuples(st.integers(0, len(SENTENCES)), st.integers(1, 40)), max_size=6))
def test_highlighted_spans_leave_out_exactly_the_sentences_they_touch(spans):
    skip = [(start, min(start + length, len(SENTENCES))) for start, length in spans]
    kept = {(s.start, s.end) for s in suggest(SENTENCES, limit=None, skip=skip)}
    for sentence in split_sentences(SENTENCES):
        touched = any(sentence.start < e and s < sentence.end for s, e in skip)
        assert ((sentence.start, sentence.end) in kept) == (not touched)
