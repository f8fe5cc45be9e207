"""Helpers for tests of a claim's life: claims on the seed article, made through the desk's own functions."""
from __future__ import annotations

from factdesk.claims import editing, evidence, workflow
from factdesk.claims.highlight import add_claim, locate
from factdesk.extensions import db
from factdesk.models import Claim, Status

QUOTES = [
    "North Korea has sent more than 10,000 containers filled with military weapons to Russia",
    "the previous estimate of 7,000 containers given by the South Korean defense chief",
    "a minimum of 10 occurrences where North Korean missiles were deployed during combat in Ukraine",
    "In 2022 alone, they have conducted 69 launches",
]


def make_claim(article, by, n: int = 0) -> Claim:
    """A new claim on the seed article with wording and claimant (what publishing needs)."""
    if not article.source_url:
        article.source_url = "https://news.example/dprk-munitions"
    claim = add_claim(article, by, locate(article, quote=QUOTES[n]), summary=f"Checkable wording {n}.",
                      claimant="Jung Pak")
    db.session.commit()
    return claim


def research(claim: Claim, checker, rating: str = "false", rationale: str = "The records show otherwise.") -> Claim:
    """Take the claim, rate it, write a rationale and add one evidence link (ready to submit)."""
    if claim.status == Status.new:
        workflow.transition(claim, "researching", checker)
    editing.update_claim(claim, checker, {"rating": rating, "rationale": rationale}, claim.version)
    if not claim.evidence_count:
        evidence.add_evidence(claim, checker, {"url": "https://data.example/containers", "title": "Shipping data",
                                               "stance": "refutes", "source_type": "dataset"})
    db.session.commit()
    return claim


def move(claim: Claim, to: str, by, comment: str | None = None) -> Claim:
    workflow.transition(claim, to, by, comment)
    db.session.commit()
    return claim


def to_state(claim: Claim, state: str, checker, editor) -> Claim:
    """Bring a new claim to `state` by the moves of §2 (checker researches, editor reviews)."""
    path = {
        "new": [],
        "researching": ["researching"],
        "in_review": ["researching", "in_review"],
        "changes_requested": ["researching", "in_review", "changes_requested"],
        "approved": ["researching", "in_review", "approved"],
        "published": ["researching", "in_review", "approved", "published"],
        "discarded": ["discarded"],
        "withdrawn": ["researching", "in_review", "approved", "published", "withdrawn"],
    }[state]
    for step in path:
        if step == "researching":
            research(claim, checker)
            continue
        who = checker if step == "in_review" else editor
        comment = {"changes_requested": "Needs a better source.", "discarded": "Not checkable.",
                   "withdrawn": "The source was fabricated."}.get(step)
        move(claim, step, who, comment)
    return claim
