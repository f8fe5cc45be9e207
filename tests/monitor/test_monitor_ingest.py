"""Scoring and matching a monitored article's sentences: repeats of published checks only, found again
as soon as a check is published, never a check that is not (or no longer) published."""
from __future__ import annotations

import pytest

from factdesk.assist.similar import published_repeats
from factdesk.monitor.ingest import score_and_match

from tests.conftest import PG_URL
from tests.support.factories import ArticleFactory, ClaimFactory, move, to_state

SAID_AGAIN = ("Officials said on Tuesday that the port of Rajin shipped about 7,000 containers of munitions "
              "to Russia last year.")


def test_a_repeat_is_matched_only_against_published_checks(app, checker, editor):
    article = ArticleFactory(by=checker, title="Munitions",
                             text="The ministry said 7,000 containers of munitions were "
                                  "shipped from the port of Rajin to Russia.\n\nIt gave no source for the figure.")
    claim = ClaimFactory(article=article, by=checker,
                         quote="7,000 containers of munitions were shipped from the port of Rajin "
                               "to Russia")
    assert published_repeats(SAID_AGAIN) == []  # researching, not published: not a check to repeat
    to_state(claim, "published", checker, editor)
    [(found, score)] = published_repeats(SAID_AGAIN)
    assert found.id == claim.id and score >= 0.5
    assert published_repeats("The ministry said 10,000 containers of munitions went by rail to Russia.") == []
    scored, candidates = score_and_match(f"{SAID_AGAIN}\n\nWhat a week it has been!")
    assert scored == 2 and [c.repeat_of.id for c in candidates if c.repeat_of] == [claim.id]
    move(claim, "researching", editor, "A correction is due.")
    assert published_repeats(SAID_AGAIN) == []  # taken off the published record: the index follows


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: a database emptied by TRUNCATE … RESTART IDENTITY")
def test_a_database_emptied_and_filled_again_is_not_matched_against_its_old_checks(app, checker, editor):
    """The index of published checks knows it is current by the newest publication (append-only)
    and the published count; after an emptying whose ids start over (a restore, the tests' own
    reset), a new first check has the same id and count as the old one, and only its time differs."""
    from sqlalchemy import text

    from factdesk.extensions import db

    first = ClaimFactory(article=ArticleFactory(by=checker, title="Munitions", text=SAID_AGAIN), by=checker,
                         quote="the port of Rajin shipped about 7,000 containers of munitions to Russia")
    to_state(first, "published", checker, editor)
    [(found, _)] = published_repeats(SAID_AGAIN)
    assert found.id == first.id
    kept = {"users", "api_tokens", "account_links", "recovery_codes", "audit_log", "ratings", "rating_versions"}
    tables = [t.name for t in db.metadata.sorted_tables if t.name not in kept]
    db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    db.session.commit()
    other = "The simulation required 16,000 processor cores of the Hazel Hen supercomputer in Stuttgart."
    second = ClaimFactory(article=ArticleFactory(by=checker, title="Supercomputers", text=other), by=checker,
                          quote="The simulation required 16,000 processor cores of the Hazel Hen supercomputer")
    to_state(second, "published", checker, editor)
    assert second.id == first.id  # the ids started over
    assert published_repeats(SAID_AGAIN) == []
    [(found, _)] = published_repeats(other)
    assert found.id == second.id
