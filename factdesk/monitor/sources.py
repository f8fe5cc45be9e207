"""Sources and topics, kept by editors: what the desk follows, and the subjects it sorts candidates by."""
from __future__ import annotations

from sqlalchemy import select

from ..errors import ConflictError, ValidationError
from ..extensions import db
from ..models import MonitorSource, MonitorTopic, SourceKind, User, utcnow
from ..urls import web_url

MAX_KEYWORDS = 50


def _text(value, field: str, limit: int, *, required: bool = False) -> str:
    if value is not None and not isinstance(value, str):
        raise ValidationError(f"The {field} must be text.", fields={field: "invalid"})
    value = " ".join((value or "").split())
    if required and not value:
        raise ValidationError(f"Give the {field}.", fields={field: "required"})
    if len(value) > limit:
        raise ValidationError(f"The {field} is longer than {limit:,} characters.", fields={field: "too_long"})
    return value


def add_source(url, kind, by: User, *, name=None, topic=None) -> MonitorSource:
    url = web_url(url, "url", required=True)
    try:
        kind = SourceKind(kind)
    except ValueError:
        raise ValidationError(f"{kind!r} is not a kind of source: use feed, sitemap or page.",
                              fields={"kind": "invalid"}) from None
    name = _text(name, "name", 300)
    topic = _text(topic, "topic", 80) or None
    if db.session.execute(select(MonitorSource.id).where(MonitorSource.url == url)).first():
        raise ConflictError(f"The desk follows {url} already.", code="duplicate_source", fields={"url": "duplicate"})
    source = MonitorSource(url=url, kind=kind, name=name, topic=topic, active=True, created_by_id=by.id,
                           created_at=utcnow())
    db.session.add(source)
    db.session.flush()
    return source


def sources() -> list[MonitorSource]:
    return list(db.session.execute(select(MonitorSource).order_by(MonitorSource.name, MonitorSource.id)).scalars())


def parse_keywords(raw) -> list[str]:
    """Keywords from a comma- or line-separated list, each trimmed, without repeats."""
    if isinstance(raw, list):
        parts = raw
    else:
        parts = str(raw or "").replace("\n", ",").split(",")
    words = list(dict.fromkeys(" ".join(str(p).split()) for p in parts if str(p).strip()))
    if not words:
        raise ValidationError("Give at least one keyword.", fields={"keywords": "required"})
    if len(words) > MAX_KEYWORDS or any(len(w) > 80 for w in words):
        raise ValidationError(f"At most {MAX_KEYWORDS} keywords of at most 80 characters each.",
                              fields={"keywords": "too_long"})
    return words


def save_topic(name, keywords) -> MonitorTopic:
    """Add a topic, or give an existing one (same name) new keywords."""
    name = _text(name, "name", 80, required=True)
    words = parse_keywords(keywords)
    topic = db.session.execute(select(MonitorTopic).where(MonitorTopic.name == name)).scalar_one_or_none()
    if topic is None:
        topic = MonitorTopic(name=name, keywords=words, created_at=utcnow())
        db.session.add(topic)
    else:
        topic.keywords = words
    db.session.flush()
    return topic


def topics() -> list[MonitorTopic]:
    return list(db.session.execute(select(MonitorTopic).order_by(MonitorTopic.name)).scalars())
