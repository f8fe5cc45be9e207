"""Claims on the demo desk's seed article, so a newcomer sees highlights straight away."""
from __future__ import annotations

from sqlalchemy import select

from .claims.highlight import add_claim, locate
from .extensions import db
from .models import Article, Claim, Role

SEED_CLAIMS = [
    # quote, checkable wording, claimant
    ("North Korea has sent more than 10,000 containers filled with military weapons to Russia",
     "North Korea has sent more than 10,000 containers of munitions to Russia.", "United States government"),
    ("the previous estimate of 7,000 containers given by the South Korean defense chief",
     "South Korea's defence chief estimated 7,000 containers of munitions.", "South Korean defence chief"),
    ("a minimum of 10 occurrences where North Korean missiles were deployed during combat in Ukraine",
     "North Korean missiles have been used in combat in Ukraine at least 10 times.", "Jung Pak"),
    ("In 2022 alone, they have conducted 69 launches",
     "North Korea conducted 69 missile launches in 2022.", "Jung Pak"),
]


def seed_claims(article: Article, people: dict) -> list[Claim]:
    """Add the seed claims that are missing (by quote), so running it twice adds nothing."""
    existing = set(db.session.execute(select(Claim.quote).where(Claim.article_id == article.id)).scalars())
    made = []
    for quote, summary, claimant in SEED_CLAIMS:
        if quote in existing or quote not in article.text:
            continue
        made.append(add_claim(article, people[Role.checker], locate(article, quote=quote),
                              summary=summary, claimant=claimant))
    return made
