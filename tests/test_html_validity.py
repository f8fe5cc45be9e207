"""Every page type through the Nu Html Checker (npm `vnu-jar`, run with Java), as a validator sees it.

`make vnu` installs the checker into `.tools/` (VNU_JAR overrides the path). Every page is rendered
on a desk with claims in every state, with forms shown both fresh and refused, and the whole batch is
checked in one run of the checker: no page may have an error.
"""
from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.conftest import login, post_form
from tests.support.factories import build_desk
from tests.support.pages_server import serve_pages
from factdesk.extensions import db
from factdesk.models import Evidence, Rating

ROOT = Path(__file__).resolve().parents[1]
VNU_JAR = Path(os.environ.get("VNU_JAR") or ROOT / ".tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar")


def nu_errors(pages: dict[str, str], folder: Path) -> dict[str, list[str]]:
    """The checker's errors for each page (name -> messages), all pages in one run of the checker."""
    assert VNU_JAR.is_file(), f"the Nu Html Checker is not installed at {VNU_JAR}: run `make vnu`"
    files = {}
    for i, (name, html) in enumerate(pages.items()):
        path = folder / f"page{i:03d}.html"
        path.write_text(html, encoding="utf-8")
        files[path.name] = name
    run = subprocess.run(["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout",
                          *[str(folder / f"page{i:03d}.html") for i in range(len(pages))]],
                         capture_output=True, text=True, timeout=600)
    report = json.loads(run.stdout)
    found: dict[str, list[str]] = {name: [] for name in pages}
    for message in report["messages"]:
        if message["type"] == "error" or message.get("subType") == "fatal":
            name = files.get(message.get("url", "").rsplit("/", 1)[-1], message.get("url"))
            found.setdefault(name, []).append(f"line {message.get('lastLine')}: {message['message']} "
                                              f"[{message.get('extract', '').strip()[:120]}]")
    return found


def _get(client, url: str, *statuses: int) -> str:
    response = client.get(url)
    assert response.status_code in (statuses or (200,)), (url, response.status_code)
    return response.get_data(as_text=True)


@pytest.fixture
def app_settings():
    return {"FACTDESK_ALLOW_PRIVATE_FETCH": True}  # the URL import reads a page from a loopback server


@pytest.fixture
def desk(client):
    made = build_desk()
    evidence = db.session.get(Evidence, made.evidence_id)
    evidence.archive_text, evidence.archive_status = "9.8 million validated trips in 2024.", "archived"
    evidence.archived_at = datetime(2025, 1, 5, 12, 30, 15, 123456, tzinfo=timezone.utc)
    db.session.commit()
    return made


