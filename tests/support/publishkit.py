"""Helpers for tests of what readers see: checks published through the desk's own workflow."""
from __future__ import annotations

from factdesk.articles.service import create_article
from factdesk.claims import editing, evidence, workflow
from factdesk.claims.highlight import add_claim, locate
from factdesk.extensions import db
from factdesk.models import Claim


def article(by, title: str, text: str, source_url: str = "https://news.example/story"):
    made = create_article(text=text, by=by, title=title, source_url=source_url, publisher="News Example")
    db.session.commit()
    return made


def claim(article, by, quote: str, summary: str = "", claimant: str = "Jane Doe") -> Claim:
    made = add_claim(article, by, locate(article, quote=quote), summary=summary or quote, claimant=claimant)
    db.session.commit()
    return made


def publish(claim: Claim, checker, editor, rating: str = "false", rationale: str = "The records show otherwise.",
            tags: list[str] | None = None) -> Claim:
    """Research, review, approve and publish the claim by the moves of DESIGN §2."""
    if claim.status.value == "new":
        workflow.transition(claim, "researching", checker)
    changes = {"rating": rating, "rationale": rationale}
    if tags is not None:
        changes["tags"] = tags
    editing.update_claim(claim, checker, changes, claim.version)
    if not claim.evidence_count:
        evidence.add_evidence(claim, checker, {"url": "https://data.example/records", "title": "Public records",
                                               "stance": "refutes", "source_type": "official",
                                               "excerpt": "The registry lists 12 launches."})
    for to, who in (("in_review", checker), ("approved", editor), ("published", editor)):
        workflow.transition(claim, to, who)
    db.session.commit()
    return claim


def reopen(claim: Claim, editor, reason: str) -> Claim:
    workflow.transition(claim, "researching", editor, reason)
    db.session.commit()
    return claim


def path_of(app, claim) -> str:
    """The readers' address of a check: from its latest publication (or its wording, never published)."""
    from types import SimpleNamespace

    from factdesk.claims.publishing import latest_publication
    from factdesk.public.slugs import check_path

    shown = latest_publication(claim.id) or SimpleNamespace(claim_id=claim.id, summary=claim.summary,
                                                             quote=claim.quote)
    with app.test_request_context():
        return check_path(shown)


def article_path_of(app, article) -> str:
    from factdesk.public.slugs import article_path

    with app.test_request_context():
        return article_path(article)


def monitored(source, text: str, url: str = "https://harbour.example/radio", title: str = "Harbour radio"):
    """A monitored item as the worker records it (fetching is the monitor's own tests' business): its
    article, candidates and appearances. Commits; returns the article."""
    from factdesk.models import MonitorItem
    from factdesk.monitor.ingest import record_article

    article = create_article(text=text, by=None, title=title, source_url=url)
    item = MonitorItem(source_id=source.id, key=f"{url}#{len(text)}"[-64:], url=url, title=title, article_id=article.id)
    db.session.add(item)
    db.session.flush()
    record_article(source, item, article)
    db.session.commit()
    return article
