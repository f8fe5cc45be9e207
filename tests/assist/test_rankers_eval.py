"""The rankers' evaluation: labelled data in data/labelled and the command that prints the figures."""
from __future__ import annotations

import json
import re

from factdesk.assist.evaluate import DATA, _document_text, evaluate_similar, evaluate_suggestions

from tests.conftest import FIXTURES


def test_labels_cover_the_seed_article_and_ten_fixture_pages_and_are_in_their_texts():
    data = json.loads((DATA / "checkworthy.json").read_text(encoding="utf-8"))
    kinds = [d["source"]["kind"] for d in data["documents"]]
    assert kinds.count("article") == 1 and kinds.count("web-article") >= 10
    for doc in data["documents"]:
        text = _document_text(doc["source"], FIXTURES)
        assert doc["checkable"], doc["title"]
        for sentence in doc["checkable"]:
            assert sentence in text, sentence


def test_similar_pairs_are_thirty_or_more_with_distractors():
    data = json.loads((DATA / "similar_claims.json").read_text(encoding="utf-8"))
    ids = {c["id"] for c in data["claims"]}
    assert len(data["pairs"]) >= 30
    assert all(p["match"] in ids for p in data["pairs"])
    assert sum(c["distractor"] for c in data["claims"]) >= 10
    assert {p["kind"] for p in data["pairs"]} == {"paraphrase", "near-duplicate"}


def test_suggestions_beat_reading_the_article_in_order():
    rows = evaluate_suggestions(FIXTURES)
    p5 = sum(r["p@5"] for r in rows) / len(rows)
    lead5 = sum(r["lead_p@5"] for r in rows) / len(rows)
    assert p5 > lead5


def test_similar_claims_find_most_labelled_pairs_in_the_top_five():
    recall, rows = evaluate_similar()
    assert len(rows) >= 30
    assert recall >= 0.8, [r for r in rows if not r["rank"]]


def test_rankers_evaluate_command_prints_the_three_figures(runner):
    result = runner.invoke(args=["rankers", "evaluate"])
    assert result.exit_code == 0, result.output
    for name in ("precision@5", "precision@10", "recall@5"):
        assert re.search(rf"{name}\s+= [01]\.\d{{3}}", result.output), result.output
