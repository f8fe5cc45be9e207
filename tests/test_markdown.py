"""Markdown rationales and comments render, and nothing in them can run (allow-list sanitising)."""
from __future__ import annotations

import lxml.html
import pytest

from factdesk.claims import comments, editing
from factdesk.extensions import db
from factdesk.markdown import render_markdown

from tests.conftest import login
from tests.support.factories import SeedClaimFactory

HOSTILE = """Intro with <script>alert('x')</script> and <img src=x onerror="alert(1)">.

[click me](javascript:alert(document.cookie)) and [data](data:text/html;base64,PHNjcmlwdD4=)
and [vb](vbscript:msgbox) and [spaced]( javascript:alert(2) ) and <a href="javascript:alert(3)" onclick="x()">raw</a>

<iframe src="https://evil.example"></iframe><svg onload="alert(4)"></svg>
<div style="background:url(javascript:alert(5))" onmouseover="alert(6)">hover</div>

[real source](https://stats.example/report "Report") and <https://auto.example/link>
"""


def _dangerous(html: str) -> list[str]:
    """Everything in a fragment that could run script: script-ish tags, on* attributes, non-http(s) links."""
    found = []
    doc = lxml.html.fragment_fromstring(html, create_parent="div")
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in ("script", "iframe", "svg", "img", "object", "embed", "style", "form", "input"):
            found.append(el.tag)
        for name, value in el.attrib.items():
            if name.startswith("on") or name == "style":
                found.append(f"{el.tag}@{name}")
            if name in ("href", "src") and not value.startswith(("http://", "https://", "mailto:")):
                found.append(f"{el.tag}@{name}={value}")
    return found


def test_hostile_markdown_renders_harmless():
    html = str(render_markdown(HOSTILE))
    assert _dangerous(html) == []
    assert "<script" not in html and "&lt;script&gt;" in html  # shown as text, never as a tag


def test_raw_html_is_shown_as_text_not_markup():
    html = str(render_markdown("<b>bold?</b>"))
    assert "&lt;b&gt;bold?&lt;/b&gt;" in html


def test_ordinary_markdown_survives():
    html = str(render_markdown("**Bold**, *italic*, ~~struck~~, `code`\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | "
                               "2 |\n\n"
                               "[source](https://stats.example/a)"))
    doc = lxml.html.fragment_fromstring(html, create_parent="div")
    assert doc.xpath("string(//strong)") == "Bold"
    assert doc.xpath("string(//em)") == "italic"
    assert doc.xpath("string(//s | //del)") == "struck"
    assert len(doc.xpath("//li")) == 2
    assert len(doc.xpath("//td")) == 2
    link = doc.xpath("//a")[0]
    assert link.get("href") == "https://stats.example/a"
    assert link.get("rel") == "nofollow noopener"


@pytest.mark.parametrize("href", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "vbscript:x",
                                  "file:///etc/passwd"])
def test_links_other_than_http_https_mailto_lose_their_target(href):
    html = str(render_markdown(f"[x]({href})"))
    assert _dangerous(html) == []


def test_empty_rationale_renders_nothing():
    assert str(render_markdown("")) == "" and str(render_markdown(None)) == ""


def test_hostile_rationale_and_comment_are_harmless_on_the_claim_page(client, seed_article, checker):
    claim = SeedClaimFactory(article=seed_article, by=checker)
    editing.update_claim(claim, checker, {"rationale": HOSTILE}, claim.version)
    comments.add_comment(claim, checker, HOSTILE)
    db.session.commit()
    login(client, checker)
    response = client.get(f"/desk/claims/{claim.id}")
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.get_data(as_text=True))
    rendered = doc.xpath('//div[contains(concat(" ", @class, " "), " rendered ")]')
    assert len(rendered) >= 2
    for block in rendered:
        assert _dangerous(lxml.html.tostring(block, encoding="unicode")) == []
    # The page itself runs no inline script: every <script> has a src on our own origin.
    assert all(s.get("src", "").startswith("/static/") for s in doc.xpath("//script"))
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_live_preview_endpoint_answers_sanitised_html(client, checker):
    from tests.conftest import post_form

    login(client, checker)
    response = post_form(client, "/desk/markdown/preview", {"text": HOSTILE})
    assert response.status_code == 200
    html = response.get_json()["html"]
    assert _dangerous(html) == []
    assert 'href="https://stats.example/report"' in html


def test_live_preview_needs_a_login_and_a_csrf_token(client, checker):
    assert client.post("/desk/markdown/preview", data={"text": "x"}).status_code == 302
    login(client, checker)
    assert client.post("/desk/markdown/preview", data={"text": "x"}).status_code == 400
