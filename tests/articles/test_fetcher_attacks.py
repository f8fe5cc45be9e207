"""Fetcher attacks through the import service, the API and the page form (DESIGN.md §5, §10).

tests/articles/test_fetch.py tests the fetcher itself; here the same attacks come in the way a checker's URL does —
POST /api/v1/articles {"url": …}, the desk's import form, `import_url` — and each must be refused with a
message that says why, before any connection to a refused address, with no article stored.

Names that "resolve" to private addresses go through a stand-in for the system resolver (getaddrinfo),
since tests may reach only 127.0.0.1; every connect the fetcher makes is recorded and must be to loopback.
"""
from __future__ import annotations

import gzip
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from factdesk.articles.fetch import FetchError, public_only
from factdesk.articles.importing import import_url
from factdesk.extensions import db
from factdesk.models import Article

from tests.conftest import login, post_form
from tests.support.factories import token_for
from tests.support.pages_server import QuietHandler, fetcher_connects, serving

PAGE = (b"<html><head><title>Tram figures</title></head><body><article><h1>Tram figures</h1>"
        + b"<p>The tram carried twelve million riders in its first year, the mayor said on Monday.</p>" * 20
        + b"</article></body></html>")
BOMB = gzip.compress(b"\0" * (40 * 1024 * 1024), compresslevel=9)  # ~40 KB on the wire, 40 MB unpacked

FAKE_DNS = {
    "intranet.example": ["10.0.0.5"],
    "metadata.example": ["169.254.169.254"],
    "router.example": ["192.168.1.1"],
    "v6-private.example": ["fd00::1"],
    "v6-mapped.example": ["::ffff:10.1.2.3"],
    "loopback.example": ["127.0.0.2"],
    "half-public.example": ["93.184.216.34", "10.0.0.7"],  # one good answer does not excuse a bad one
    "cgnat.example": ["100.64.1.1"],
}


class Handler(QuietHandler):
    def do_GET(self):  # noqa: N802
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if parts.path == "/page":
            self._send(200, PAGE)
        elif parts.path == "/redirect":
            self._send(302, b"", Location=query["to"][0])
        elif parts.path.startswith("/loop/"):
            self._send(302, b"", Location=f"/loop/{int(parts.path.rsplit('/', 1)[1]) + 1}")
        elif parts.path == "/bomb":
            self._send(200, BOMB, Content_Encoding="gzip")
        elif parts.path == "/endless":
            self._stream(b"<p>" + b"x" * 65530 + b"</p>")
        elif parts.path == "/drip":  # 15 s of a byte every 50 ms, never reaching the declared length
            self._stream(b"x", 300, declared=1_000_000, pause=0.05)
        else:
            self._send(404, b"no")


server = serving(Handler)


@pytest.fixture
def connects(monkeypatch):
    """Every connect the fetcher makes, with the FAKE_DNS names resolvable; only loopback is reachable."""
    return fetcher_connects(monkeypatch, FAKE_DNS)


def _articles() -> int:
    db.session.rollback()
    return db.session.execute(select(func.count()).select_from(Article)).scalar_one()


