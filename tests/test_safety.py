"""Headers of DESIGN.md §10 and templates free of inline script."""
from __future__ import annotations

import re
from pathlib import Path

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
