"""Candidates as the desk reads them (/desk/monitor, the API), and one click from a candidate to a claim."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, undefer

from ..claims.highlight import add_claim, locate
from ..errors import ConflictError, NotFound
from ..extensions import db
from ..models import Appearance, AppearanceState, Article, Candidate, Claim, User

PER_TOPIC = 10
NO_TOPIC = "Other"
# The daily digest's share of monitoring: this many of the most check-worthy new sentences.
DIGEST_CANDIDATES = 10


def desk_today() -> date:
    """Today in the desk's time zone (DESK_TIMEZONE, default UTC)."""
    return datetime.now(ZoneInfo(current_app.config.get("DESK_TIMEZONE") or "UTC")).date()


def start_of(day: date) -> datetime:
    """Midnight of `day` in the desk's time zone, as a UTC moment."""
    zone = ZoneInfo(current_app.config.get("DESK_TIMEZONE") or "UTC")
    return datetime.combine(day, time.min, zone).astimezone(timezone.utc)


@dataclass
class Page:
    items: list[Candidate]
    page: int
    per_page: int
    total: int


def _filtered(*, q: str | None = None, topic: str | None = None, source: int | None = None,
              since: date | None = None):
    query = select(Candidate).where(Candidate.claim_id.is_(None))
    if since is not None:
        query = query.where(Candidate.created_at >= start_of(since))
    if topic:
        query = query.where(Candidate.topic.is_(None) if topic == NO_TOPIC else Candidate.topic == topic)
    if source is not None:
        query = query.where(Candidate.source_id == source)
    if q:
        query = query.where(Candidate.sentence.ilike(f"%{q}%"))
    return query


def find(*, q=None, topic=None, source=None, since=None, page: int = 1, per_page: int = 20) -> Page:
    """Candidates best first (repeats of a published check count as their match score when higher)."""
    query = _filtered(q=q, topic=topic, source=source, since=since)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(query.options(joinedload(Candidate.source))
                              .order_by(Candidate.score.desc(), Candidate.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).scalars().all()
    return Page(list(rows), page, per_page, total)


def top_by_topic(*, day: date | None = None, topic=None, source=None, per_topic: int = PER_TOPIC
                 ) -> dict[str, list[Candidate]]:
    """The day's most check-worthy sentences across sources, grouped by topic (named topics first)."""
    rows = db.session.execute(_filtered(topic=topic, source=source, since=day or desk_today())
                              .options(joinedload(Candidate.source), joinedload(Candidate.article),
                                       joinedload(Candidate.repeat_of))
                              .order_by(Candidate.score.desc(), Candidate.id.desc()).limit(1000)).scalars().all()
    groups: dict[str, list[Candidate]] = {}
    for candidate in rows:
        shelf = groups.setdefault(candidate.topic or NO_TOPIC, [])
        if len(shelf) < per_topic:
            shelf.append(candidate)
    return dict(sorted(groups.items(), key=lambda kv: (kv[0] == NO_TOPIC, kv[0].lower())))


def found_since(moment: datetime, limit: int = DIGEST_CANDIDATES) -> tuple[list[Candidate], list[Appearance]]:
    """What the daily digest tells of monitoring (DESIGN.md §15): the most check-worthy sentences found
    since `moment` that are not claims yet, best first, and the repeats found since then that still wait
    for a checker to confirm or dismiss them."""
    candidates = db.session.execute(
        select(Candidate).where(Candidate.claim_id.is_(None), Candidate.created_at > moment)
        .options(joinedload(Candidate.source), joinedload(Candidate.article))
        .order_by(Candidate.score.desc(), Candidate.id.desc()).limit(limit)).scalars().all()
    repeats = db.session.execute(
        select(Appearance).where(Appearance.state == AppearanceState.pending, Appearance.found_at > moment)
        .order_by(Appearance.score.desc(), Appearance.id)).scalars().all()
    return list(candidates), list(repeats)


def make_claim(candidate_id: int, by: User) -> Claim:
    """The candidate's sentence as a claim on the queue; its monitored article joins the desk. Flushes."""
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None:
        raise NotFound(f"There is no candidate {candidate_id}.")
    if candidate.claim_id is not None:
        raise ConflictError(f"That sentence is claim {candidate.claim_id} already.", code="duplicate_highlight",
                            fields={"claim_id": candidate.claim_id})
    article = db.session.execute(select(Article).where(Article.id == candidate.article_id)
                                 .options(undefer(Article.text))).scalar_one()
    claim = add_claim(article, by, locate(article, start=candidate.start, end=candidate.end),
                      claimant=article.author or "", claimed_at=candidate.published_at)
    article.monitored = False
    candidate.claim_id = claim.id
    db.session.flush()
    return claim
