"""Nothing reaches readers until a new publication passes four eyes (DESIGN.md §13), whatever runs.

Every state-changing route of the app's URL map, every CLI command and every background job is tried
on a published check, as checker, editor and admin; afterwards the check's public page, its feed
entries and its ClaimReview (page and public API) are exactly as published. The cases are listed by
endpoint, command and job name, and the first tests compare those lists with what the app has: a new
route, command or job without a case here fails the suite.
"""
from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlsplit

import click
import pytest
from sqlalchemy import select

from factdesk.extensions import db
from factdesk.jobs import REGISTRY, load_job_modules
from factdesk.models import Appearance, Claim, Evidence, Rating, Role

from factdesk.notify import unsubscribe_link

from .conftest import csrf_token, login
from tests.support.accountkit import SECRET_ON_PAGE, code, enrol
from tests.support.factories import PASSWORD, ClaimFactory, UserFactory, to_state, token_for
from tests.support.pages_server import news_page, pages  # noqa: F401  (a fixture)

ROLES = ("checker", "editor", "admin")
ATOM = "{http://www.w3.org/2005/Atom}"
QUOTE = "10,000 homes were built last year"
PARAGRAPHS = ["The minister said on Monday that 10,000 homes were built last year, a record for the region.",
              "The treasury said the budget for housing rose by 4 percent compared with the year before.",
              "Critics said the figures would be audited by the statistics office in the spring."]


def html_page(paragraphs: list[str]) -> str:
    return news_page("Homes built", paragraphs, publisher="The Courier")


CHANGED = [p.replace("10,000", "11,000") for p in PARAGRAPHS]


@pytest.fixture
def app_settings():
    return {"FACTDESK_ALLOW_PRIVATE_FETCH": True, "FACTDESK_FETCH_TIMEOUT": 20}


@dataclass
class World:
    """A published check (its article's source and its evidence served on 127.0.0.1) and the desk's people."""

    app: object
    pages: object
    people: dict
    claim: Claim
    other: Claim
    evidence_id: int
    appearance_id: int
    source_url: str
    clients: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)

    def browser(self, who: str):
        if who not in self.clients:
            self.clients[who] = login(self.app.test_client(), self.people[who])
        return self.clients[who]

    def token(self, who: str) -> dict:
        if who not in self.tokens:
            self.tokens[who] = token_for(self.people[who], f"every-action {who}")
        return self.tokens[who]

    def form(self, who: str, url: str, data: dict | None = None, **kwargs):
        client = self.browser(who)
        return client.post(url, data={"csrf_token": csrf_token(client), **(data or {})}, **kwargs)

    @property
    def c(self) -> int:
        return self.claim.id

    @property
    def a(self) -> int:
        return self.claim.article_id


@pytest.fixture
def people(app, checker, editor, admin):
    return {"checker": checker, "editor": editor, "admin": admin,
            "editor2": UserFactory(role=Role.editor, email="editor2@desk.test", name="Second Editor")}


def build_world(app, pages, people, n: int) -> World:
    from factdesk.articles.service import create_article

    source = pages.page(f"/story-{n}", html_page(PARAGRAPHS))
    article = create_article(text="\n\n".join(PARAGRAPHS), by=people["checker"], title="Homes built",
                             source_url=source, publisher="The Courier")
    db.session.commit()
    published = ClaimFactory(article=article, by=people["checker"], quote=QUOTE,
                             summary="10,000 homes were built last year.")
    to_state(published, "published", people["checker"], people["editor"], tags=["housing"])
    other = ClaimFactory(article=article, by=people["checker"], quote="the budget for housing rose by 4 percent")
    evidence = db.session.execute(select(Evidence).where(Evidence.claim_id == published.id)).scalar_one()
    evidence.url = pages.page(f"/records-{n}", html_page(["The registry lists 6,000 homes completed last year."]))
    appearance = Appearance(claim_id=published.id, url=pages.page(f"/again-{n}", html_page(PARAGRAPHS)),
                            title="Said again", sentence="10,000 homes were built last year", score=0.9)
    db.session.add(appearance)
    db.session.commit()
    return World(app, pages, people, published, other, evidence.id, appearance.id, source)


