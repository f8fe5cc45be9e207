"""A new item becomes a monitored article; its sentences are scored ("worth checking?") and matched
against the published checks ("checked before?"); the best become candidates, and a repeat of a
published check becomes an appearance of it, with its checker and editor told.

`score_and_match` is the part the bench's `ingest` row measures (sentences per second).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from sqlalchemy import select

from ..assist.suggestions import Suggestion, suggest
from ..assist.similar import published_repeats_of
from ..extensions import db
from ..models import Appearance, Article, Candidate, Claim, MonitorItem, MonitorSource, MonitorTopic, utcnow
from ..notify import check_owners, notify

# A sentence this check-worthy (0–1, as the article page's suggestions) is a candidate on /desk/monitor…
CANDIDATE_MIN = 0.5
# …and one at least this check-worthy is matched against the published checks (opinion, questions and
# furniture are not claims anybody checked).
MATCH_MIN = 0.4
SENTENCE_CHARS = 2000


@dataclass(frozen=True)
class Found:
    suggestion: Suggestion
    repeat_of: Claim | None = None
    match_score: float | None = None


def score_and_match(text: str) -> tuple[int, list[Found]]:
    """Every sentence of `text` scored; those worth it matched against published checks.
    Returns (sentences scored, the candidates and repeats, best first)."""
    ranked = suggest(text, limit=None)
    worth = [s for s in ranked if s.score >= MATCH_MIN]
    found = []
    for suggestion, best in zip(worth, published_repeats_of([s.sentence[:SENTENCE_CHARS] for s in worth], limit=1)):
        claim, score = best[0] if best else (None, None)
        if claim is not None or suggestion.score >= CANDIDATE_MIN:
            found.append(Found(suggestion, claim, score))
    return len(ranked), found


def topic_of(sentence: str, source: MonitorSource, topics: list[MonitorTopic]) -> str | None:
    """The source's own topic, else the first topic one of whose keywords the sentence holds."""
    if source.topic:
        return source.topic
    for topic in topics:
        for keyword in topic.keywords or []:
            if re.search(rf"(?<!\w){re.escape(keyword)}(?!\w)", sentence, re.I):
                return topic.name
    return None


def said_by(item: MonitorItem, article: Article, source: MonitorSource) -> str:
    return (item.author or article.author or article.publisher or source.name
            or urlsplit(item.url).hostname or "")[:300]


def record_article(source: MonitorSource, item: MonitorItem, article: Article) -> list[Candidate]:
    """Candidates (and appearances, with notifications) for one monitored article. Flushes."""
    _, found = score_and_match(article.text)
    topics = list(db.session.execute(select(MonitorTopic).order_by(MonitorTopic.name)).scalars())
    when = item.published_at or article.published_at
    made: list[Candidate] = []
    repeated: set[int] = set()
    for entry in found:
        s = entry.suggestion
        candidate = Candidate(item_id=item.id, source_id=source.id, article_id=article.id, start=s.start, end=s.end,
                              sentence=s.sentence, score=s.score, reasons=list(s.reasons),
                              topic=topic_of(s.sentence, source, topics), published_at=when, created_at=utcnow(),
                              repeat_of_id=entry.repeat_of.id if entry.repeat_of else None,
                              match_score=entry.match_score)
        db.session.add(candidate)
        made.append(candidate)
        claim = entry.repeat_of
        # One appearance per check and article (its best sentence), and never the check's own article.
        if claim is None or claim.id in repeated or (claim.article and claim.article.source_url == item.url):
            continue
        repeated.add(claim.id)
        db.session.flush()
        record_appearance(claim, candidate, item, article, source, when)
    db.session.flush()
    return made


def record_appearance(claim: Claim, candidate: Candidate, item: MonitorItem, article: Article,
                      source: MonitorSource, when: date | None) -> Appearance:
    appearance = Appearance(claim_id=claim.id, candidate_id=candidate.id, url=item.url,
                            title=(article.title or item.title or "")[:500], sentence=candidate.sentence,
                            said_by=said_by(item, article, source), said_at=when or utcnow().date(),
                            score=candidate.match_score or 0.0, found_at=utcnow())
    db.session.add(appearance)
    db.session.flush()
    where = f"{appearance.said_by}, “{appearance.title}”" if appearance.title else appearance.said_by
    notify(check_owners(claim), "repeat", claim, None,
           f"Claim {claim.id} was said again ({where}, {appearance.said_at:%Y-%m-%d}): “{candidate.sentence[:300]}” "
           f"— match {appearance.score:.2f}. Confirm or dismiss it on the claim page.")
    return appearance
