"""Scoring and matching a monitored article's sentences: repeats of published checks only, found again
as soon as a check is published, never a check that is not (or no longer) published."""
from __future__ import annotations

from factdesk.assist.similar import published_repeats
from factdesk.monitor.ingest import score_and_match

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
