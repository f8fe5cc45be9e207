"""A real HTTP server on 127.0.0.1 serving pages that a test controls (evidence links, article sources)."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


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