def reader_view(app, claim_id: int) -> dict:
    """What a reader gets of the check: its page (less the dated under-review notice), its JSON-LD,
    its feed entries and its item of the public ClaimReview API."""
    reader = app.test_client()
    page = reader.get(f"/checks/{claim_id}", follow_redirects=True)
    html = page.get_data(as_text=True)
    body = re.search(r'<article class="check".*?</article>', html, re.S)
    shown = re.sub(r'<p class="notice notice-under-review".*?</p>', "", body.group(0) if body else "", flags=re.S)
    shown = " ".join(shown.split())
    jsonld = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    feed = ET.fromstring(reader.get("/feed.atom").get_data())
    entries = [ET.tostring(e) for e in feed.findall(f"{ATOM}entry")
               if f"/checks/{claim_id}/" in (e.findtext(f"{ATOM}id") or "")]
    reviews = reader.get("/api/v1/public/claimreviews?per_page=100").get_json()["items"]
    return {"status": page.status_code, "page": shown, "jsonld": json.loads(jsonld.group(1)) if jsonld else None,
            "feed": entries, "claimreview": [r for r in reviews if f"/checks/{claim_id}-" in r["url"]]}


# ---------------------------------------------------------------- the cases

def _ok(response):
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    return response


ROUTE_CASES: dict[str, Callable[[World, str], object]] = {
    # the claim itself, through the API
    "api.patch_claim": lambda w, who: w.browser(who).patch(
        f"/api/v1/claims/{w.c}", headers=w.token(who), json={"version": db.session.get(Claim, w.c).version,
                                                              "rating": "true", "tags": ["elections"],
                                                              "summary": "Reworded.", "priority": "urgent"}),
    "api.add_claim_evidence": lambda w, who: w.browser(who).post(
        f"/api/v1/claims/{w.c}/evidence", headers=w.token(who), json={"url": "https://new.example/source"}),
    "api.remove_claim_evidence": lambda w, who: w.browser(who).delete(
        f"/api/v1/claims/{w.c}/evidence/{w.evidence_id}", headers=w.token(who)),
    "api.transition_claim": lambda w, who: w.browser(who).post(
        f"/api/v1/claims/{w.c}/transition", headers=w.token(who),
        json={"to": "researching", "comment": "A reader sent new figures."}),
    "api.post_claim_comment": lambda w, who: w.browser(who).post(
        f"/api/v1/claims/{w.c}/comments", headers=w.token(who), json={"body": "Looks fine to me."}),
    "api.claim_duplicate": lambda w, who: w.browser(who).post(
        f"/api/v1/claims/{w.c}/duplicate", headers=w.token(who), json={"original": w.other.id}),
    "api.claim_copy_evidence": lambda w, who: w.browser(who).post(
        f"/api/v1/claims/{w.c}/copy-evidence", headers=w.token(who), json={"source": w.other.id}),
    "api.move_claim_appearance": lambda w, who: w.browser(who).post(
        f"/api/v1/claims/{w.c}/appearances/{w.appearance_id}", headers=w.token(who), json={"state": "confirmed"}),
    # its article, through the API
    "api.revise_article_api": lambda w, who: w.browser(who).put(
        f"/api/v1/articles/{w.a}", headers=w.token(who), json={"text": "\n\n".join(CHANGED)}),
    "api.highlight_claim_api": lambda w, who: w.browser(who).post(
        f"/api/v1/articles/{w.a}/claims", headers=w.token(who), json={"quote": "a record for the region"}),
    "api.create_article_api": lambda w, who: w.browser(who).post(
        "/api/v1/articles", headers=w.token(who), json={"text": "\n\n".join(CHANGED), "title": "Homes built",
                                                        "source_url": w.source_url}),
    "api.add_monitor_source": lambda w, who: w.browser(who).post(
        "/api/v1/monitor/sources", headers=w.token(who), json={"url": w.source_url, "kind": "page"}),
    # the desk's pages
    "desk.edit_claim": lambda w, who: w.form(who, f"/desk/claims/{w.c}/edit", {
        "version": db.session.get(Claim, w.c).version, "summary": "Reworded.", "claimant": "Someone else",
        "rating": "true", "rationale": "Changed.", "tags": "elections", "priority": "urgent"}),
    "desk.assign_claim": lambda w, who: w.form(who, f"/desk/claims/{w.c}/assign", {
        "assign-version": db.session.get(Claim, w.c).version, "take": "me"}),
    "desk.add_evidence": lambda w, who: w.form(who, f"/desk/claims/{w.c}/evidence", {
        "evidence-url": "https://new.example/source", "evidence-stance": "supports",
        "evidence-source_type": "news"}),
    "desk.remove_evidence": lambda w, who: w.form(who, f"/desk/claims/{w.c}/evidence/{w.evidence_id}/remove"),
    "desk.comment_claim": lambda w, who: w.form(who, f"/desk/claims/{w.c}/comments", {"comment-body": "Hm."}),
    "desk.transition_claim": lambda w, who: w.form(who, f"/desk/claims/{w.c}/transition", {
        "to": "researching", "comment": "A reader sent new figures."}),
    "desk.mark_claim_duplicate": lambda w, who: w.form(who, f"/desk/claims/{w.c}/duplicate", {
        "original": w.other.id}),
    "desk.copy_claim_evidence": lambda w, who: w.form(who, f"/desk/claims/{w.c}/copy-evidence", {
        "source": w.other.id}),
    "desk.move_appearance": lambda w, who: w.form(who, f"/desk/claims/{w.c}/appearances/{w.appearance_id}", {
        "state": "confirmed"}),
    "desk.take_evidence_archive": lambda w, who: w.form(who, f"/desk/evidence/{w.evidence_id}/archive"),
    "desk.add_article_claim": lambda w, who: w.form(who, f"/desk/articles/{w.a}/claims", {
        "quote": "a record for the region"}),
    "desk.reattach_claim": lambda w, who: w.form(who, f"/desk/articles/{w.a}/claims/{w.c}/reattach", {
        "quote": "audited by the statistics office"}),
    "desk.confirm_claim_anchor": lambda w, who: w.form(who, f"/desk/articles/{w.a}/claims/{w.c}/confirm"),
    "desk.revise": lambda w, who: w.form(who, f"/desk/articles/{w.a}/revise", {
        "text": "\n\n".join(CHANGED), "base_revision": "1", "note": "The minister's office corrected it."}),
    "desk.import_paste": lambda w, who: w.form(who, "/desk/articles/paste", {
        "paste-text": "\n\n".join(CHANGED), "paste-title": "Homes built, again"}),
    "desk.import_upload": lambda w, who: w.form(who, "/desk/articles/upload", {
        "upload-file": (io.BytesIO("\n\n".join(CHANGED).encode()), "homes.txt"), "upload-title": "Homes"},
        content_type="multipart/form-data"),
    "desk.import_url": lambda w, who: w.form(who, "/desk/articles/import", {"url-url": w.source_url}),
    "desk.queue_bulk": lambda w, who: w.form(who, "/desk/bulk", {
        "action": "discard", "ids": [w.c], "comment": "Clearing the queue."}),
    "desk.markdown_preview": lambda w, who: w.form(who, "/desk/markdown/preview", {"text": "**new** verdict"}),
    "desk.read_notification": lambda w, who: w.form(who, "/desk/notifications/1/read"),
    "desk.read_all_notifications": lambda w, who: w.form(who, "/desk/notifications/read-all"),
    "desk.add_monitor_source": lambda w, who: w.form(who, "/desk/monitor/sources", {
        "source-url": w.source_url, "source-kind": "page"}),
    "desk.save_monitor_topic": lambda w, who: w.form(who, "/desk/monitor/topics", {
        "topic-name": "housing", "topic-keywords": "homes, housing"}),
    "desk.claim_from_candidate": lambda w, who: w.form(who, "/desk/monitor/candidates/1/claim"),
    # the admin's pages: the rating scale, people, tokens
    "admin.rating_edit": lambda w, who: w.form(who, f"/admin/ratings/{_rating('false').id}", {
        "label": "false", "name": "True after all", "colour": "#1e7b34", "definition": "Renamed.", "ordinal": "1",
        "active": "y"}),
    "admin.rating_move": lambda w, who: w.form(who, f"/admin/ratings/{_rating('false').id}/move", {
        "direction": "up"}),
    "admin.rating_delete": lambda w, who: w.form(who, f"/admin/ratings/{_rating('false').id}/delete"),
    "admin.ratings": lambda w, who: w.form(who, "/admin/ratings", {
        "label": "pants-on-fire", "name": "Pants on fire", "colour": "#7a0000", "definition": "Very wrong.",
        "ordinal": "", "active": "y"}),
    "admin.users": lambda w, who: w.form(who, "/admin/users", {
        "email": f"new-{who}@desk.test", "name": "New Person", "role": "checker", "password": PASSWORD}),
    "admin.change_role": lambda w, who: w.form(who, f"/admin/users/{w.people['checker'].id}/role", {
        "role": "editor"}),
    "admin.toggle_active": lambda w, who: w.form(who, f"/admin/users/{w.people['editor2'].id}/active"),
    "admin.tokens": lambda w, who: w.form(who, "/admin/tokens", {
        "user_id": w.people["checker"].id, "name": "act as the checker"}),
    "admin.revoke": lambda w, who: w.form(who, f"/admin/tokens/{_any_token(w).id}/revoke"),
    "admin.invite": lambda w, who: w.form(who, "/admin/invitations", {
        "invite-email": f"invited-{who}@desk.test", "invite-name": "Invited Person", "invite-role": "editor"}),
    "admin.resend_invitation": lambda w, who: w.form(who, f"/admin/users/{_invited(w, who).id}/invitation"),
    "admin.reset_second_factor": lambda w, who: _reset_second_factor(w, who),
    # a person's own account
    "account.account": lambda w, who: w.form(who, "/account", {"notify_email": "digest"}),
    "account.change_email": lambda w, who: w.form(who, "/account/email", {
        "new_email": f"moved-{who}@desk.test", "password": PASSWORD}),
    "account.confirm_email": lambda w, who: w.form(who, f"/account/email/{_email_link(w, who)}"),
    "account.unsubscribe": lambda w, who: _post_fresh(w.app.test_client(), urlsplit(
        unsubscribe_link(w.people[who])).path),
    "account.enable_second_factor": lambda w, who: _enable_second_factor(w, who),
    "account.recovery_codes": lambda w, who: w.form(who, "/account/security/recovery-codes", {
        "codes-code": code(_enrolled(w, who))}),
    "account.disable_second_factor": lambda w, who: w.form(who, "/account/security/disable", {
        "off-code": code(_enrolled(w, who))}),
    # signing in and out, links by e-mail
    "auth.login": lambda w, who: _post_fresh(w.app.test_client(), "/login", {
        "email": w.people[who].email, "password": PASSWORD}),
    "auth.second_factor": lambda w, who: _sign_in_with_code(w, who),
    "auth.enrol": lambda w, who: _enrol_at_sign_in(w, who),
    "auth.password_reset": lambda w, who: _post_fresh(w.app.test_client(), "/password/reset", {
        "email": w.people[who].email}),
    "auth.reset_password": lambda w, who: _post_fresh(
        w.app.test_client(), f"/password/reset/{_reset_link(w, who)}", {"password": NEW_PASSWORD,
                                                                        "confirm": NEW_PASSWORD}),
    "auth.accept_invitation": lambda w, who: _post_fresh(
        w.app.test_client(), f"/invitation/{_invitation_link(w, who)}", {"password": NEW_PASSWORD,
                                                                         "confirm": NEW_PASSWORD}),
    "auth.logout": lambda w, who: w.form(who, "/logout"),
}

