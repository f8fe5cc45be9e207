"""Claims on the demo desk's seed article, one in every state of §2, so a newcomer sees a working desk.

Every claim is made and moved through the desk's own functions (highlight, update_claim, add_evidence,
add_comment, transition) by the demo people, so its history, counters and notifications are real:
the checker researches and rates, the editor approves what the checker rated (four eyes) and
publishes. A claim whose quote is already on the article is left alone, so a second run adds nothing.

The seed file carries no address; readers' pages need one for the ClaimReview `appearance`, so when
the seed article has none it gets the outlet the article itself cites for the interview (VOA).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from ..claims import comments, editing, evidence, workflow
from ..claims.highlight import add_claim, locate
from ..extensions import db
from ..models import Article, Claim, Role

SEED_SOURCE_URL = "https://www.voanews.com/"

VOA = {"url": "https://www.voanews.com/", "title": "Voice of America: interview with Jung Pak",
       "publisher": "Voice of America", "source_type": "news"}
UN_1718 = {"url": "https://www.un.org/securitycouncil/sanctions/1718", "publisher": "United Nations",
           "title": "Security Council Committee established pursuant to resolution 1718 (2006)",
           "source_type": "official"}
MND = {"url": "https://www.mnd.go.kr/", "title": "Republic of Korea Ministry of National Defense",
       "publisher": "ROK Ministry of National Defense", "source_type": "official"}
CSIS = {"url": "https://beyondparallel.csis.org/", "title": "Beyond Parallel: North Korea missile tests database",
        "publisher": "CSIS", "source_type": "dataset"}


@dataclass
class Seed:
    quote: str
    summary: str
    claimant: str
    state: str
    rating: str | None = None
    rationale: str = ""
    evidence: list[dict] = field(default_factory=list)
    comments: list[tuple[str, str]] = field(default_factory=list)  # (role, text)
    note: str | None = None  # the comment or reason a move needs
    tags: list[str] = field(default_factory=list)
    priority: str = "normal"


SEED_CLAIMS = [
    Seed("North Korea has sent more than 10,000 containers filled with military weapons to Russia",
         "North Korea has sent more than 10,000 containers of munitions to Russia.", "United States government",
         "published", "mostly-true",
         "U.S. officials gave the figure **on the record** in a VOA interview, and it is consistent with the "
         "Seoul estimate that preceded it.\n\n- The count is of *containers*, not of shells or missiles.\n"
         "- No independent public tally confirms the exact number yet.",
         [dict(VOA, stance="supports", excerpt="We know that there have been at least 10,000 containers that have "
                                               "gone from DPRK to Russia."),
          dict(MND, stance="context", excerpt="Earlier estimate of about 7,000 containers.")],
         [("checker", "Rated mostly true: the figure is official but not independently confirmed. @editor, ok?"),
          ("editor", "Agreed; approving.")], tags=["north korea", "russia", "weapons"], priority="high"),
    Seed("the previous estimate of 7,000 containers given by the South Korean defense chief",
         "South Korea's defence chief estimated 7,000 containers of munitions.", "South Korean defence chief",
         "approved", "true",
         "South Korea's defence minister gave an estimate of about **7,000 containers** in public remarks, "
         "as the article reports.",
         [dict(MND, stance="supports", excerpt="Estimate of around 7,000 containers of munitions.")],
         tags=["north korea", "south korea"]),
    Seed("a minimum of 10 occurrences where North Korean missiles were deployed during combat in Ukraine",
         "North Korean missiles have been used in combat in Ukraine at least 10 times.", "Jung Pak",
         "in_review", "unproven",
         "The U.S. official's count is not matched by a public list of incidents; Ukrainian officials have "
         "named some strikes but not ten.",
         [dict(VOA, stance="context", excerpt="There have been a minimum of 10 occasions in which the DPRK has "
                                              "employed their missiles in warfare.")],
         [("checker", "Submitting as unproven; the incident list is not public.")], tags=["ukraine", "missiles"],
         priority="urgent"),
    Seed("In 2022 alone, they have conducted 69 launches",
         "North Korea conducted 69 missile launches in 2022.", "Jung Pak",
         "changes_requested", "mostly-true",
         "Counts of North Korea's 2022 launches range from the high 60s to over 90 depending on whether "
         "launch *events* or *missiles* are counted.",
         [dict(CSIS, stance="context", excerpt="Launch database for 2022.")],
         [("editor", "Which count is 69: events or missiles? Say which in the rationale.")],
         note="Say whether 69 counts launch events or missiles, and cite the database's own total.",
         tags=["missiles"]),
    Seed("North Korea fired a number of ballistic missiles into the ocean, marking the first such action in two months",
         "North Korea's ballistic missile launch that Monday was its first in two months.", "VOA",
         "researching", evidence=[dict(CSIS, stance="context", excerpt="Launch dates, January to March.")],
         tags=["missiles"]),
    Seed("South Korea’s defense minister has stated that North Korea sent 7,000 containers filled with ammunition to "
         "Russia",
         "South Korea's defence minister said North Korea sent 7,000 containers of ammunition to Russia.",
         "VOA interviewer", "discarded",
         note="Duplicate of the claim on the defence chief's 7,000-container estimate earlier in the article."),
    Seed("We know that there have been at least 10,000 containers that have gone from DPRK to Russia",
         "At least 10,000 containers have gone from North Korea to Russia.", "Jung Pak", "new",
         comments=[("checker", "Same figure as the U.S. statement at the top; check whether it is a duplicate.")]),
]


def seed_claims(article: Article, people: dict) -> list[Claim]:
    """Add the seed claims that are missing (by quote) and walk each to its state; a second run adds nothing."""
    existing = set(db.session.execute(select(Claim.quote).where(Claim.article_id == article.id)).scalars())
    if not article.source_url:
        article.source_url = SEED_SOURCE_URL
    checker, editor = people[Role.checker], people[Role.editor]
    made = []
    for seed in SEED_CLAIMS:
        if seed.quote in existing or seed.quote not in article.text:
            continue
        claim = add_claim(article, checker, locate(article, quote=seed.quote), summary=seed.summary,
                          claimant=seed.claimant)
        _walk(claim, seed, checker, editor)
        made.append(claim)
    return made


def _walk(claim: Claim, seed: Seed, checker, editor) -> None:
    who = {"checker": checker, "editor": editor}
    if seed.tags or seed.priority != "normal":
        editing.update_claim(claim, editor, {"tags": seed.tags, "priority": seed.priority}, claim.version)
    if seed.state == "discarded":
        workflow.transition(claim, "discarded", editor, seed.note)
        return
    if seed.state == "new":
        for role, text in seed.comments:
            comments.add_comment(claim, who[role], text)
        return
    workflow.transition(claim, "researching", checker)
    for item in seed.evidence:
        evidence.add_evidence(claim, checker, item)
    if seed.rating:
        editing.update_claim(claim, checker, {"rating": seed.rating, "rationale": seed.rationale}, claim.version)
    # Comments of the research phase (before review) come first, the reviewer's after the move.
    for role, text in seed.comments:
        if role == "checker":
            comments.add_comment(claim, checker, text)
    if seed.state == "researching":
        return
    workflow.transition(claim, "in_review", checker)
    for role, text in seed.comments:
        if role == "editor":
            comments.add_comment(claim, editor, text)
    if seed.state == "in_review":
        return
    if seed.state == "changes_requested":
        workflow.transition(claim, "changes_requested", editor, seed.note)
        return
    workflow.transition(claim, "approved", editor)
    if seed.state == "published":
        workflow.transition(claim, "published", editor)
