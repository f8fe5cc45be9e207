"""Meaning for "checked before?": claims' vectors stored by the `claims.vectors` job, and the claims
nearest in meaning found even when full-text search finds nothing.

These need the optional `semantic` extra (pip install -e '.[semantic]'); without it they are skipped
and say so, and the rest of the suite runs the desk's default matcher (full text, words and figures).
"""
from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from factdesk.claims.editing import update_claim
from factdesk.assist.meaning import MODEL, digest, semantic_installed, vector_text
from factdesk.assist.similar import candidate_ids, published_repeats, similar_claims
from factdesk.extensions import db
from factdesk.jobs import enqueue
from factdesk.models import ClaimVector

from tests.support.factories import ArticleFactory, ClaimFactory, to_state


# `make test-semantic` (run by .ci/run) installs the extra in its own venv and sets
# FACTDESK_REQUIRE_SEMANTIC=1: there a missing extra fails these tests instead of skipping them.
if os.environ.get("FACTDESK_REQUIRE_SEMANTIC") == "1":
    assert semantic_installed(), "make test-semantic needs the 'semantic' extra installed in .venv-semantic"
pytestmark = pytest.mark.skipif(not semantic_installed(),
                                reason="needs the 'semantic' extra (make test-semantic runs these)")

TEXT = ("The minister said that vaccines cause autism in young children.\n\n"
        "The city council approved a new budget for public libraries.")
SAID_OTHERWISE = "Jabs trigger developmental disorders such as ASD in kids, a politician claimed"


def _vectors():
    return {row.claim_id: row for row in db.session.execute(select(ClaimVector)).scalars()}


def _fill(run_jobs) -> None:
    enqueue("claims.vectors")
    db.session.commit()
    assert run_jobs() == 1


def test_the_job_stores_each_claims_vector_once_and_again_when_its_words_change(app, checker, run_jobs):
    article = ArticleFactory(by=checker, title="Vaccines", text=TEXT)
    vaccines = ClaimFactory(article=article, by=checker, quote="vaccines cause autism in young children")
    budget = ClaimFactory(article=article, by=checker, quote="approved a new budget for public libraries")
    assert _vectors() == {}
    _fill(run_jobs)
    stored = _vectors()
    assert set(stored) == {vaccines.id, budget.id}
    assert stored[vaccines.id].model == MODEL
    assert stored[vaccines.id].digest == digest(vector_text(vaccines.quote, vaccines.summary))
    assert len(stored[vaccines.id].vector) == 384 * 4  # float32 per dimension
    first = stored[budget.id].updated_at

    update_claim(vaccines, checker, {"summary": "Childhood vaccines cause autism"}, vaccines.version)
    db.session.commit()
    _fill(run_jobs)
    again = _vectors()
    assert again[vaccines.id].digest == digest(vector_text(vaccines.quote, "Childhood vaccines cause autism"))
    assert again[budget.id].updated_at == first  # unchanged words: not embedded again


def test_a_claim_said_in_other_words_is_found_by_meaning_once_its_vector_is_stored(app, checker, run_jobs):
    article = ArticleFactory(by=checker, title="Vaccines", text=TEXT)
    vaccines = ClaimFactory(article=article, by=checker, quote="vaccines cause autism in young children")
    ClaimFactory(article=article, by=checker, quote="approved a new budget for public libraries")
    assert candidate_ids(SAID_OTHERWISE) == []  # no word in common: full-text search finds nothing
    assert similar_claims(SAID_OTHERWISE) == []
    _fill(run_jobs)
    found = similar_claims(SAID_OTHERWISE)
    assert found and found[0][0].id == vaccines.id


def test_monitoring_finds_a_repeat_of_a_published_check_in_other_words(app, checker, editor, run_jobs):
    article = ArticleFactory(by=checker, title="Vaccines", text=TEXT)
    vaccines = ClaimFactory(article=article, by=checker, quote="vaccines cause autism in young children")
    budget = ClaimFactory(article=article, by=checker, quote="approved a new budget for public libraries")
    _fill(run_jobs)
    said_again = "Vaccination of young kids leads to autism, the minister insisted"
    assert published_repeats(said_again, min_score=0.3) == []  # nothing published yet
    to_state(vaccines, "published", checker, editor)
    [(found, _score)] = published_repeats(said_again, min_score=0.3)
    assert found.id == vaccines.id
    assert budget.id not in [c.id for c, _ in published_repeats("The council passed a library budget", limit=5,
                                                                min_score=0.0)]
