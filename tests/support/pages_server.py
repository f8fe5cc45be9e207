"""A real HTTP server on 127.0.0.1 serving pages that a test controls (evidence links, article sources),
hostile bodies for the fetcher's tests, and a watch on every connection the fetcher makes."""
from __future__ import annotations

import ipaddress
import socket
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from factdesk.articles import fetch as fetch_module


class QuietHandler(BaseHTTPRequestHandler):
    """A handler for test servers: HTTP/1.1, silent, and `_send` for a whole answer in one call."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8", **headers):
        """Answer and close; `Content_Length=…` in headers overrides the real length (to test liars)."""
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if "Content_Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key.replace("_", "-"), value)
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def _stream(self, chunk: bytes, count: int | None = None, *, declared: int | None = None,
                pause: float = 0.0) -> int:
        """Send `chunk` `count` times (endlessly when None), `pause` seconds apart, with `declared` as the
        Content-Length if given (none otherwise), until the client hangs up; how many chunks went out."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if declared is not None:
            self.send_header("Content-Length", str(declared))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        sent = 0
        try:
            while count is None or sent < count:
                self.wfile.write(chunk)
                self.wfile.flush()
                sent += 1
                if pause:
                    time.sleep(pause)
        except OSError:  # the client hung up: what the hostile body is for
            pass
        self.close_connection = True
        return sent


def fetcher_connects(monkeypatch, names: dict[str, list[str]] | None = None) -> list[tuple]:
    """Every address the safe fetcher connects to, in order; a connect beyond loopback fails the test.
    `names` stand in for the system resolver (name -> addresses), since tests reach only 127.0.0.1."""
    made: list[tuple] = []
    real_connect, real_resolve = socket.create_connection, socket.getaddrinfo

    def guarded(address, *args, **kwargs):
        made.append(address)
        assert ipaddress.ip_address(address[0]).is_loopback, f"the fetcher tried to reach {address}"
        return real_connect(address, *args, **kwargs)

    def resolve(host, port, *args, **kwargs):
        if host in (names or {}):
            return [(socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                     (ip, port, 0, 0) if ":" in ip else (ip, port)) for ip in names[host]]
        return real_resolve(host, port, *args, **kwargs)

    monkeypatch.setattr(fetch_module.socket, "create_connection", guarded)
    monkeypatch.setattr(fetch_module.socket, "getaddrinfo", resolve)
    return made


@contextmanager
def serve(handler: type[BaseHTTPRequestHandler]):
    """Run `handler` on a free 127.0.0.1 port in a thread; yields (base URL, port)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()



def serving(handler: type[BaseHTTPRequestHandler]):
    """A module-scoped fixture serving `handler` on 127.0.0.1 (`server = serving(Handler)`): (base URL, port)."""
    @pytest.fixture(scope="module")
    def server():
        with serve(handler) as address:
            yield address

    return server


class Pages:
    """Path → (status, content type, body); `gate` (a threading.Event) holds every answer until set."""

    def __init__(self):
        self.routes: dict[str, tuple[int, str, bytes]] = {}
        self.gate: threading.Event | None = None
        self.hits: list[str] = []
        self.port = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def page(self, path: str, body: str, content_type: str = "text/html; charset=utf-8", status: int = 200) -> str:
        self.routes[path] = (status, content_type, body.encode("utf-8"))
        return self.url(path)


@contextmanager
def serve_pages():
    pages = Pages()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            pages.hits.append(self.path)
            if pages.gate is not None:
                pages.gate.wait(30)
            status, content_type, body = pages.routes.get(self.path, (404, "text/plain", b"not found"))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    pages.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield pages
    finally:
        if pages.gate is not None:
            pages.gate.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def pages():
    """Pages the test serves on 127.0.0.1: `pages.page(path, html)` answers with its URL."""
    with serve_pages() as served:
        yield served


def news_page(title: str, paragraphs: list[str], *, publisher: str, aside: str = "") -> str:
    """A news site's page: navigation, an optional aside and a footer around the article's paragraphs."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    aside = f"<aside>{aside}</aside>" if aside else ""
    return (f"<!doctype html><html><head><title>{title}</title></head><body>"
            f"<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>{aside}"
            f"<article><h1>{title}</h1>{body}</article><footer>© {publisher}</footer></body></html>")
