"""The safe fetcher against a real HTTP server on 127.0.0.1: it must fetch pages, and refuse
private addresses, oversized or endless bodies, wrong types and redirect tricks (DESIGN.md §5, §10).

Nothing here touches a non-loopback network: refusals of other addresses happen before connect,
which the ``no_connect`` fixture enforces.
"""
from __future__ import annotations

import gzip
import ipaddress
import queue
import socket
import time
import zlib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from factdesk.articles import fetch as fetch_module
from factdesk.articles.fetch import FetchError, decode_body, fetch, public_only

from tests.support.pages_server import QuietHandler, fetcher_connects, serving

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "web-articles" / "html"


def _fixture_gz() -> bytes:
    files = sorted(FIXTURES.glob("*.html.gz"))
    if files:
        return files[0].read_bytes()
    return gzip.compress(b"<html><head><title>T</title></head><body><p>Hello desk.</p></body></html>")


PAGE_GZ = _fixture_gz()
PAGE = gzip.decompress(PAGE_GZ)
BOMB = gzip.compress(b"\0" * (20 * 1024 * 1024), compresslevel=9)  # ~20 KB on the wire
BIG_CHUNKS = 200  # of 64 KB: 12.8 MB
DRIP_BYTES = 160  # 8 s of drip
STREAMED: queue.Queue[tuple[str, int]] = queue.Queue()  # (path, chunks sent before the client hung up)


