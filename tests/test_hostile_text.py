"""Hostile text (DESIGN.md §10): every payload of tests/data/xss_payloads.txt (tags, attributes,
`javascript:` URLs, broken markup, Markdown links, Unicode tricks, RTL overrides, `</script>` aimed at the
JSON-LD block) plus one 5,000-letter word goes into every text field — article title, text, publisher
and author; claim quote, summary, claimant, tags and rationale; evidence title, publisher, excerpt and URL;
comments; a person's name; a rating's name and definition — through the API and the forms. Then every
page that shows them is fetched and parsed: no script but the app's own, no `on…` attribute, no
`javascript:`/`data:` link, no frame, and no payload left unescaped. Real headless Chromium then opens
each claim's desk page and public check page on a phone-sized screen: no dialog opens, no payload's
`window.__xss` flag is set, and no page is wider than the screen.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import quote as urlquote

import pytest
from lxml import etree, html as lxml_html

from factdesk.extensions import db
from factdesk.models import Rating, User

from tests.conftest import login, post_form
from tests.support.api import move_claim, ok, patch_claim
from tests.support.factories import PASSWORD, make_people

PAYLOAD_FILE = Path(__file__).parent / "data" / "xss_payloads.txt"
LONG_WORD = "Supercalifragilistic" * 250  # one 5,000-letter word
PAYLOADS = [line for line in PAYLOAD_FILE.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("# ")] + [LONG_WORD]
HOSTILE_NAME = '<img src=x onerror=window.__xss=1>"Mallory\u202e'

URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "poster", "background", "xlink:href", "srcset",
                  "codebase", "cite", "longdesc", "ping", "manifest")
FORBIDDEN_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base"}
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]+")


def _dangerous_url(value: str) -> bool:
    cleaned = _CONTROL.sub("", value).lower()
    return cleaned.startswith(("javascript:", "vbscript:", "data:text", "data:application", "livescript:"))


def unsafe_markup(page: str, url: str) -> list[str]:
    """What in this HTML could run script, as a browser would parse it (lxml, like libxml2's HTML parser)."""
    problems = []
    tree = lxml_html.document_fromstring(page)
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag == "script":
            kind = (element.get("type") or "").lower()
            src = element.get("src")
            if kind == "application/ld+json" and not src:
                try:
                    json.loads(element.text or "")
                except ValueError as exc:
                    problems.append(f"{url}: JSON-LD block does not parse ({exc}): the payload broke out of it")
            elif not (src and src.startswith("/static/") and not (element.text or "").strip()):
                problems.append(f"{url}: foreign <script {dict(element.attrib)}>{(element.text or '')[:60]}")
        if tag in FORBIDDEN_TAGS:
            problems.append(f"{url}: <{tag}> element")
        if tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            problems.append(f"{url}: <meta http-equiv=refresh>")
        for name, value in element.attrib.items():
            lower = name.lower()
            if lower.startswith("on"):
                problems.append(f"{url}: <{tag} {name}=…> event handler")
            if lower == "srcdoc":
                problems.append(f"{url}: srcdoc attribute")
            if lower in URL_ATTRIBUTES and _dangerous_url(value):
                problems.append(f"{url}: <{tag} {name}={value[:60]!r}>")
    return problems


def unescaped(page: str, url: str) -> list[str]:
    """A payload with markup that shows up byte for byte in the HTML was not escaped."""
    return [f"{url}: unescaped payload {p[:60]!r}" for p in PAYLOADS if "<" in p and p in page]


class HostileDesk:
    def __init__(self):
        self.claims: list[int] = []
        self.articles: list[int] = []
        self.pages: set[str] = set()
        self.refused: list[str] = []


def _try(client, method, url, headers, body, desk: HostileDesk, what: str):
    """A hostile value may be refused (422 with a message) — never a 5xx; returns the JSON when accepted."""
    response = client.open(url, method=method, headers=headers, json=body)
    assert response.status_code < 500, f"{what}: {response.status_code} {response.get_data(as_text=True)[:300]}"
    if response.status_code >= 400:
        error = response.get_json()["error"]
        assert error["message"], what
        desk.refused.append(f"{what}: {response.status_code} {error['code']}")
        return None
    return response.get_json()


def _admin_forms(client, users, desk: HostileDesk) -> User:
    """A person named with markup, and a rating whose name and definition are payloads, through the admin pages."""
    admin = client.application.test_client()
    login(admin, users["admin"])
    response = post_form(admin, "/admin/users", {"email": "mallory@desk.test", "name": HOSTILE_NAME,
                                                 "role": "checker", "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    rating = db.session.execute(db.select(Rating).where(Rating.label == "false")).scalar_one()
    definition = "\n".join(p for p in PAYLOADS if len(p) < 80)[:2000]
    response = post_form(admin, f"/admin/ratings/{rating.id}", {
        "label": "false", "name": '<svg onload=window.__xss=1>False', "definition": definition,
        "colour": rating.colour, "ordinal": str(rating.ordinal or ""), "active": "y"})
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:500]
    db.session.expire_all()
    assert db.session.get(Rating, rating.id).definition == definition.replace("\r\n", "\n") or \
        db.session.get(Rating, rating.id).definition.strip() == definition.strip()
    desk.pages |= {"/admin/users", "/admin/ratings", f"/admin/ratings/{rating.id}", "/ratings"}
    return db.session.execute(db.select(User).where(User.email == "mallory@desk.test")).scalar_one()


def build_hostile_desk(client) -> tuple[HostileDesk, dict, dict]:
    users, tokens = make_people()
    desk = HostileDesk()
    mallory = _admin_forms(client, users, desk)
    from tests.support.factories import token_for

    tokens["mallory"] = token_for(mallory)
    checker, editor, editor2 = tokens["checker"], tokens["editor"], tokens["editor2"]
    for i, p in enumerate(PAYLOADS):
        text = f"Report {i}. The tram carried {i} million riders last year.\n\n{p}\n\nEnd of report {i}."
        article = _try(client, "POST", "/api/v1/articles", checker,
                       {"text": text, "title": p[:500], "publisher": p[:300], "author": p[:500],
                        "source_url": f"https://example.org/report/{i}"}, desk, f"article {i}")
        if article is None:  # the payload itself is refused as text (e.g. a NUL): keep it out of the text
            article = ok(client.post("/api/v1/articles", headers=checker, json={
                "text": text.replace(p, "payload"), "title": p[:500], "publisher": p[:300],
                "source_url": f"https://example.org/report/{i}"}), 201)
        desk.articles.append(article["id"])
        claim = ok(client.post(f"/api/v1/articles/{article['id']}/claims", headers=checker, json={
            "quote": f"carried {i} million riders", "summary": p[:2000], "claimant": p[:300]}), 201)
        desk.claims.append(claim["id"])
        # The payload as a quote of its own: highlighted in the text (marks) wherever it is found.
        _try(client, "POST", f"/api/v1/articles/{article['id']}/claims", checker,
             {"quote": p[:2000], "summary": "payload quoted"}, desk, f"quote {i}")
        move_claim(client, checker, claim["id"], "researching")
        version = ok(client.get(f"/api/v1/claims/{claim['id']}", headers=checker))["version"]
        _try(client, "PATCH", f"/api/v1/claims/{claim['id']}", checker,
             {"version": version, "tags": [p[:60]]}, desk, f"tags {i}")
        _try(client, "POST", f"/api/v1/claims/{claim['id']}/evidence", checker,
             {"url": p[:2000], "title": "evidence with a hostile URL"}, desk, f"evidence url {i}")
        ok(client.post(f"/api/v1/claims/{claim['id']}/evidence", headers=checker, json={
            "url": f"https://example.org/source?q={urlquote(p[:200])}", "title": p[:500], "publisher": p[:300],
            "excerpt": p, "stance": "refutes", "source_type": "official"}), 201)
        patch_claim(client, checker, claim["id"], rating="false",
               rationale=f"{p}\n\nSee [the source](https://example.org/{i}) and [this](javascript:window.__xss=1).")
        ok(client.post(f"/api/v1/claims/{claim['id']}/comments", headers=tokens["mallory"], json={"body": p}), 201)
        move_claim(client, checker, claim["id"], "in_review")
        move_claim(client, editor, claim["id"], "approved", p[:1000])
        move_claim(client, editor2, claim["id"], "published", p[:1000])
        desk.pages |= {f"/desk/claims/{claim['id']}", f"/checks/{claim['id']}", f"/desk/articles/{article['id']}",
                       f"/articles/{article['id']}", f"/api/v1/claims/{claim['id']}"}
    # A comment and an evidence link through the claim page's forms, as a checker types them.
    page_client = client.application.test_client()
    login(page_client, users["checker"])
    for p in PAYLOADS[:12]:
        response = post_form(page_client, f"/desk/claims/{desk.claims[0]}/comments", {"comment-body": p})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
    # Someone assigns Mallory (a hostile name) to a claim that is not yet published: notifications, queue.
    extra = ok(client.post(f"/api/v1/articles/{desk.articles[0]}/claims", headers=checker,
                            json={"quote": "End of report 0", "summary": PAYLOADS[0]}), 201)
    patch_claim(client, editor, extra["id"], assignee=mallory.id, tags=["tram"])
    desk.pages |= {"/", "/desk", "/desk?q=script", "/desk/articles", "/desk/notifications", "/desk/dashboard",
                   "/desk/audit", "/corrections", f"/?q={urlquote('script')}", f"/desk/claims/{extra['id']}"}
    db.session.rollback()
    return desk, users, tokens


@pytest.fixture(scope="module")
def hostile_app(migrated_database, tmp_path_factory):
    """One hostile desk for the whole module (building it takes a few hundred requests)."""
    from factdesk import create_app
    from factdesk.extensions import limiter

    from tests.conftest import PG_URL, DeskClient, _fresh_postgres, _settings

    if PG_URL:
        app = create_app(_settings(PG_URL))
    else:
        path = tmp_path_factory.mktemp("hostile") / "desk.db"
        shutil.copy(migrated_database, path)
        app = create_app(_settings(f"sqlite:///{path}"))
    app.test_client_class = DeskClient
    with app.app_context():
        if PG_URL:
            _fresh_postgres()
        limiter.reset()
        built = build_hostile_desk(app.test_client())
        yield app, built
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(hostile_app):
    return hostile_app[0]


@pytest.fixture
def hostile(hostile_app):
    return hostile_app[1]


def _get(browser, url):
    response = browser.get(url, follow_redirects=True)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return response


def test_no_page_that_shows_hostile_text_carries_script_handlers_or_dangerous_links(app, hostile):
    desk, users, tokens = hostile
    problems: list[str] = []
    pages = 0
    for who in ("checker", "admin", "mallory", None):
        browser = app.test_client()
        if who == "mallory":
            post_form(browser, "/login", {"email": "mallory@desk.test", "password": PASSWORD})
        elif who:
            login(browser, users[who])
        for url in sorted(desk.pages):
            if url.startswith("/api/"):
                continue
            if url.startswith(("/desk/dashboard", "/desk/audit", "/admin")) and who != "admin":
                continue
            if url.startswith("/desk") and who is None:
                continue
            response = _get(browser, url)
            page = response.get_data(as_text=True)
            problems += unsafe_markup(page, f"{who}:{url}") + unescaped(page, f"{who}:{url}")
            assert "{{ 7*7 }}" not in page or "49" not in page.split("{{ 7*7 }}")[0][-5:]
            pages += 1
    assert problems == [], "\n".join(problems[:40])
    assert pages > 2 * len(PAYLOADS)


def test_feeds_sitemap_and_exports_stay_well_formed_with_hostile_text(app, hostile):
    desk, users, tokens = hostile
    client = app.test_client()
    for url in ("/feed.atom", "/sitemap.xml"):
        body = _get(client, url).get_data()
        root = etree.fromstring(body)  # well-formed XML: nothing broke out of its element
        assert root is not None
        assert b"<script" not in body
    login(client, users["checker"])
    exported = json.loads(_get(client, "/desk/export.json").get_data(as_text=True))
    summaries = {item["summary"] for item in exported["items"]}
    assert PAYLOADS[0] in summaries  # kept as typed, escaped only where shown
    csv_text = _get(client, "/desk/export.csv").get_data(as_text=True)
    for line in csv_text.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.startswith(("=", "+", "@")), f"CSV cell could run as a formula: {cell[:40]}"


def test_the_api_returns_hostile_text_as_typed_and_as_json(app, hostile):
    desk, users, tokens = hostile
    client = app.test_client()
    for claim_id, p in zip(desk.claims, PAYLOADS):
        response = client.get(f"/api/v1/claims/{claim_id}", headers=tokens["editor"])
        assert response.mimetype == "application/json"
        body = response.get_json()
        assert body["summary"] == p[:2000].strip() or body["summary"] == p[:2000]
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_hostile_evidence_urls_are_refused_with_a_message(app, hostile):
    desk, _, _ = hostile
    refused = [r for r in desk.refused if r.startswith("evidence url")]
    assert len(refused) == len(PAYLOADS), "an evidence link that is not http(s) was accepted"
    assert all(" 422 " in r for r in refused)


def test_json_ld_on_a_check_page_cannot_be_closed_by_a_payload(app, hostile):
    desk, _, _ = hostile
    client = app.test_client()
    breakout = PAYLOADS.index("</script><script>window.__xss=1</script>")
    page = _get(client, f"/checks/{desk.claims[breakout]}").get_data(as_text=True)
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert blocks, "the check page carries ClaimReview JSON-LD"
    data = json.loads(blocks[0])
    assert "</script><script>window.__xss=1</script>" in json.dumps(data, ensure_ascii=False)
    assert "</script" not in blocks[0].lower()


@pytest.mark.browser
def test_in_chromium_no_payload_runs_and_no_page_is_wider_than_a_phone(app, hostile, browser, live_server):
    desk, users, tokens = hostile
    context = browser.new_context(base_url=live_server, viewport={"width": 375, "height": 740})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto("/login")
    page.fill("input[name=email]", users["checker"].email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form [type=submit]")
    page.wait_for_url("**/desk**")
    wide: list[str] = []
    ran: list[str] = []
    visited = 0
    for claim_id in desk.claims:
        for url in (f"/desk/claims/{claim_id}", f"/checks/{claim_id}"):
            page.goto(url, wait_until="load")
            flags = page.evaluate("() => [window.__xss, window.top.__xss, document.title]")
            if flags[0] is not None or flags[1] is not None:
                ran.append(f"{url}: window.__xss set")
            sizes = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            if sizes[0] > sizes[1]:
                wide.append(f"{url}: {sizes[0]}px wide on a {sizes[1]}px screen")
            visited += 1
    for url in ("/", "/ratings", "/corrections", f"/articles/{desk.articles[-1]}", "/desk",
                f"/desk/articles/{desk.articles[-1]}"):
        page.goto(url, wait_until="load")
        if page.evaluate("() => window.__xss") is not None:
            ran.append(f"{url}: window.__xss set")
        sizes = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if sizes[0] > sizes[1]:
            wide.append(f"{url}: {sizes[0]}px wide on a {sizes[1]}px screen")
    context.close()
    assert dialogs == [], f"a payload opened a dialog: {dialogs[:5]}"
    assert ran == [], ran[:10]
    assert wide == [], "\n".join(wide[:20])
    assert visited == 2 * len(PAYLOADS)
