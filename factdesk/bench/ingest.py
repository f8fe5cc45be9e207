"""The bench's `ingest` row (DESIGN.md §9, §15): new sentences scored ("worth checking?") and matched
against the published checks ("checked before?", the default matcher) per second, on the bench's desk.

The sentences are the article bodies of the shared fixture pages (real news text nobody on the team
wrote), run through `factdesk.monitor.ingest.score_and_match`, the code a monitoring pass runs on
each new article: every sentence scored, those check-worthy enough matched (monitor.ingest.MATCH_MIN).
"""
from __future__ import annotations

import json
import random
import time
from pathlib import Path

from flask import Flask

from ..text import canonicalize
from . import report

TARGET_RATE = 100.0  # sentences per second, on a two-core machine
SAMPLE = 1000  # sentences: whole fixture articles, in a fixed shuffled order, until this many are scored
SEED = 0


def fixture_texts(fixtures: str | Path) -> list[str]:
    truth = Path(fixtures) / "web-articles" / "ground-truth.json"
    bodies = json.loads(truth.read_text(encoding="utf-8"))
    return [canonicalize(entry["articleBody"]) for _, entry in sorted(bodies.items()) if entry.get("articleBody")]


def measure(app: Flask, *, sample: int = SAMPLE) -> dict:
    """The `ingest` report row, measured in-process on the app's desk over a bounded sample: whole
    fixture articles in a fixed shuffled order (every site has a chance) until `sample` sentences
    are scored. A rate needs no more, and the step stays short on a loaded machine."""
    from ..extensions import db
    from ..models import Claim, Status
    from ..monitor.ingest import MATCH_MIN, score_and_match

    texts = fixture_texts(app.config["FACTDESK_FIXTURES"])
    with app.app_context():
        published = db.session.execute(db.select(db.func.count(Claim.id)).where(Claim.status == Status.published)
                                       ).scalar_one()
        score_and_match(texts[0])  # load the scorer's caches once, as a long-running worker has
        scored = matched = repeats = articles = 0
        started = time.perf_counter()
        for text in random.Random(SEED).sample(texts, len(texts)):
            if scored >= sample:
                break
            count, found = score_and_match(text)
            articles += 1
            scored += count
            matched += sum(1 for f in found if f.suggestion.score >= MATCH_MIN)
            repeats += sum(1 for f in found if f.repeat_of is not None)
        elapsed = time.perf_counter() - started
        db.session.remove()
    rate = scored / elapsed if elapsed else None
    return report.row(
        "ingest", rate, TARGET_RATE, unit="sentences/s",
        explains=(f"sentences scored per second over a sample ({articles} of the {len(texts)} fixture "
                  f"articles in a fixed shuffled order, {scored:,} sentences), the check-worthy ones matched "
                  f"against the desk's {published:,} published checks; baseline: the 100/s target"),
        sentences=scored, articles=articles, sample=sample, matched=matched, repeats_found=repeats,
        seconds=round(elapsed, 3),
        matched_per_s=round(matched / elapsed, 1) if elapsed else None, published_checks=published)
