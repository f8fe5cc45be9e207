"""The bench's `ingest` row: sentences of real text scored and matched against published checks."""
from __future__ import annotations

from factdesk.bench.ingest import fixture_texts, measure

from tests.support.factories import ArticleFactory, ClaimFactory, to_state


def test_ingest_row_scores_every_fixture_sentence_and_finds_a_repeat(app, checker, editor):
    texts = fixture_texts(app.config["FACTDESK_FIXTURES"])
    sentence = "The simulation required 16,000 processor cores of the Hazel Hen supercomputer"
    assert any(sentence in t for t in texts)
    article = ArticleFactory(by=checker, title="Supercomputers",
                             text="A simulation ran for over a year on 16,000 cores of "
                                  "the Hazel Hen supercomputer in Stuttgart, the team said.")
    claim = ClaimFactory(article=article, by=checker,
                         quote="A simulation ran for over a year on 16,000 cores of the Hazel Hen "
                               "supercomputer in Stuttgart")
    to_state(claim, "published", checker, editor)
    row = measure(app, sample=10**6)  # every fixture article
    assert row["name"] == "ingest" and row["unit"] == "sentences/s" and row["baseline"] == 100
    assert row["articles"] == len(texts) and row["sentences"] > 2000 and 0 < row["matched"] < row["sentences"]
    assert row["repeats_found"] >= 1 and row["published_checks"] == 1
    assert row["measured"] > 0 and row["met"] == (row["measured"] >= 100)


def test_ingest_row_by_default_measures_a_bounded_sample_and_says_so(app):
    texts = fixture_texts(app.config["FACTDESK_FIXTURES"])
    row = measure(app)
    assert 1000 <= row["sentences"] < 2000 and row["sample"] == 1000
    assert 1 <= row["articles"] < len(texts)
    assert f"{row['articles']} of the {len(texts)} fixture articles" in row["explains"]