def test_every_page_type_has_no_html_error(client, app, desk, tmp_path):
    pages: dict[str, str] = {}
    a = desk.article_id
    published = desk.claims["published"]
    # Readers first (no login), then the desk as an editor, then the admin's pages.
    pages["home"] = _get(client, "/")
    pages["home search"] = _get(client, "/?q=tram")
    pages["home by rating"] = _get(client, "/?rating=false")
    check = client.get(f"/checks/{published}")
    pages["check"] = _get(client, check.headers["Location"])
    pages["check version"] = _get(client, check.headers["Location"] + "/v/1")
    article = client.get(f"/articles/{a}")
    pages["public article"] = _get(client, article.headers["Location"])
    pages["ratings"] = _get(client, "/ratings")
    pages["corrections"] = _get(client, "/corrections")
    pages["login"] = _get(client, "/login")
    pages["login refused"] = post_form(client, "/login", {"email": "editor@desk.test", "password": "wrong"}) \
        .get_data(as_text=True)
    pages["not found"] = _get(client, "/checks/999999", 404)

    login(client, desk.users["editor"])
    pages["queue"] = _get(client, "/desk")
    pages["queue filtered"] = _get(client, "/desk?status=in_review&status=approved&sort=due&assignee=me")
    pages["articles"] = _get(client, "/desk/articles")
    refused = post_form(client, "/desk/articles/paste", {"paste-text": " ", "paste-published_at": "no date"})
    assert refused.status_code == 422
    pages["paste refused"] = refused.get_data(as_text=True)
    with serve_pages() as server:
        url = server.page("/story", "<html><head><title>Tram story</title></head><body><article><h1>Tram story</h1>"
                          + "<p>The tram carried 12 million riders in its first year, the mayor said on Monday.</p>" * 5
                          + "</article></body></html>")
        streamed = post_form(client, "/desk/articles/import", {"url-url": url})
    assert "Saved as article" in streamed.get_data(as_text=True)
    pages["import progress"] = streamed.get_data(as_text=True)
    pages["desk article"] = _get(client, f"/desk/articles/{a}")
    pages["ambiguous quote"] = post_form(client, f"/desk/articles/{a}/claims", {"quote": "the"}).get_data(as_text=True)
    pages["revise"] = _get(client, f"/desk/articles/{a}/revise")
    for state, claim_id in desk.claims.items():
        pages[f"claim {state}"] = _get(client, f"/desk/claims/{claim_id}")
    stale = post_form(client, f"/desk/claims/{desk.claims['researching']}/edit",
                      {"version": "1", "summary": "Typed over a stale version", "save": "Save changes"})
    assert stale.status_code == 409
    pages["claim edit stale"] = stale.get_data(as_text=True)
    pages["dashboard"] = _get(client, "/desk/dashboard")
    pages["notifications"] = _get(client, "/desk/notifications")
    pages["audit"] = _get(client, "/desk/audit")
    pages["audit refused"] = _get(client, "/desk/audit?from=last+week&to=2025-13-01", 200, 422)
    pages["evidence archive"] = _get(client, f"/desk/evidence/{desk.evidence_id}/archive")
    pages["logout"] = _get(client, "/logout")
    revised = client.put(f"/api/v1/articles/{a}", headers=desk.tokens["editor"], json={
        "text": "Harbour city says its new tram carried 11 million riders in 2024.\n\nNothing else remains."})
    assert revised.status_code == 200
    pages["desk article revised"] = _get(client, f"/desk/articles/{a}")
    pages["revisions"] = _get(client, f"/desk/articles/{a}/revisions")
    pages["revision"] = _get(client, f"/desk/articles/{a}/revisions/1")
    pages["revisions compared"] = _get(client, f"/desk/articles/{a}/compare?from=1&to=2")
    pages["revisions compared refused"] = _get(client, f"/desk/articles/{a}/compare?from=2&to=1", 422)
    stale_edit = post_form(client, f"/desk/articles/{a}/revise", {"text": "Typed on revision 1.", "base_revision": "1"})
    assert stale_edit.status_code == 409
    pages["revise stale"] = stale_edit.get_data(as_text=True)
    pages["claim orphaned"] = _get(client, f"/desk/claims/{desk.claims['new']}")
    pages["public article revised"] = _get(client, article.headers["Location"])

    login(client, desk.users["admin"])
    pages["admin users"] = _get(client, "/admin/users")
    made = post_form(client, "/admin/tokens", {"name": "validity"})
    assert made.status_code == 302
    pages["admin tokens"] = _get(client, "/admin/tokens")
    assert "shown only once" in pages["admin tokens"]
    pages["admin ratings"] = _get(client, "/admin/ratings")
    pages["admin jobs"] = _get(client, "/admin/jobs")
    rating_id = db.session.execute(db.select(Rating.id).limit(1)).scalar_one()
    pages["admin rating"] = _get(client, f"/admin/ratings/{rating_id}")
    pages["forbidden"] = _get(client, "/admin/nothing-here", 404)

    errors = {name: found for name, found in nu_errors(pages, tmp_path).items() if found}
    assert errors == {}, json.dumps(errors, indent=1)