NEW_PASSWORD = "another long passphrase 42"


def _post_fresh(client, url: str, data: dict | None = None):
    """POST a form from a browser that is not signed in (a CSRF token from its own session)."""
    return client.post(url, data={"csrf_token": csrf_token(client), **(data or {})})


def _invited(w: World, who: str):
    from factdesk.accounts import invitations

    person = invitations.invite(f"pending-{who}@desk.test", "Pending Person", "checker", w.people["admin"])
    db.session.commit()
    return person


def _invitation_link(w: World, who: str) -> str:
    from factdesk.accounts.links import make_link
    from factdesk.models import LinkPurpose

    raw = make_link(_invited(w, who), LinkPurpose.invitation, by=w.people["admin"])
    db.session.commit()
    return raw


def _reset_link(w: World, who: str) -> str:
    from factdesk.accounts.links import make_link
    from factdesk.models import LinkPurpose

    raw = make_link(w.people[who], LinkPurpose.password_reset)
    db.session.commit()
    return raw


def _email_link(w: World, who: str) -> str:
    from factdesk.accounts.links import make_link
    from factdesk.models import LinkPurpose

    w.browser(who)
    raw = make_link(w.people[who], LinkPurpose.email_change, new_email=f"confirmed-{who}@desk.test")
    db.session.commit()
    return raw


