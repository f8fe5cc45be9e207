"""Absolute URLs come from PUBLIC_URL, never from the request's Host; X-Forwarded-* is believed only
from the configured proxy hops (DESIGN.md §10)."""
from __future__ import annotations

import json
import re

import pytest
from flask import request

from factdesk.access import public
from tests.support.addresses import path_of
from tests.support.factories import ArticleFactory, ClaimFactory, to_state
from tests.test_cli import _flask

PUBLIC = "https://checks.example.org"
FORGED = "evil.example"


@pytest.fixture
def app_settings():
    return {"PUBLIC_URL": PUBLIC}


@pytest.fixture
def trees(app, checker, editor):
    story = ArticleFactory(by=checker, title="Mayor boasts of greener city",
                           text="The mayor said the city planted 40,000 trees last year.")
    return to_state(ClaimFactory(article=story, by=checker, quote="the city planted 40,000 trees last year",
                                 summary="The city planted 40,000 trees."), "published", checker, editor)


def test_a_forged_host_never_reaches_canonical_links_claimreview_feed_sitemap_or_the_api(app, client, trees):
    path = path_of(app, trees)
    headers = {"Host": FORGED, "X-Forwarded-Host": FORGED}
    pages = {url: client.get(url, headers=headers) for url in
             (path, "/", "/feed.atom", "/sitemap.xml", "/api/v1/public/claimreviews", "/ratings", "/corrections")}
    for url, response in pages.items():
        body = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert FORGED not in body, url
        assert PUBLIC in body, url
    check = pages[path].get_data(as_text=True)
    assert f'<link rel="canonical" href="{PUBLIC}{path}">' in check
    assert f'<meta property="og:url" content="{PUBLIC}{path}">' in check
    review = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', check, re.S).group(1))
    assert review["url"] == f"{PUBLIC}{path}"
    api = pages["/api/v1/public/claimreviews"].get_json()
    assert api["items"][0]["url"] == f"{PUBLIC}{path}"


def test_absolute_urls_outside_a_request_use_public_url_too(app, trees):
    from flask import url_for

    assert url_for("public.feed") == f"{PUBLIC}/feed.atom"


def _probe(app):
    @public
    def probe():
        return {"addr": request.remote_addr, "scheme": request.scheme, "host": request.host}

    app.add_url_rule("/test-probe", endpoint="test_probe", view_func=probe)


def test_forwarded_headers_are_ignored_without_trusted_proxies(app, client):
    _probe(app)
    seen = client.get("/test-probe", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
                      environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_json()
    assert seen["addr"] == "127.0.0.1" and seen["scheme"] == "http"


@pytest.mark.parametrize("app_settings", [{"PUBLIC_URL": PUBLIC, "TRUSTED_PROXIES": 1}])
def test_one_trusted_proxy_hop_gives_the_clients_address(app, client):
    _probe(app)
    seen = client.get("/test-probe", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9",
                                              "X-Forwarded-Proto": "https"},
                      environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_json()
    # Only the last hop (the one our proxy added) is believed; what the client wrote before it is not.
    assert seen["addr"] == "203.0.113.9" and seen["scheme"] == "https"


def test_production_refuses_to_start_without_public_url():
    env = {"FACTDESK_ENV": "production", "SECRET_KEY": "s" * 40, "DATABASE_URL": "sqlite:////tmp/x.db",
           "PUBLIC_URL": ""}
    result = _flask("routes", env=env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "PUBLIC_URL" in lines[0], result.stderr


def test_a_public_url_that_is_not_an_address_is_refused():
    result = _flask("routes", env={"PUBLIC_URL": "checks.example.org"})
    assert result.returncode != 0 and "PUBLIC_URL" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("app_settings", [{"PUBLIC_URL": PUBLIC, "TRUSTED_PROXIES": 1}])
def test_fixed_links_built_once_follow_the_script_root_and_public_url(app, client):
    """A page's fixed links (no values, or a static file) are kept once built: kept per script root,
    so a desk served under a proxy's prefix and without it links each to its own, and per PUBLIC_URL."""
    from flask import url_for

    built = {}
    for prefix in ("", "/desk-a", "", "/desk-a"):
        html = client.get("/ratings", headers={"X-Forwarded-Prefix": prefix} if prefix else {}).get_data(as_text=True)
        built.setdefault(prefix, re.findall(r'href="(/[^"]*)"', html))
        assert re.findall(r'href="(/[^"]*)"', html) == built[prefix]
    assert f'{"/desk-a"}/corrections' in built["/desk-a"] and "/corrections" in built[""]
    assert all(link.startswith("/desk-a/") for link in built["/desk-a"])
    with app.test_request_context("/"):
        assert url_for("public.home", _external=True) == f"{PUBLIC}/"
        assert url_for("static", filename="css/desk.css") != url_for("static", filename="css/public.css")
        assert url_for("public.home", page=2) == "/?page=2"  # a link with values: built every time
        app.config["PUBLIC_URL"] = "https://other.example"
        assert url_for("public.home", _external=True) == "https://other.example/"
