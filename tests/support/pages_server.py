"""A real HTTP server on 127.0.0.1 serving pages that a test controls (evidence links, article sources)."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


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
