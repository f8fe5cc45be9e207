"""The revision benchmark's edit model and judge (factdesk.articles.edit_model, anchor_score)."""
from __future__ import annotations

import random

from factdesk.articles import anchor_score, edit_model
from factdesk.articles.anchoring import Anchor


def test_truth_follows_a_moved_paragraph_and_an_edited_word():
    text = "First para here.\n\nThe port handled 10,000 boxes last year.\n\nLast one."
    s = text.index("10,000 boxes")
    e = s + len("10,000 boxes")
    d = edit_model.Draft(text)
    edit_model.move_paragraph(d, random.Random(1), 1)
    k, i = d.find_old(s)
    d.replace(k, i, i + len("10,000"), "11,000")
    truth = d.truth(s, e)
    assert d.text[truth.span[0]:truth.span[1]] == "11,000 boxes" and not truth.exact


def test_truth_is_gone_when_the_sentence_is_rewritten():
    text = "Alpha said the port handled 10,000 boxes. Beta disagreed."
    s = text.index("handled 10,000")
    d = edit_model.Draft(text)
    edit_model.rewrite_sentence(d, random.Random(2), (s, s + len("handled 10,000")), ["Nothing of the sort."])
    assert d.truth(s, s + len("handled 10,000")).span is None


def test_judge_names_the_four_outcomes():
    exact = edit_model.Truth((10, 20), True)
    gone = edit_model.Truth(None, False)
    at = lambda s, e, state: Anchor(s, e, "q", "", "", state)  # noqa: E731
    assert anchor_score.judge(exact, at(10, 20, "moved")) == anchor_score.CORRECT
    assert anchor_score.judge(exact, at(30, 40, "moved")) == anchor_score.WRONG_SILENT
    assert anchor_score.judge(exact, at(30, 40, "fuzzy")) == anchor_score.WRONG_FLAGGED
    assert anchor_score.judge(exact, at(10, 20, "orphaned")) == anchor_score.MISSED
    assert anchor_score.judge(gone, at(10, 20, "orphaned")) == anchor_score.CORRECT
    assert anchor_score.judge(gone, at(10, 20, "fuzzy")) == anchor_score.CORRECT
    assert anchor_score.judge(gone, at(10, 20, "anchored")) == anchor_score.WRONG_SILENT


def test_every_kind_of_edit_is_scored_and_whitespace_raises_no_fuzzy_match():
    text = anchor_score.load_pages()[1][2]
    for kind in anchor_score.KINDS:
        tally = anchor_score._edited(kind, anchor_score.canonicalize(text), 5, 10,
                                     anchor_score.load_pages()[3][2])
        assert tally.claims + tally.skipped == 10, kind
    ws = anchor_score._edited("whitespace only", anchor_score.canonicalize(text), 5, 10, text)
    assert ws.fuzzy == 0 and ws.outcomes[anchor_score.CORRECT] == ws.claims


def test_truth_of_a_claim_whose_last_word_is_deleted_ends_with_its_last_word_not_a_space():
    text = "We did it in order to win. Then we left."
    s = text.index("in order to")
    e = s + len("in order to")
    d = edit_model.Draft(text)
    k, i = d.find_old(text.index("to win"))
    d.replace(k, i, i + len("to "), "")
    truth = d.truth(s, e)
    assert d.text == "We did it in order win. Then we left."
    assert d.text[truth.span[0]:truth.span[1]] == "in order" and not truth.exact
    at = lambda s, e: Anchor(s, e, "in order", "", "", "fuzzy")  # noqa: E731
    assert anchor_score.judge(truth, at(*truth.span)) == anchor_score.CORRECT


def test_a_copy_right_beside_the_claim_is_an_equally_true_place_and_a_copy_elsewhere_is_not():
    sentence = "The port handled 10,000 boxes."
    text = f"Intro here.\n\nShips came. {sentence}\n\nLast one."
    s = text.index("10,000 boxes")
    e = s + len("10,000 boxes")
    d = edit_model.Draft(text)
    end = len(d.paragraphs[1])
    d.replace(1, end, end, " " + sentence)  # "Ships came. S S": either S may be the pasted one
    d.insert_paragraph(0, sentence)  # a pull-quote far from it: told apart by its surroundings
    new = d.text
    truth = d.truth(s, e)
    copies = [k for k in range(len(new)) if new.startswith("10,000 boxes", k)]
    assert len(copies) == 3 and truth.span == (copies[1], copies[1] + 12) and truth.exact
    assert truth.also == ((copies[2], copies[2] + 12),)
    at = lambda k, state: Anchor(k, k + 12, "10,000 boxes", "", "", state)  # noqa: E731
    assert anchor_score.judge(truth, at(copies[2], "fuzzy")) == anchor_score.CORRECT
    assert anchor_score.judge(truth, at(copies[0], "fuzzy")) == anchor_score.WRONG_FLAGGED
    assert anchor_score.judge(truth, at(copies[0], "moved")) == anchor_score.WRONG_SILENT