class Handler(QuietHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        path = parts.path
        if path == "/page":
            self._send(200, PAGE_GZ, Content_Encoding="gzip")
        elif path == "/plain":
            self._send(200, "Grüße aus der Redaktion.".encode("utf-8"), "text/plain; charset=utf-8")
        elif path == "/latin1-meta":
            body = '<html><head><meta charset="iso-8859-1"></head><body>café</body></html>'.encode("latin-1")
            self._send(200, body, "text/html")
        elif path == "/deflate":
            self._send(200, zlib.compress(b"<p>deflated</p>"), Content_Encoding="deflate")
        elif path == "/redirect":
            self._send(302, b"", Location=query["to"][0])
        elif path.startswith("/loop/"):
            n = int(path.rsplit("/", 1)[1])
            self._send(302, b"", Location=f"/loop/{n + 1}")
        elif path == "/hop":
            self._send(301, b"", Location="/page")
        elif path == "/big-declared":
            self._send(200, b"<p>small</p>", Content_Length=str(50 * 1024 * 1024))
        elif path == "/big-undeclared":  # 12.8 MB, no Content-Length
            STREAMED.put((path, self._stream(b"<p>" + b"x" * 65530 + b"</p>", BIG_CHUNKS)))
        elif path == "/png":
            self._send(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "image/png")
        elif path == "/missing":
            self._send(404, b"<p>gone</p>")
        elif path == "/bomb":
            self._send(200, BOMB, Content_Encoding="gzip")
        elif path == "/drip":  # a byte every 50 ms, never reaching the declared length
            STREAMED.put((path, self._stream(b"x", DRIP_BYTES, declared=100_000, pause=0.05)))
        elif path == "/sleep":
            time.sleep(3)
            self._send(200, b"<p>late</p>")
        else:
            self._send(404, b"not here")


server = serving(Handler)


@pytest.fixture
def connects(monkeypatch):
    return fetcher_connects(monkeypatch)


def test_fetches_a_gzipped_page(server, connects):
    base, _ = server
    page = fetch(f"{base}/page", allow_private=True)
    assert page.status == 200
    assert page.content_type == "text/html"
    assert page.body == PAGE
    assert page.encoding == "utf-8"
    assert "<html" in page.text.lower()
    assert page.url == f"{base}/page"


def test_follows_a_redirect_and_reports_the_final_url(server, connects):
    base, _ = server
    page = fetch(f"{base}/hop", allow_private=True)
    assert page.url == f"{base}/page"
    assert page.redirects == (f"{base}/hop",)
    assert page.body == PAGE


def test_plain_text_and_charsets(server, connects):
    base, _ = server
    assert fetch(f"{base}/plain", allow_private=True).text == "Grüße aus der Redaktion."
    latin = fetch(f"{base}/latin1-meta", allow_private=True)
    assert latin.encoding == "iso8859-1" and "café" in latin.text
    assert fetch(f"{base}/deflate", allow_private=True).text == "<p>deflated</p>"


def test_decode_falls_back_to_utf8_with_replacement():
    text, encoding = decode_body(b"caf\xe9 ok", None)
    assert encoding == "utf-8" and text == "caf\ufffd ok"
    assert decode_body("é".encode("cp1252"), "windows-1252")[0] == "é"
    assert decode_body(b"x", "no-such-charset")[1] == "utf-8"


def test_refuses_loopback_by_default(server, connects):
    base, _ = server
    with pytest.raises(FetchError, match="127.0.0.1 is a loopback address.*FACTDESK_ALLOW_PRIVATE_FETCH"):
        fetch(f"{base}/page")
    assert connects == []


@pytest.mark.parametrize(
    "url, says",
    [
        ("http://localhost/", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://[::ffff:7f00:1]:8080/", "loopback"),
        ("http://2130706433/", "127.0.0.1 is a loopback"),
        ("http://0x7f000001/", "127.0.0.1 is a loopback"),
        ("http://0177.0.0.1/", "127.0.0.1 is a loopback"),
        ("http://127.1/", "loopback"),
        ("http://10.0.0.1/", "private"),
        ("http://192.168.1.20:8080/admin", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[fe80::1]/", "link-local"),
        ("http://[fd00::1]/", "private"),
        ("http://100.64.0.1/", "carrier-grade NAT"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://224.0.0.1/", "multicast"),
        ("http://240.0.0.1/", "reserved"),
        ("http://[64:ff9b::a00:1]/", "10.0.0.1 is a private"),
    ],
)
def test_refuses_private_forms_before_connecting(url, says, connects):
    with pytest.raises(FetchError, match=says):
        fetch(url)
    assert connects == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/", "gopher://x/", "//no-scheme/",
                                 "http://user:pw@example.org/"])
def test_refuses_other_schemes_and_credentials(url, connects):
    with pytest.raises(FetchError, match="Refused"):
        fetch(url)
    assert connects == []


def test_public_only_policy():
    assert public_only(ipaddress.ip_address("93.184.216.34")) is None
    assert public_only(ipaddress.ip_address("2606:2800:220:1:248:1893:25c8:1946")) is None
    assert "loopback" in public_only(ipaddress.ip_address("::ffff:127.0.0.1"))
    assert "private" in public_only(ipaddress.ip_address("2002:c0a8:0101::1"))  # 6to4 of 192.168.1.1


@pytest.mark.parametrize(
    "target, says",
    [
        ("http://10.0.0.1/", "10.0.0.1 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://[::1]:1/", "loopback"),
    ],
)
def test_refuses_a_redirect_to_a_private_address(server, connects, target, says):
    base, port = server

    def only_the_test_server(ip, p):
        if str(ip) == "127.0.0.1" and p == port:
            return None
        return public_only(ip, p)

    with pytest.raises(FetchError, match=f"{says}.*redirect"):
        fetch(f"{base}/redirect?to={target}", check_address=only_the_test_server)
    assert connects == [("127.0.0.1", port)]  # the first hop only


def test_redirect_to_another_port_on_loopback_is_checked_too(server, connects):
    base, port = server
    allow_first = lambda ip, p: None if p == port else public_only(ip, p)  # noqa: E731
    with pytest.raises(FetchError, match="loopback"):
        fetch(f"{base}/redirect?to=http://127.0.0.1:{port + 1 if port < 65535 else port - 1}/",
              check_address=allow_first)
    assert len(connects) == 1


def test_refuses_too_many_redirects(server, connects):
    base, _ = server
    with pytest.raises(FetchError, match="more than 3 redirects"):
        fetch(f"{base}/loop/0", allow_private=True, max_redirects=3)
    assert len(connects) == 4


def test_refuses_a_body_declared_too_large(server, connects):
    base, _ = server
    with pytest.raises(FetchError, match="more than the limit"):
        fetch(f"{base}/big-declared", allow_private=True)


def test_refuses_a_body_too_large_without_content_length(server, connects):
    base, _ = server
    with pytest.raises(FetchError, match="larger than the limit of 1,048,576 bytes"):
        fetch(f"{base}/big-undeclared", allow_private=True, max_bytes=1024 * 1024)
    path, sent = STREAMED.get(timeout=60)
    assert path == "/big-undeclared" and sent < BIG_CHUNKS  # it hung up instead of reading on


def test_refuses_a_gzip_bomb_by_decoded_size(server, connects):
    base, _ = server
    assert len(BOMB) < 1024 * 1024
    with pytest.raises(FetchError, match="once decompressed"):
        fetch(f"{base}/bomb", allow_private=True, max_bytes=1024 * 1024)


def test_refuses_a_wrong_content_type(server, connects):
    base, _ = server
    with pytest.raises(FetchError, match="image/png"):
        fetch(f"{base}/png", allow_private=True)


def test_reports_an_error_status_with_what_it_means(server, connects):
    base, _ = server
    with pytest.raises(FetchError, match="^The page answered 404 Not Found: there is no page at this address$"):
        fetch(f"{base}/missing", allow_private=True)


def test_a_slow_drip_body_hits_the_total_deadline(server, connects):
    base, _ = server
    with pytest.raises(FetchError, match="longer than 1 seconds"):
        fetch(f"{base}/drip", allow_private=True, timeout=1.0)
    path, sent = STREAMED.get(timeout=60)
    assert path == "/drip" and sent < DRIP_BYTES  # it hung up while the drip went on


def test_a_slow_server_hits_the_deadline(server, connects):
    base, _ = server
    with pytest.raises(FetchError, match="longer than 0.5 seconds"):
        fetch(f"{base}/sleep", allow_private=True, timeout=0.5)


def test_a_closed_port_is_a_clear_error(connects):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(FetchError) as refused:
        fetch(f"http://127.0.0.1:{port}/", allow_private=True, timeout=2)
    assert refused.value.message == "Could not connect to 127.0.0.1: nothing answers there (the connection was refused)"


def test_https_to_a_server_without_tls_says_the_secure_connection_failed(server, connects):
    base, _ = server
    with pytest.raises(FetchError) as failed:
        fetch(base.replace("http://", "https://") + "/page", allow_private=True, timeout=2)
    assert failed.value.message == ("Could not make a secure connection to 127.0.0.1: the secure connection failed "
                                    "(the site's encryption did not work with the desk's)")


@pytest.mark.parametrize("exc, words", [
    (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "no site by that name is known"),
    (socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution"), "try again in a minute"),
    (ConnectionResetError(104, "Connection reset by peer"), "the site closed the connection"),
    (OSError(113, "No route to host"), "the site cannot be reached from here"),
    (TimeoutError("timed out"), "the site did not answer in time"),
])
def test_network_failures_are_told_in_plain_words_without_errno(exc, words):
    said = fetch_module.in_plain_words(exc)
    assert words in said and "Errno" not in said and str(exc.args[-1]) not in said