PRIVATE_URLS = [
    ("http://127.0.0.1/", "loopback"),
    ("http://localhost:8080/admin", "loopback"),
    ("http://2130706433/", "127.0.0.1 is a loopback"),
    ("http://0x7f000001/", "127.0.0.1 is a loopback"),
    ("http://0177.0.0.1/", "127.0.0.1 is a loopback"),
    ("http://017700000001/", "127.0.0.1 is a loopback"),
    ("http://127.1/", "loopback"),
    ("http://0/", "unspecified"),
    ("http://10.1.2.3/", "private"),
    ("http://172.16.0.1/", "private"),
    ("http://192.168.0.1/", "private"),
    ("http://169.254.169.254/latest/meta-data/iam/", "link-local"),
    ("http://100.64.0.1/", "carrier-grade NAT"),
    ("http://[::1]/", "loopback"),
    ("http://[::]/", "unspecified"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://[::ffff:a9fe:a9fe]/", "link-local"),
    ("http://[fe80::1]/", "link-local"),
    ("http://[fc00::1]/", "private"),
    ("http://[64:ff9b::c0a8:101]/", "192.168.1.1 is a private"),
    ("http://[2002:a00:1::]/", "private"),
    ("http://intranet.example/", "10.0.0.5 is a private"),
    ("http://metadata.example/latest/", "169.254.169.254 is a link-local"),
    ("http://router.example/", "192.168.1.1 is a private"),
    ("http://v6-private.example/", "fd00::1 is a private"),
    ("http://v6-mapped.example/", "10.1.2.3 is a private"),
    ("http://loopback.example/", "127.0.0.2 is a loopback"),
    ("http://half-public.example/", "10.0.0.7 is a private"),
    ("http://cgnat.example/", "carrier-grade NAT"),
    ("file:///etc/passwd", "Refused"),
    ("gopher://127.0.0.1:25/", "Refused"),
    ("http://user:secret@example.org/", "Refused"),
]


@pytest.mark.parametrize("url, says", PRIVATE_URLS)
def test_the_api_refuses_private_and_reserved_addresses_before_connecting(client, checker, connects, url, says):
    response = client.post("/api/v1/articles", headers=token_for(checker), json={"url": url})
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    if error["code"] == "invalid":  # not an http(s) URL: the request schema refuses it, naming the field
        assert says == "Refused" and "url" in error["fields"], error
    else:
        assert error["code"] == "fetch_failed"
        assert says.lower() in error["message"].lower(), error["message"]
    assert connects == []
    assert _articles() == 0


@pytest.mark.parametrize("url, says", [PRIVATE_URLS[i] for i in (2, 4, 11, 16, 21, 27)])
def test_the_import_form_refuses_them_too_and_says_why(client, checker, connects, url, says):
    login(client, checker)
    response = post_form(client, "/desk/articles/import", {"url-url": url})
    page = response.get_data(as_text=True)  # the progress page streams the refusal
    assert response.status_code in (200, 422)
    assert says.lower() in page.lower() or says.replace("is a", "").strip().lower() in page.lower(), page[-1500:]
    assert connects == []
    assert _articles() == 0


@pytest.mark.parametrize("target, says", [
    ("http://10.0.0.1/", "10.0.0.1 is a private address"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
    ("http://[::1]:1/", "loopback"),
    ("http://2130706433/", "127.0.0.1 is a loopback"),
    ("http://metadata.example/", "169.254.169.254 is a link-local"),
    ("http://intranet.example:8080/x", "10.0.0.5 is a private"),
])
def test_a_redirect_to_a_private_address_is_refused_and_nothing_is_stored(app, checker, server, connects, target, says):
    base, port = server

    def only_the_test_server(ip, p):
        return None if (str(ip) == "127.0.0.1" and p == port) else public_only(ip, p)

    with pytest.raises(FetchError, match=says):
        import_url(f"{base}/redirect?to={target}", checker, check_address=only_the_test_server)
    assert connects == [("127.0.0.1", port)]  # the first hop only
    assert _articles() == 0


@pytest.fixture
def private_fetch_allowed(app):
    """The desk's own switch, as a desk on an intranet would set it; tests reach their 127.0.0.1 server."""
    app.config.update(FACTDESK_ALLOW_PRIVATE_FETCH=True, FACTDESK_FETCH_TIMEOUT=1.0)
    return app


@pytest.mark.parametrize("path, says", [
    ("/drip", "longer than 1"),
    ("/endless", "larger than the limit"),
    ("/bomb", "once decompressed"),
    ("/loop/0", "redirects"),
])
def test_slow_endless_compressed_and_looping_bodies_are_refused_through_the_api(
        client, checker, server, connects, private_fetch_allowed, path, says):
    base, _ = server
    response = client.post("/api/v1/articles", headers=token_for(checker), json={"url": f"{base}{path}"})
    assert response.status_code in (413, 422), response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert says in error["message"], error["message"]
    assert _articles() == 0


def test_a_good_page_on_the_allowed_server_is_imported_once(client, checker, server, connects, private_fetch_allowed):
    base, _ = server
    response = client.post("/api/v1/articles", headers=token_for(checker), json={"url": f"{base}/page"})
    assert response.status_code == 201, response.get_data(as_text=True)[:300]
    assert "twelve million riders" in response.get_json()["text"]
    assert _articles() == 1


def test_a_gzip_bomb_uploaded_as_a_file_is_refused_with_the_limit(client, checker):
    login(client, checker)
    response = post_form(client, "/desk/articles/upload",
                         {"upload-file": (io.BytesIO(BOMB), "report.txt.gz")}, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "unzips to more than the limit" in response.get_data(as_text=True)
    assert _articles() == 0
