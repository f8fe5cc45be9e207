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


def test_a_copy_left_where_the_claims_moved_paragraph_stood_is_an_equally_true_place():
    sentence = "The port handled 10,000 boxes."
    text = f"Intro here.\n\n{sentence}\n\nShips came and went.\n\nLast one."
    s = text.index("10,000 boxes")
    e = s + len("10,000 boxes")
    d = edit_model.Draft(text)
    d.insert_paragraph(2, sentence)  # a copy pasted right after the claim's one-sentence paragraph
    d.paragraphs.append(d.paragraphs.pop(1))  # and then the original moved to the end
    new = d.text
    assert new == f"Intro here.\n\n{sentence}\n\nShips came and went.\n\nLast one.\n\n{sentence}"
    # The same text is what pasting the copy at the end gives, nothing moved: the place the claim stood
    # is as true as the one the generator moved it to.
    truth = d.truth(s, e)
    first, last = new.index("10,000 boxes"), new.rindex("10,000 boxes")
    assert truth.span == (last, last + 12) and truth.also == ((first, first + 12),)
    at = lambda k: Anchor(k, k + 12, "10,000 boxes", "", "", "fuzzy")  # noqa: E731
    assert anchor_score.judge(truth, at(first)) == anchor_score.CORRECT
    assert anchor_score.judge(truth, at(last)) == anchor_score.CORRECT


def test_a_copy_whose_swap_would_move_or_split_text_stays_a_wrong_place():
    sentence = "The port handled 10,000 boxes."
    text = f"Intro here.\n\nShips came. {sentence} Then they left.\n\nLast one."
    s = text.index("10,000 boxes")
    e = s + len("10,000 boxes")
    d = edit_model.Draft(text)
    d.insert_paragraph(3, sentence)  # a pull-quote after the last paragraph
    end = len(d.paragraphs[0])
    d.replace(0, end, end, " " + sentence)  # and the sentence appended to the first
    new = d.text
    truth = d.truth(s, e)
    copies = [k for k in range(len(new)) if new.startswith("10,000 boxes", k)]
    assert len(copies) == 3 and truth.span == (copies[1], copies[1] + 12) and truth.also == ()
    # Calling either copy the original would tear "Then they left." from the sentence before it.
    at = lambda k, state: Anchor(k, k + 12, "10,000 boxes", "", "", state)  # noqa: E731
    assert anchor_score.judge(truth, at(copies[0], "fuzzy")) == anchor_score.WRONG_FLAGGED
    assert anchor_score.judge(truth, at(copies[2], "moved")) == anchor_score.WRONG_SILENT


def test_a_copy_whose_swap_would_join_two_old_paragraphs_stays_a_wrong_place():
    sentence = "The port handled 10,000 boxes."
    text = f"Anthony left.\n\nBlues won.\n\n{sentence}\n\nNote this."
    s = text.index("10,000 boxes")
    e = s + len("10,000 boxes")
    d = edit_model.Draft(text)
    d.paragraphs.insert(2, d.paragraphs.pop(0))  # "Anthony left." moved to after the claim's paragraph
    end = len(d.paragraphs[0])
    d.replace(0, end, end, " More blues.")
    d.insert_paragraph(2, "A new line.")
    for added in (" And more.", " " + sentence):  # the copy pasted at the end of the moved paragraph
        end = len(d.paragraphs[3])
        d.replace(3, end, end, added)
    new = d.text
    assert new == (f"Blues won. More blues.\n\n{sentence}\n\nA new line.\n\nAnthony left. And more. {sentence}"
                   "\n\nNote this.")
    truth = d.truth(s, e)
    first, last = new.index("10,000 boxes"), new.rindex("10,000 boxes")
    # Calling the pasted copy the original moves no more text and cuts in fewer insertions, but it
    # joins "Anthony left." and the claim's sentence into one paragraph, which no edit did.
    assert truth.span == (first, first + 12) and truth.also == ()
    assert anchor_score.judge(truth, Anchor(last, last + 12, "10,000 boxes", "", "", "fuzzy")) \
        == anchor_score.WRONG_FLAGGED


def test_an_edit_inside_one_claim_never_touches_the_words_another_edit_put_after_it():
    text = "He said the port was just too good for them."
    first = (text.index("He said"), text.index("He said") + len("He said"))
    second = (text.index("too good"), text.index("too good") + len("too good"))
    d = edit_model.Draft(text)
    k, i = d.find_old(second[0])
    d.replace(k, i, i + len("too"), "far")  # the second claim edited first
    for seed in range(40):  # whichever word the first claim's edit picks, it is one of its own
        other = edit_model.Draft(text)
        other.paragraphs = [list(p) for p in d.paragraphs]
        other.replaced = list(d.replaced)
        edit_model.edit_in_quote(other, random.Random(seed), first, ["alpha", "beta"])
        assert other.text.endswith("just far good for them."), other.text


def test_a_word_replaced_twice_still_belongs_to_the_claim_it_replaced():
    text = "He was just too good for them."
    s = text.index("too good")
    e = s + len("too good")
    d = edit_model.Draft(text)
    k, i = d.find_old(s)
    d.replace(k, i, i + len("too"), "far")
    d.replace(k, i, i + len("far"), "so")  # the replacement replaced again
    truth = d.truth(s, e)
    assert d.text[truth.span[0]:truth.span[1]] == "so good" and not truth.exact


def test_a_word_inserted_beside_its_twin_may_be_either_twin():
    text = "Toys for fine-tuning the game."
    s = text.index("for fine-tuning the")
    e = s + len("for fine-tuning the")
    d = edit_model.Draft(text)
    k, i = d.find_old(text.index(" fine"))
    d.replace(k, i, i, " for")  # "for for fine-tuning": " for" after the first, or "for " before it
    new = d.text
    truth = d.truth(s, e)
    assert new == "Toys for for fine-tuning the game."
    assert new[truth.span[0]:truth.span[1]] == "for for fine-tuning the" and not truth.exact
    second = new.index("for fine-tuning")
    assert (second, second + len("for fine-tuning the")) in truth.also
    at = lambda s, e: Anchor(s, e, new[s:e], "", "", "moved")  # noqa: E731
    assert anchor_score.judge(truth, at(second, second + len("for fine-tuning the"))) == anchor_score.CORRECT
    # an insertion beside other words does not slide: the claim without it is still wrong
    d = edit_model.Draft(text)
    k, i = d.find_old(text.index(" fine"))
    d.replace(k, i, i, " lots of")
    truth = d.truth(s, e)
    assert truth.also == ()
    start = d.text.index("of fine")
    assert anchor_score.judge(truth, at(start, start + len("of fine-tuning the"))) == anchor_score.WRONG_SILENT
