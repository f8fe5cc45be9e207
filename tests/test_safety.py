"""Headers of DESIGN.md §10 and templates free of inline script."""
from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import PASSWORD, login, post_form

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