def _enrolled(w: World, who: str) -> str:
    """Turn the person's second factor on (signed in already); its secret."""
    w.browser(who)
    secret, _ = enrol(w.people[who])
    return secret


def _reset_second_factor(w: World, who: str):
    enrol(w.people["editor2"])
    return w.form(who, f"/admin/users/{w.people['editor2'].id}/second-factor")


def _enable_second_factor(w: World, who: str):
    page = w.browser(who).get("/account/security").get_data(as_text=True)
    return w.form(who, "/account/security/enable", {"code": code(SECRET_ON_PAGE.search(page).group(1))})


def _sign_in_with_code(w: World, who: str):
    secret, _ = enrol(w.people[who])
    client = w.app.test_client()
    assert _post_fresh(client, "/login", {"email": w.people[who].email, "password": PASSWORD}).status_code == 302
    return _post_fresh(client, "/login/code", {"code": code(secret)})


def _enrol_at_sign_in(w: World, who: str):
    client, rule = w.app.test_client(), w.app.config["REQUIRE_2FA"]
    w.app.config["REQUIRE_2FA"] = "all"
    try:
        assert _post_fresh(client, "/login", {"email": w.people[who].email, "password": PASSWORD}).status_code == 302
        page = client.get("/login/enrol").get_data(as_text=True)
        return _post_fresh(client, "/login/enrol", {"code": code(SECRET_ON_PAGE.search(page).group(1))})
    finally:
        w.app.config["REQUIRE_2FA"] = rule


