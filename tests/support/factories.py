"""The tests' one set of factories (factory-boy): people, articles and claims made by the desk's own
functions, so each row comes with what the desk writes beside it (revisions, history, publications).

Each factory commits what it makes: the tests read it back through requests, each its own transaction.
A claim in a later state gets there by the moves of DESIGN.md §2 (`to_state`), never by writing its
status: a published claim has its publication because the workflow made it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import factory

from factdesk.accounts.tokens import issue_token
from factdesk.accounts.users import create_user
from factdesk.articles.service import create_article
from factdesk.claims import comments, editing, evidence, workflow
from factdesk.claims.highlight import add_claim, locate
from factdesk.extensions import db
from factdesk.models import Article, Claim, MonitorItem, Role, Status, User
from factdesk.monitor.ingest import record_article

PASSWORD = "correct-horse-battery"

# Sentences of the seed article (the demo desk's, from the shared fixtures) that claims are made on.
SEED_QUOTES = [
    "North Korea has sent more than 10,000 containers filled with military weapons to Russia",
    "the previous estimate of 7,000 containers given by the South Korean defense chief",
    "a minimum of 10 occurrences where North Korean missiles were deployed during combat in Ukraine",
    "In 2022 alone, they have conducted 69 launches",
]

# The evidence a researched claim gets when it has none (what publishing needs).
EVIDENCE = {"url": "https://data.example/records", "title": "Public records", "stance": "refutes",
            "source_type": "official", "excerpt": "The registry lists 12 launches."}

# The moves of §2 that bring a new claim to each state (checker researches and submits, editor reviews).
PATHS = {
    "new": [],
    "researching": ["researching"],
    "in_review": ["researching", "in_review"],
    "changes_requested": ["researching", "in_review", "changes_requested"],
    "approved": ["researching", "in_review", "approved"],
    "published": ["researching", "in_review", "approved", "published"],
    "discarded": ["discarded"],
    "withdrawn": ["researching", "in_review", "approved", "published", "withdrawn"],
}
REASONS = {"changes_requested": "Needs a better source.", "discarded": "Not checkable.",
           "withdrawn": "The source was fabricated."}


class _DeskFactory(factory.Factory):
    """Makes its object with `_make` (a domain function), then commits."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, **kwargs):
        made = cls._make(**kwargs)
        db.session.commit()
        return made


class UserFactory(_DeskFactory):
    """A person who signs in with PASSWORD."""

    class Meta:
        model = User

    role = Role.checker
    email = factory.LazyAttribute(lambda o: f"{o.role.value}@desk.test")
    name = factory.LazyAttribute(lambda o: f"{o.role.value.title()} Person")
    password = PASSWORD

    @staticmethod
    def _make(role, email, name, password):
        return create_user(email, name, role, password)


def token_for(user, name: str = "tests") -> dict:
    """Headers with a new API token of the person's."""
    _, raw = issue_token(user, name)
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


class ArticleFactory(_DeskFactory):
    class Meta:
        model = Article

    by = None
    title = factory.Sequence(lambda n: f"Story {n}")
    text = factory.Sequence(lambda n: f"Story {n}.\n\nThe city built 10,000 homes last year, the mayor said.")
    source_url = "https://news.example/story"
    publisher = "News Example"

    @staticmethod
    def _make(**kwargs):
        return create_article(**kwargs)


class MonitoredArticleFactory(_DeskFactory):
    """A monitored item as the worker records it (fetching is the monitor's own tests' business): its
    article, candidates and appearances. Makes the article."""

    class Meta:
        model = Article

    source = None
    text = "The harbour carried 12 million passengers last year."
    url = "https://harbour.example/radio"
    title = "Harbour radio"

    @staticmethod
    def _make(source, text, url, title):
        article = create_article(text=text, by=None, title=title, source_url=url)
        item = MonitorItem(source_id=source.id, key=f"{url}#{len(text)}"[-64:], url=url, title=title,
                           article_id=article.id)
        db.session.add(item)
        db.session.flush()
        record_article(source, item, article)
        return article


class ClaimFactory(_DeskFactory):
    """A claim highlighted on its article by `by`, then brought to `state` (its moves need `editor`)."""

    class Meta:
        model = Claim

    article = None
    by = None
    quote = "10,000 homes"
    summary = factory.LazyAttribute(lambda o: o.quote)
    claimant = "Jane Doe"
    state = "new"
    editor = None

    @staticmethod
    def _make(article, by, quote, summary, claimant, state, editor):
        claim = add_claim(article, by, locate(article, quote=quote), summary=summary, claimant=claimant)
        db.session.flush()
        return to_state(claim, state, by, editor)


class SeedClaimFactory(ClaimFactory):
    """Claim number `n` on the seed article (SEED_QUOTES), with wording and claimant; the article gets
    a source address, which publishing needs."""

    class Params:
        n = 0

    quote = factory.LazyAttribute(lambda o: SEED_QUOTES[o.n])
    summary = factory.LazyAttribute(lambda o: f"Checkable wording {o.n}.")
    claimant = "Jung Pak"

    @staticmethod
    def _make(article, **kwargs):
        if not article.source_url:
            article.source_url = "https://news.example/dprk-munitions"
        return ClaimFactory._make(article, **kwargs)


