"""Headers of DESIGN.md §10 and templates free of inline script."""
from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import login, post_form
from tests.support.factories import PASSWORD

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def test_security_headers_on_pages_and_api(client):
    for url in ("/", "/login", "/api/v1/openapi.json", "/api/v1/me"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"]


def test_no_template_holds_inline_script_or_event_handlers():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        source = path.read_text()
        for match in re.finditer(r"<script\b([^>]*)>", source):
            attrs = match.group(1)
            if "src=" not in attrs and 'type="application/ld+json"' not in attrs:
                offenders.append(f"{path.name}: inline <script{attrs}>")
        if re.search(r"\son[a-z]+\s*=", source):
            offenders.append(f"{path.name}: on…= attribute")
        if re.search(r"\sstyle\s*=", source):
            offenders.append(f"{path.name}: style= attribute")
    assert offenders == []


def test_healthz_reports_database_and_migrations(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["migrations"] == "current"


# --- redirects to a target a person gave ----------------------------------------------------------

HOSTILE_NEXT = ["/\t/evil.example", "/%09/evil.example", "/\n/evil.example", "/\r\n/evil.example",
                "//evil.example/x", "///evil.example", "/\\evil.example", "\\\\evil.example", "https://evil.example/",
                "http:/evil.example", "javascript:alert(1)", " //evil.example", "/desk\r\nSet-Cookie: a=b",
                "/desk\x0bx", "/\u200b/evil.example", "evil.example", "http://[::1"]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_next_leads_only_to_a_path_on_this_desk(client, editor, target):
    target = target.replace("%09", "\t")
    response = post_form(client, "/login", {"email": editor.email, "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/desk"
    assert "Welcome, Editor Person." in client.get("/desk").get_data(as_text=True)


def test_login_next_from_the_query_string_with_a_tab_goes_to_the_desk(client, editor):
    """The review's request: /login?next=/%09/evil.example answered Location: //evil.example."""
    page = client.get("/login?next=/%09/evil.example").get_data(as_text=True)
    hidden = re.search(r'name="next" type="hidden" value="([^"]*)"', page).group(1)
    response = post_form(client, "/login", {"email": editor.email, "password": PASSWORD,
                                            "next": html.unescape(hidden)})
    assert response.headers["Location"] == "/desk"


@pytest.mark.parametrize("target", ["/desk/claims/7", "/desk?status=in_review&sort=due", "/desk/articles#claim-3",
                                    "/admin/users"])
def test_login_next_keeps_a_path_on_this_desk(client, editor, target):
    response = post_form(client, "/login", {"email": editor.email, "password": PASSWORD, "next": target})
    assert response.headers["Location"] == target


def test_the_login_redirect_of_a_desk_page_comes_back_to_it(client, editor):
    response = client.get("/desk?status=in_review&sort=due")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    next_value = parse_qs(urlsplit(login_url).query)["next"][0]
    assert post_form(client, "/login", {"email": editor.email, "password": PASSWORD, "next": next_value}
                     ).headers["Location"] == "/desk?status=in_review&sort=due"


@pytest.mark.parametrize("target", HOSTILE_NEXT + ["/desk/claims/\r\n1"])
def test_marking_a_notification_read_never_redirects_off_the_desk(client, checker, target):
    login(client, checker)
    response = post_form(client, "/desk/notifications/1/read", {"next": target.replace("%09", "\t")})
    assert response.status_code == 302
    assert response.headers["Location"] == "/desk/notifications"


@pytest.mark.parametrize("back", ["status=new\r\nSet-Cookie: a=b", "/\t/evil.example", "\t//evil.example",
                                  "q=\x7f"])
def test_the_bulk_form_back_link_with_control_characters_is_the_plain_queue(client, editor, back):
    login(client, editor)
    response = post_form(client, "/desk/bulk", {"action": "priority", "priority": "high", "back": back})
    assert response.status_code == 302
    assert response.headers["Location"] == "/desk"


def test_the_bulk_form_back_link_keeps_the_filters(client, editor):
    login(client, editor)
    response = post_form(client, "/desk/bulk", {"action": "priority", "priority": "high",
                                                "back": "status=in_review&sort=due"})
    assert response.headers["Location"] == "/desk?status=in_review&sort=due"


# --- every stored URL is http or https -------------------------------------------------------------

NOT_WEB = ["javascript:alert(document.domain)", "JavaScript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
           "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "ftp://files.example/a",
           "//evil.example/a",
           "/relative/path", "http://", "http:///no-host", "https://exa mple.com/", "https://example.com/\r\nx",
           "https://example.com:port/", "http://[::1", "mailto:someone@example.com", "https:\\\\evil.example"]


@pytest.fixture
def api(checker):
    from tests.support.factories import token_for

    return token_for(checker)


def _stored_urls() -> list:
    from sqlalchemy import select

    from factdesk.extensions import db
    from factdesk.models import Article, Evidence

    return [*db.session.execute(select(Article.source_url)).scalars(),
            *db.session.execute(select(Evidence.url)).scalars()]


@pytest.mark.parametrize("url", NOT_WEB)
def test_the_api_refuses_an_article_source_that_is_not_http(client, api, url):
    response = client.post("/api/v1/articles", headers=api, json={"text": "The mayor said so.", "source_url": url})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["fields"] == {"source_url": error["fields"]["source_url"]}
    assert "http or https" in error["message"] or "link" in error["message"]
    assert _stored_urls() == []


@pytest.mark.parametrize("url", ["javascript:alert(document.domain)", "data:text/html,x", "ftp://files.example/a",
                                 "java\tscript:alert(1)"])
def test_the_paste_form_refuses_a_source_that_is_not_http_and_keeps_what_was_typed(client, checker, url):
    login(client, checker)
    response = post_form(client, "/desk/articles/paste", {"paste-text": "The mayor said so.", "paste-title": "Kept",
                                                          "paste-source_url": url})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "is not an http or https link" in page
    assert 'value="Kept"' in page and "The mayor said so." in page
    assert _stored_urls() == []


@pytest.mark.parametrize("url", NOT_WEB)
def test_evidence_by_api_is_http_only_link_and_archive(client, api, checker, url):
    article = client.post("/api/v1/articles", headers=api,
                          json={"text": "The mayor said ridership doubled."}).get_json()
    claim = client.post(f"/api/v1/articles/{article['id']}/claims", headers=api,
                        json={"quote": "ridership doubled"}).get_json()
    for body in ({"url": url}, {"url": "https://example.org/report", "archive_url": url}):
        response = client.post(f"/api/v1/claims/{claim['id']}/evidence", headers=api, json=body)
        assert response.status_code == 422, body
        assert set(response.get_json()["error"]["fields"]) == set(body) - ({"url"} if "archive_url" in body else set())
    assert _stored_urls() == [None]


def test_the_cli_import_refuses_a_source_that_is_not_http(runner, tmp_path):
    text = tmp_path / "article.txt"
    text.write_text("The mayor said so.")
    result = runner.invoke(args=["articles", "import", str(text), "--source-url", "javascript:alert(1)"])
    assert result.exit_code != 0
    assert "is not an http or https link" in result.output
    assert _stored_urls() == []


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/xml,<rss/>", "file:///etc/passwd"])
def test_a_monitored_source_is_http_only(client, editor, url):
    from tests.support.factories import token_for

    response = client.post("/api/v1/monitor/sources", headers=token_for(editor), json={"url": url, "kind": "feed"})
    assert response.status_code == 422
    assert "url" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("url", ["https://example.org/a?b=c#d", "http://127.0.0.1:8080/x", "HTTPS://Example.org/",
                                 "https://例え.jp/記事"])
def test_http_and_https_links_are_kept_as_given(client, api, url):
    response = client.post("/api/v1/articles", headers=api, json={"text": "The mayor said so.", "source_url": url})
    assert response.status_code == 201
    assert response.get_json()["source_url"] == url


def test_production_answers_carry_hsts_and_development_does_not(client, monkeypatch, tmp_path):
    from factdesk import create_app

    assert "Strict-Transport-Security" not in client.get("/login").headers
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    production = create_app({"FACTDESK_ENV": "production", "SQLALCHEMY_DATABASE_URI": client.application.config[
        "SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "x" * 40,
                             "PUBLIC_URL": "https://checks.example.org", "MAIL_URL": "smtp://mail.desk.test:25"})
    for url in ("/", "/login", "/api/v1/openapi.json"):
        response = production.test_client().get(url)
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000", url


# --- links stored before the rule ---------------------------------------------------------------

OLD_LINKS = {"source": "javascript:alert(document.domain)", "evidence": "JavaScript:alert('evidence')",
             "archive": "data:text/html,<script>alert(2)</script>", "appearance": "vbscript:msgbox(3)"}


def _old_links_in_attributes(page: str) -> list[str]:
    """Any stored old link used as a link (href, src, action, a meta's content), or anything scripted."""
    links = [html.unescape(m) for m in re.findall(r'\b(?:href|src|action|content)="([^"]*)"', page)]
    scripted = ("javascript:", "vbscript:")
    return [link for link in links if link in OLD_LINKS.values() or link.lower().startswith(scripted)]


def test_links_stored_before_the_rule_are_shown_as_text_never_as_links(app, client, checker, editor):
    """Rows written before every stored URL passed `web_url` (here put straight into the database) are
    text on every page that shows them, desk and public, and no URL of the ClaimReview markup."""
    from datetime import date

    from sqlalchemy import update

    from factdesk.claims import evidence
    from factdesk.extensions import db
    from factdesk.models import Appearance, AppearanceState, Article, Evidence

    from tests.support.addresses import article_path_of, path_of
    from tests.support.factories import ArticleFactory, ClaimFactory, to_state

    story = ArticleFactory(by=checker, title="Launches",
                           text="In 2022 alone, they have conducted 69 launches of rockets.")
    check = ClaimFactory(article=story, by=checker, quote="they have conducted 69 launches")
    evidence.add_evidence(check, checker, {"url": "https://data.example/records", "title": "Public records",
                                           "stance": "refutes", "source_type": "official"})
    # Evidence stored before the rule is frozen into the publication as it was (readers see publications).
    db.session.execute(update(Evidence).values(url=OLD_LINKS["evidence"], archive_url=OLD_LINKS["archive"]))
    db.session.commit()
    check = to_state(check, "published", checker, editor)
    db.session.add(Appearance(claim_id=check.id, url=OLD_LINKS["appearance"], title="Said again",
                              sentence="69 launches", said_by="A minister", said_at=date(2026, 1, 5), score=0.9,
                              state=AppearanceState.public))
    db.session.execute(update(Article).values(source_url=OLD_LINKS["source"]))
    db.session.commit()
    [item] = db.session.execute(db.select(Evidence)).scalars().all()

    pages = {"public check": path_of(app, check), "public article": article_path_of(app, story)}
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code == 200, name
        page = response.get_data(as_text=True)
        assert _old_links_in_attributes(page) == [], name
        for markup in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S):
            assert not any(link.lower() in markup.lower() for link in OLD_LINKS.values()), name
    check_page = client.get(pages["public check"]).get_data(as_text=True)
    assert "vbscript:msgbox(3)" in check_page and "JavaScript:alert(&#39;evidence&#39;)" in check_page

    login(client, checker)
    desk = {"article": f"/desk/articles/{story.id}", "claim": f"/desk/claims/{check.id}",
            "archive copy": f"/desk/evidence/{item.id}/archive"}
    for name, path in desk.items():
        response = client.get(path)
        assert response.status_code == 200, name
        page = response.get_data(as_text=True)
        assert _old_links_in_attributes(page) == [], name
    assert "javascript:alert(document.domain)" in client.get(desk["article"]).get_data(as_text=True)
    claim_page = client.get(desk["claim"]).get_data(as_text=True)
    assert "data:text/html,&lt;script&gt;alert(2)&lt;/script&gt;" in claim_page


def test_a_check_whose_source_was_stored_before_the_rule_cannot_be_published(app, checker, editor):
    from sqlalchemy import update

    from factdesk.extensions import db
    from factdesk.models import Article
    from factdesk.public.claimreview import publish_problems

    from tests.support.factories import ArticleFactory, ClaimFactory

    story = ArticleFactory(by=checker, title="Launches",
                           text="In 2022 alone, they have conducted 69 launches of rockets.")
    made = ClaimFactory(article=story, by=checker, quote="they have conducted 69 launches")
    for stored in ("javascript:alert(1)", "http://", "https://exa mple.com/"):
        db.session.execute(update(Article).values(source_url=stored))
        db.session.commit()
        db.session.refresh(story)
        assert any("no source URL" in p for p in publish_problems(made)), stored