def _rating(label: str) -> Rating:
    return db.session.execute(select(Rating).where(Rating.label == label)).scalar_one()


def _any_token(w: World):
    from factdesk.models import ApiToken

    w.token("editor")
    return db.session.execute(select(ApiToken).order_by(ApiToken.id)).scalars().first()


def _cli(*args: str) -> Callable[[World, object, str], object]:
    def run(w: World, runner, who: str):
        result = runner.invoke(args=[a.format(w=w, who=who, person=w.people[who]) for a in args])
        assert result.exit_code in (0, 1, 2) and not isinstance(result.exception, (AssertionError, KeyError)), (
            result.output, result.exception)
        return result

    return run


def _source_changes(w: World) -> None:
    """The publisher edits the page behind the check: 10,000 becomes 11,000."""
    w.pages.page(urlsplit(w.source_url).path, html_page(CHANGED))


def _watch_changed(w: World, runner, who: str):
    _source_changes(w)
    result = runner.invoke(args=["articles", "watch", "--article", str(w.a)])
    assert result.exit_code == 0, result.output
    assert db.session.get(Claim, w.c).article_changed_at is not None  # the desk is told
    return result


# Commands that are not run here, and why each cannot change a check.
NOT_RUN = {
    "bench": "builds and serves a desk of its own in a temporary database (tests/test_bench.py runs it)",
    "worker": "runs until stopped; every job it runs is tried below, one by one",
    "db downgrade": "moves the schema, never a claim (tests/test_migrations.py)",
    "db init": "writes a new migrations folder, nothing in the database",
    "db migrate": "writes a migration file, nothing in the database",
    "db revision": "writes a migration file, nothing in the database",
    "db edit": "opens a migration file in an editor",
    "db merge": "writes a migration file, nothing in the database",
    "db stamp": "moves the schema's version marker, never a claim",
    "rankers evaluate": "reads the labelled data in tests/data and writes nothing (tests/test_rankers_eval.py)",
}