def research(claim: Claim, checker, rating: str = "false", rationale: str = "The records show otherwise.",
             tags: list[str] | None = None) -> Claim:
    """Take the claim, rate it, write a rationale (and tags) and add evidence if it has none: ready to submit."""
    if claim.status == Status.new:
        workflow.transition(claim, "researching", checker)
    changes = {"rating": rating, "rationale": rationale}
    if tags is not None:
        changes["tags"] = tags
    editing.update_claim(claim, checker, changes, claim.version)
    if not claim.evidence_count:
        evidence.add_evidence(claim, checker, dict(EVIDENCE))
    db.session.commit()
    return claim


def move(claim: Claim, to: str, by, comment: str | None = None) -> Claim:
    workflow.transition(claim, to, by, comment)
    db.session.commit()
    return claim


def to_state(claim: Claim, state: str, checker, editor, **verdict) -> Claim:
    """Bring a new (or reopened) claim to `state` by the moves of §2; `verdict` goes to `research`."""
    for step in PATHS[state]:
        if step == "researching":
            research(claim, checker, **verdict)
        else:
            move(claim, step, checker if step == "in_review" else editor, REASONS.get(step))
    return claim


# A desk with something in every state, for the suites that walk every route (access matrix, faults,
# fuzzing, page validity, accessibility): two checkers, two editors, an admin, their tokens, an article,
# claims new, researching, in review, changes requested, approved, published, discarded and withdrawn,
# with evidence and a comment.

DESK_TEXT = """Harbour city says its new tram carried 12 million riders in 2024.

The mayor, Dana Holt, told reporters on Monday that the tram line "carried 12 million riders in its first year", \
more than any other line in the region.

Opposition councillor Ravi Menon said the city had spent 340 million euros on the project, twice the original budget.

A spokesperson for the transport authority said ridership figures would be audited in March.

Unemployment in the city fell to 4.1 percent last year, the lowest rate since 1998, according to the mayor.

The tram runs every six minutes at peak hours and every twelve minutes in the evening."""

DESK_QUOTES = {
    "new": "carried 12 million riders in its first year",
    "researching": "spent 340 million euros on the project",
    "in_review": "twice the original budget",
    "approved": "fell to 4.1 percent last year",
    "published": "the lowest rate since 1998",
    "discarded": "ridership figures would be audited in March",
    "changes_requested": "every six minutes at peak hours",
    "withdrawn": "every twelve minutes in the evening",
}
DESK_EVIDENCE = {"url": "https://stats.example.org/tram-2024", "title": "Transport authority figures",
                 "excerpt": "9.8 million validated trips", "stance": "refutes", "source_type": "official"}


@dataclass
class Desk:
    users: dict[str, User]
    tokens: dict[str, dict]
    article_id: int
    claims: dict[str, int] = field(default_factory=dict)  # status -> claim id
    evidence_id: int | None = None
    comment_claim_id: int | None = None

    def headers(self, who: str | None) -> dict:
        return {} if who is None else self.tokens[who]


def make_people() -> tuple[dict[str, User], dict[str, dict]]:
    """The desk's people by part, and an API token for each."""
    users = {
        "checker": UserFactory(role=Role.checker, email="checker@desk.test", name="Casey Checker"),
        "checker2": UserFactory(role=Role.checker, email="checker2@desk.test", name="Other Checker"),
        "editor": UserFactory(role=Role.editor, email="editor@desk.test", name="Eddie Editor"),
        "editor2": UserFactory(role=Role.editor, email="editor2@desk.test", name="Second Editor"),
        "admin": UserFactory(role=Role.admin, email="admin@desk.test", name="Ada Admin"),
    }
    return users, {part: token_for(user) for part, user in users.items()}


def build_desk(users=None, tokens=None, *, text: str = DESK_TEXT, title: str = "Tram ridership") -> Desk:
    """The article, a claim in every state (the second editor publishes), evidence and a comment."""
    if users is None:
        users, tokens = make_people()
    checker, editor, editor2 = users["checker"], users["editor"], users["editor2"]
    article = ArticleFactory(by=checker, text=text, title=title, publisher="Harbour Herald",
                             source_url="https://harbour-herald.example/news/tram")
    desk = Desk(users=users, tokens=tokens, article_id=article.id)
    made = {state: ClaimFactory(article=article, by=checker, quote=quote, summary=f"The claim that {quote}.",
                                claimant="Dana Holt") for state, quote in DESK_QUOTES.items()}
    move(made["discarded"], "discarded", editor, "Opinion, not checkable.")
    for state in ("researching", "in_review", "approved", "published", "changes_requested", "withdrawn"):
        move(made[state], "researching", checker)
    for state in ("in_review", "approved", "published", "changes_requested", "withdrawn"):
        claim = made[state]
        added = evidence.add_evidence(claim, checker, dict(DESK_EVIDENCE))
        desk.evidence_id = desk.evidence_id or added.id
        editing.update_claim(claim, checker, {"rating": "false",
                                              "rationale": "The authority counted **9.8 million** trips."},
                             claim.version)
        move(claim, "in_review", checker)
    for state in ("approved", "published", "withdrawn"):
        move(made[state], "approved", editor)
    for state in ("published", "withdrawn"):
        move(made[state], "published", editor2)
    move(made["withdrawn"], "withdrawn", editor, "The audit found the figures were invented.")
    move(made["changes_requested"], "changes_requested", editor, "Cite the audit, @Casey please.")
    comments.add_comment(made["new"], checker, "Looking into this one.")
    db.session.commit()
    desk.claims = {state: claim.id for state, claim in made.items()}
    desk.comment_claim_id = made["new"].id
    return desk
