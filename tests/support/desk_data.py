"""A desk with something in every state, built through the JSON API as a desk would build it (DESIGN.md §8).

Used by the hardening suites (fuzzing, access matrix, hostile text, faults) so their requests meet real
objects: two checkers, an editor, a second editor, an admin, their tokens, an article, and claims that are
new, researching, in review, approved, published, discarded and withdrawn, with evidence and comments.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from factdesk.extensions import db
from factdesk.models import Role

ARTICLE_TEXT = """Harbour city says its new tram carried 12 million riders in 2024.

The mayor, Dana Holt, told reporters on Monday that the tram line "carried 12 million riders in its first year", \
more than any other line in the region.

Opposition councillor Ravi Menon said the city had spent 340 million euros on the project, twice the original budget.

A spokesperson for the transport authority said ridership figures would be audited in March.

Unemployment in the city fell to 4.1 percent last year, the lowest rate since 1998, according to the mayor.

The tram runs every six minutes at peak hours and every twelve minutes in the evening."""

QUOTES = [
    "carried 12 million riders in its first year",
    "spent 340 million euros on the project",
    "twice the original budget",
    "fell to 4.1 percent last year",
    "the lowest rate since 1998",
    "ridership figures would be audited in March",
    "every six minutes at peak hours",
    "every twelve minutes in the evening",
]


@dataclass
class Desk:
    users: dict[str, object]
    tokens: dict[str, dict]
    article_id: int
    claims: dict[str, int] = field(default_factory=dict)  # status -> claim id
    evidence_id: int | None = None
    comment_claim_id: int | None = None

    def headers(self, who: str | None) -> dict:
        return {} if who is None else self.tokens[who]


def _ok(response, *expected):
    assert response.status_code in (expected or (200, 201)), (
        f"{response.request.method} {response.request.path}: {response.status_code} "
        f"{response.get_data(as_text=True)[:400]}")
    return response.get_json()


def make_people():
    from tests.conftest import make_user, token_for

    users = {
        "checker": make_user(Role.checker, "checker@desk.test", "Casey Checker"),
        "checker2": make_user(Role.checker, "checker2@desk.test", "Other Checker"),
        "editor": make_user(Role.editor, "editor@desk.test", "Eddie Editor"),
        "editor2": make_user(Role.editor, "editor2@desk.test", "Second Editor"),
        "admin": make_user(Role.admin, "admin@desk.test", "Ada Admin"),
    }
    tokens = {name: token_for(user) for name, user in users.items()}
    return users, tokens


def _patch(client, headers, claim_id: int, **changes):
    current = _ok(client.get(f"/api/v1/claims/{claim_id}", headers=headers))
    return _ok(client.patch(f"/api/v1/claims/{claim_id}", headers=headers, json={"version": current["version"],
                                                                                 **changes}))


def _move(client, headers, claim_id: int, to: str, comment: str | None = None):
    body = {"to": to} if comment is None else {"to": to, "comment": comment}
    return _ok(client.post(f"/api/v1/claims/{claim_id}/transition", headers=headers, json=body))


def build_desk(client, users=None, tokens=None, *, text: str = ARTICLE_TEXT, title: str = "Tram ridership") -> Desk:
    """Article, claims in every state, evidence and a comment, all through the API."""
    if users is None:
        users, tokens = make_people()
    checker, editor, editor2 = tokens["checker"], tokens["editor"], tokens["editor2"]
    article = _ok(client.post("/api/v1/articles", headers=checker,
                              json={"text": text, "title": title, "publisher": "Harbour Herald",
                                    "source_url": "https://harbour-herald.example/news/tram"}), 201)
    desk = Desk(users=users, tokens=tokens, article_id=article["id"])
    ids = []
    for quote in QUOTES:
        made = _ok(client.post(f"/api/v1/articles/{article['id']}/claims", headers=checker,
                               json={"quote": quote, "summary": f"The claim that {quote}.", "claimant": "Dana Holt"}),
                   201)
        ids.append(made["id"])
    new, researching, in_review, approved, published, discarded, changes, withdrawn = ids
    desk.claims["new"] = new
    desk.claims["discarded"] = discarded
    _move(client, editor, discarded, "discarded", "Opinion, not checkable.")
    for claim_id in (researching, in_review, approved, published, changes, withdrawn):
        _move(client, checker, claim_id, "researching")
    desk.claims["researching"] = researching
    for claim_id in (in_review, approved, published, changes, withdrawn):
        evidence = _ok(client.post(f"/api/v1/claims/{claim_id}/evidence", headers=checker, json={
            "url": "https://stats.example.org/tram-2024", "title": "Transport authority figures",
            "excerpt": "9.8 million validated trips", "stance": "refutes", "source_type": "official"}), 201)
        desk.evidence_id = desk.evidence_id or evidence["id"]
        _patch(client, checker, claim_id, rating="false", rationale="The authority counted **9.8 million** trips.")
        _move(client, checker, claim_id, "in_review")
    desk.claims["in_review"] = in_review
    for claim_id in (approved, published, withdrawn):
        _move(client, editor, claim_id, "approved")
    desk.claims["approved"] = approved
    for claim_id in (published, withdrawn):
        _move(client, editor2, claim_id, "published")
    desk.claims["published"] = published
    _move(client, editor, withdrawn, "withdrawn", "The audit found the figures were invented.")
    desk.claims["withdrawn"] = withdrawn
    _move(client, editor, changes, "changes_requested", "Cite the audit, @Casey please.")
    desk.claims["changes_requested"] = changes
    _ok(client.post(f"/api/v1/claims/{new}/comments", headers=checker, json={"body": "Looking into this one."}), 201)
    desk.comment_claim_id = new
    db.session.rollback()
    return desk