CLI_CASES: dict[str, Callable] = {
    "articles extract": _cli("articles", "extract", "{w.source_url}"),
    "articles import": _cli("articles", "import", "{w.source_url}", "--by", "{person.email}"),
    "articles watch": _watch_changed,
    "db backup": lambda w, runner, who: _cli("db", "backup", str(w.app.instance_path) + f"/backup-{who}.db")(
        w, runner, who) if db.engine.dialect.name == "sqlite" else _cli("db", "backup", "/tmp/x")(w, runner, who),
    "db branches": _cli("db", "branches"),
    "db check": _cli("db", "check"),
    "db current": _cli("db", "current"),
    "db heads": _cli("db", "heads"),
    "db history": _cli("db", "history"),
    "db list-templates": _cli("db", "list-templates"),
    "db show": _cli("db", "show"),
    "db upgrade": _cli("db", "upgrade"),
    "demo load": _cli("demo", "load"),
    "evidence check": _cli("evidence", "check", "--claim", "{w.c}"),
    "monitor run": _cli("monitor", "run"),
    "users create": _cli("users", "create", "cli-{who}@desk.test", "--role", "admin", "--name", "CLI person",
                         "--password-stdin"),
    "users token": _cli("users", "token", "{person.email}", "--name", "cli token"),
}


def _job_watch(w: World):
    _source_changes(w)
    return {"article_id": w.a}


def _job_source(w: World):
    from factdesk.models import MonitorSource, SourceKind

    source = MonitorSource(url=w.pages.page(f"/said-again-{w.c}", html_page(PARAGRAPHS)), kind=SourceKind.page,
                           name="Courier")
    db.session.add(source)
    db.session.commit()
    return {"source_id": source.id}


def _job_mail(w: World):
    return {"to": w.people["checker"].email, "subject": "A note", "text": "A note.", "html": "<p>A note.</p>"}


JOB_CASES: dict[str, Callable[[World], dict]] = {
    "mail.send": _job_mail,
    "mail.digest": lambda w: {},
    "claims.vectors": lambda w: {},
    "evidence.archive": lambda w: {"evidence_id": w.evidence_id},
    "evidence.check": lambda w: {"claim_id": w.c},
    "articles.watch": _job_watch,
    "monitor.source": _job_source,
    "monitor.pass": lambda w: {},
}


# ---------------------------------------------------------------- every route, command and job has its case

def _cli_commands(group: click.Group, prefix: str = "") -> set[str]:
    names = set()
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            names |= _cli_commands(command, f"{prefix}{name} ")
        else:
            names.add(f"{prefix}{name}")
    return names


