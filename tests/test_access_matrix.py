"""The access matrix (DESIGN.md §1, §10): every API operation and every page, every role, real objects in
every state — the right 401/403/404, never a 5xx, never another person's data, and unpublished material
invisible to readers (404, never 403).

The walks read the app's own URL map and OpenAPI document, so a route added later is walked too.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from factdesk.access import READER, declared_role
from factdesk.extensions import db
from factdesk.models import ROLE_RANK, ApiToken, Notification, Role, Status

from tests.conftest import login, post_form
from tests.support.factories import PASSWORD, build_desk

ROLES = [None, "checker", "editor", "admin"]
RANK = {None: 0, "checker": ROLE_RANK[Role.checker], "editor": ROLE_RANK[Role.editor], "admin": ROLE_RANK[Role.admin]}
ROLE_REFUSAL = "Your role does not allow this."


@pytest.fixture
def desk(app, client):
    return build_desk()


def _rank(least) -> int:
    return 0 if least in (READER, "reader") else ROLE_RANK[Role(least)]


def _values(desk, claim_id: int) -> dict[str, object]:
    """Path parameter values naming real objects around one claim."""
    from factdesk.models import Rating

    rating_id = db.session.execute(db.select(Rating.id).order_by(Rating.id)).scalars().first()
    return {"article_id": desk.article_id, "claim_id": claim_id, "evidence_id": desk.evidence_id, "number": 1,
            "rating_id": rating_id, "user_id": desk.users["checker"].id, "token_id": 1, "notification_id": 1,
            "slug": "x", "filename": "css/desk.css", "appearance_id": 1, "candidate_id": 1,
            "token": "not-a-mailed-token", "part": 1}


def _fill(template: str, values: dict, pattern: str) -> str:
    return re.sub(pattern, lambda m: str(values[m.group(1)]), template)


def _api_operations(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            least = re.search(r"Least role: (\w+)", operation["description"]).group(1)
            yield path, method.upper(), least, operation


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_every_api_operation_meets_every_role_on_objects_in_every_state(app, client, desk, role):
    headers = desk.headers(role)
    walked = 0
    for path, method, least, operation in _api_operations(client):
        for status, claim_id in sorted(desk.claims.items()):
            url = _fill(path, _values(desk, claim_id), r"\{(\w+)\}")
            # Writes carry an empty object: enough to pass the role gate, refused by validation, so the
            # walk changes nothing and every state stays for the next role.
            response = client.open(url, method=method, headers=headers,
                                   json={} if method in ("POST", "PUT", "PATCH") else None)
            code = response.status_code
            where = f"{role or 'anonymous'} {method} {url} ({status}): {code} {response.get_data(as_text=True)[:200]}"
            assert code < 500, where
            assert response.mimetype.endswith("json"), where
            documented = set(operation["responses"])
            assert str(code) in documented, f"undocumented status; {where}"
            if RANK[role] >= _rank(least):
                assert code != 401, where
                assert not (code == 403 and response.get_json()["error"]["message"] == ROLE_REFUSAL), where
            elif role is None:
                assert code == 401 and response.get_json()["error"]["code"] == "unauthorized", where
            else:
                assert code == 403 and response.get_json()["error"]["message"] == ROLE_REFUSAL, where
            walked += 1
            if "{claim_id}" not in path:
                break  # one pass is enough for an operation that names no claim
    assert walked > 40


def _page_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.endpoint in ("auth.login", "auth.logout"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method, declared_role(app.view_functions[rule.endpoint])


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_every_page_meets_every_role_on_objects_in_every_state(app, desk, role):
    browser = app.test_client()
    if role is not None:
        login(browser, desk.users[role])
    walked = 0
    for rule, method, least in _page_rules(app):
        for status, claim_id in sorted(desk.claims.items()):
            url = _fill(rule.rule, _values(desk, claim_id), r"<(?:\w+:)?(\w+)>")
            response = browser.open(url, method=method)
            response.get_data()  # read streamed answers (exports) to their end
            code = response.status_code
            where = f"{role or 'anonymous'} {method} {url} ({status}): {code}"
            assert code < 500, where
            if RANK[role] >= _rank(least):
                assert code not in (401, 403) or ROLE_REFUSAL not in response.get_data(as_text=True), where
                if code == 302:
                    assert "/login" not in response.headers["Location"], where
            elif role is None:
                assert code == 302 and response.headers["Location"].startswith("/login?next="), where
            else:
                assert code == 403 and ROLE_REFUSAL in response.get_data(as_text=True), where
            walked += 1
            if "claim_id" not in rule.arguments:
                break
    assert walked > 30


def test_admin_pages_refuse_editors_and_checkers_with_403(app, desk):
    admin_rules = [(rule, method) for rule, method, least in _page_rules(app) if rule.endpoint.startswith("admin.")]
    assert len(admin_rules) >= 5
    for who in ("checker", "editor", "editor2"):
        browser = app.test_client()
        login(browser, desk.users[who])
        for rule, method in admin_rules:
            url = _fill(rule.rule, _values(desk, desk.claims["new"]), r"<(?:\w+:)?(\w+)>")
            data = {"csrf_token": _csrf(browser)} if method == "POST" else None
            response = browser.open(url, method=method, data=data)
            assert response.status_code == 403, f"{who} {method} {url}: {response.status_code}"
    # …and a refused form changed nothing: no new token, no role change.
    assert db.session.execute(db.select(ApiToken).where(ApiToken.name != "tests")).scalars().all() == []
    assert desk.users["checker"].role == Role.checker


def _csrf(browser) -> str:
    from tests.conftest import csrf_token

    return csrf_token(browser)


UNPUBLISHED = [s.value for s in Status if s not in (Status.published, Status.withdrawn)]


def _public_urls(claim_id: int) -> list[str]:
    return [f"/checks/{claim_id}", f"/checks/{claim_id}-x", f"/checks/{claim_id}/v/1", f"/checks/{claim_id}-x/v/1"]


@pytest.mark.parametrize("viewer", [None, "checker", "admin"], ids=lambda r: r or "reader")
def test_unpublished_claims_do_not_exist_on_public_pages(app, desk, viewer):
    browser = app.test_client()
    if viewer:
        login(browser, desk.users[viewer])
    for status in UNPUBLISHED:
        for url in _public_urls(desk.claims[status]):
            response = browser.get(url, follow_redirects=True)
            assert response.status_code == 404, f"{viewer} {url} ({status}): {response.status_code}"
    published = browser.get(f"/checks/{desk.claims['published']}", follow_redirects=True)
    assert published.status_code == 200
    for url in _public_urls(desk.claims["withdrawn"]):  # taken down: gone, saying when and why
        response = browser.get(url, follow_redirects=True)
        assert response.status_code == 410 and "The audit found the figures were invented." in response.get_data(
            as_text=True), url


def test_an_article_without_published_checks_does_not_exist_for_readers(app, client, desk):
    from tests.support.api import ok

    other = ok(client.post("/api/v1/articles", headers=desk.tokens["checker"],
                            json={"text": "Nothing here is published yet.\n\nA second paragraph.",
                                  "title": "Draft only"}), 201)
    for url in (f"/articles/{other['id']}", f"/articles/{other['id']}-draft-only"):
        assert client.get(url, follow_redirects=True).status_code == 404, url
    assert client.get(f"/articles/{desk.article_id}", follow_redirects=True).status_code == 200


def test_public_api_feed_sitemap_and_search_list_only_published_checks(app, client, desk):
    from tests.support.api import patch_claim

    secret = "zebracrossing"
    for status in UNPUBLISHED:
        if status in ("new", "researching", "changes_requested"):
            claim_id = desk.claims[status]
            patch_claim(client, desk.tokens["editor"], claim_id, summary=f"Unpublished {secret} {status} wording.")
    reviews = client.get("/api/v1/public/claimreviews").get_json()
    assert secret not in repr(reviews)
    items = reviews["items"] if isinstance(reviews, dict) and "items" in reviews else reviews
    assert len(items) == 1
    for url in ("/", f"/?q={secret}", "/feed.atom", "/sitemap.xml", "/corrections", f"/articles/{desk.article_id}"):
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert f"Unpublished {secret}" not in body, f"{url} shows unpublished wording"
        for status in UNPUBLISHED:
            assert f"/checks/{desk.claims[status]}-" not in body and f"/checks/{desk.claims[status]}\"" not in body, (
                f"{url} links to the {status} claim")
    assert f"/checks/{desk.claims['published']}-" in client.get("/sitemap.xml").get_data(as_text=True)


def _notification_ids(user) -> list[int]:
    return list(db.session.execute(db.select(Notification.id).where(Notification.user_id == user.id)).scalars())


def test_nobody_reads_or_marks_another_persons_notifications(app, desk):
    checker, other = desk.users["checker"], desk.users["checker2"]
    mine = _notification_ids(checker)
    assert mine, "the desk gave the checker notifications (sent back, mentioned)"
    notes = db.session.execute(db.select(Notification).where(Notification.id.in_(mine))).scalars().all()
    browser = app.test_client()
    login(browser, other)
    page = browser.get("/desk/notifications").get_data(as_text=True)
    for note in notes:
        assert (note.message or "")[:40] not in page or not note.message
    for note_id in mine:
        post_form(browser, f"/desk/notifications/{note_id}/read")
    post_form(browser, "/desk/notifications/read-all")
    db.session.expire_all()
    still = db.session.execute(db.select(Notification).where(Notification.id.in_(mine))).scalars().all()
    assert all(n.read_at is None for n in still), "another person's notifications were marked read"


def test_api_answers_never_carry_password_hashes_tokens_or_other_peoples_email(app, client, desk):
    secrets = [u.password_hash for u in desk.users.values()]
    secrets += list(db.session.execute(db.select(ApiToken.token_hash)).scalars())
    secrets += [h["Authorization"].split()[1] for h in desk.tokens.values()]
    for role in ("checker", "editor", "admin"):
        me = desk.users[role]
        others = [u.email for name, u in desk.users.items() if u.id != me.id]
        for path, method, _least, _ in _api_operations(client):
            if method != "GET":
                continue
            for claim_id in desk.claims.values():
                url = _fill(path, _values(desk, claim_id), r"\{(\w+)\}")
                body = client.get(url, headers=desk.tokens[role]).get_data(as_text=True)
                for secret in secrets:
                    assert secret not in body, f"{url} leaks a secret to {role}"
                for email in others:
                    assert email not in body, f"{url} shows {email} to {role}"
                if "{claim_id}" not in path:
                    break


def test_evidence_of_one_claim_cannot_be_removed_through_another(app, client, desk):
    from factdesk.models import Evidence

    other_claim = desk.claims["new"]
    response = client.delete(f"/api/v1/claims/{other_claim}/evidence/{desk.evidence_id}", headers=desk.tokens["admin"])
    assert response.status_code == 404
    assert db.session.get(Evidence, desk.evidence_id) is not None


def test_me_is_always_the_tokens_own_person(app, client, desk):
    for name, user in desk.users.items():
        assert client.get("/api/v1/me", headers=desk.tokens[name]).get_json()["id"] == user.id


def test_a_deactivated_persons_session_and_token_stop_at_once(app, desk):
    browser = app.test_client()
    login(browser, desk.users["checker2"])
    assert browser.get("/desk").status_code == 200
    desk.users["checker2"].active = False
    db.session.commit()
    assert browser.get("/desk").status_code == 302
    assert browser.get("/api/v1/me", headers=desk.tokens["checker2"]).status_code == 401
    assert post_form(app.test_client(), "/login", {"email": "checker2@desk.test",
                                                   "password": PASSWORD}).status_code == 401


def test_redirect_after_login_never_leaves_the_site(app, desk):
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "\\\\evil.example",
                   "javascript:alert(1)"):
        browser = app.test_client()
        response = post_form(browser, "/login", {"email": desk.users["editor"].email, "password": PASSWORD,
                                                 "next": target})
        location = response.headers["Location"]
        assert urlsplit(location).netloc == "" and location.startswith("/") and not location.startswith("//"), target