def test_every_state_changing_route_has_a_case(app):
    changing = {rule.endpoint for rule in app.url_map.iter_rules() if rule.methods & {"POST", "PUT", "PATCH", "DELETE"}}
    assert changing - set(ROUTE_CASES) == set(), "state-changing routes without a case here"
    assert set(ROUTE_CASES) - changing == set(), "cases for routes the app no longer has"


def test_every_cli_command_has_a_case(app):
    commands = _cli_commands(app.cli)
    assert commands - set(CLI_CASES) - set(NOT_RUN) == set(), "CLI commands without a case here"
    assert (set(CLI_CASES) | set(NOT_RUN)) - commands == set(), "cases for commands the app no longer has"


def test_every_background_job_has_a_case(app):
    load_job_modules()
    assert set(REGISTRY) == set(JOB_CASES)


# ---------------------------------------------------------------- tried on a published check

@pytest.mark.parametrize("endpoint", sorted(ROUTE_CASES))
def test_route_leaves_the_published_check_as_published(app, pages, people, endpoint):
    for n, who in enumerate(ROLES):
        world = build_world(app, pages, people, n)
        before = reader_view(app, world.c)
        assert before["status"] == 200 and before["feed"] and before["claimreview"]
        _ok(ROUTE_CASES[endpoint](world, who))
        db.session.rollback()
        assert reader_view(app, world.c) == before, f"{endpoint} as {who} changed what readers see"


@pytest.mark.parametrize("command", sorted(CLI_CASES))
def test_cli_command_leaves_the_published_check_as_published(app, pages, people, runner, command, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    for n, who in enumerate(ROLES):
        world = build_world(app, pages, people, n)
        before = reader_view(app, world.c)
        monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
        CLI_CASES[command](world, runner, who)
        db.session.rollback()
        assert reader_view(app, world.c) == before, f"{command} changed what readers see"


@pytest.mark.parametrize("name", sorted(JOB_CASES))
def test_background_job_leaves_the_published_check_as_published(app, pages, people, name):
    load_job_modules()
    world = build_world(app, pages, people, 0)
    before = reader_view(app, world.c)
    payload = JOB_CASES[name](world)
    try:
        REGISTRY[name].func(**payload)
    except Exception as exc:  # noqa: BLE001 - a job may fail (the worker records and retries it); readers' record must hold
        assert not isinstance(exc, AssertionError), exc
        db.session.rollback()
    db.session.commit()
    assert reader_view(app, world.c) == before, f"job {name} changed what readers see"


def test_what_readers_see_changes_only_with_a_new_publication_that_passed_four_eyes(app, pages, people):
    world = build_world(app, pages, people, 0)
    before = reader_view(app, world.c)
    editor2 = world.people["editor2"]
    world.browser("editor").post(f"/api/v1/claims/{world.c}/transition", headers=world.token("editor"),
                                 json={"to": "researching", "comment": "Revised statistics."})
    patched = world.browser("editor").patch(f"/api/v1/claims/{world.c}", headers=world.token("editor"), json={
        "version": db.session.get(Claim, world.c).version, "rating": "mostly-false"})
    assert patched.status_code == 200
    world.browser("checker").post(f"/api/v1/claims/{world.c}/transition", headers=world.token("checker"),
                                  json={"to": "in_review"})
    assert reader_view(app, world.c) == before
    refused = world.browser("editor").post(f"/api/v1/claims/{world.c}/transition", headers=world.token("editor"),
                                           json={"to": "approved"})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "four_eyes"
    editor2_token = token_for(editor2, "second")
    for to in ("approved", "published"):
        moved = world.browser("checker").post(f"/api/v1/claims/{world.c}/transition", headers=editor2_token,
                                              json={"to": to})
        assert moved.status_code == 200, moved.get_json()
    after = reader_view(app, world.c)
    assert after["jsonld"]["reviewRating"]["alternateName"] == "Mostly false"
    assert before["jsonld"]["reviewRating"]["alternateName"] == "False"
    assert len(after["feed"]) == 2 and after["claimreview"] != before["claimreview"]
