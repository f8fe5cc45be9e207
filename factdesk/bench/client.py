"""The benchmark's plain HTTP client: one request at a time to the bench server, and a login."""
from __future__ import annotations

import urllib.parse
from http.client import HTTPConnection

import click

HOST = "127.0.0.1"
USER_AGENT = "factdesk-bench"


class BenchError(click.ClickException):
    """A step of the benchmark that cannot go on; one clear line, no traceback."""


def http(port: int, method: str, path: str, *, headers: dict | None = None, body: bytes | None = None,
         conn: HTTPConnection | None = None) -> tuple[int, dict, bytes]:
    """One request to the bench server (a fresh connection unless one is given)."""
    own = conn is None
    conn = conn or HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request(method, path, body=body, headers={"User-Agent": USER_AGENT, **(headers or {})})
        response = conn.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()} | {
            "set-cookie-all": response.headers.get_all("Set-Cookie") or []}, data
    finally:
        if own:
            conn.close()


def login_cookie(port: int, email: str, password: str) -> str:
    """Log in through the real form on the running server; returns the Cookie header to send."""
    from .pages import CSRF

    status, headers, body = http(port, "GET", "/login")
    jar = _cookies(headers)
    match = CSRF.search(body.decode("utf-8", "replace"))
    form = {"email": email, "password": password}
    if match:
        form["csrf_token"] = match.group(1) or match.group(2)
    status, headers, body = http(port, "POST", "/login", headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": _cookie_header(jar)},
        body=urllib.parse.urlencode(form).encode())
    if status != 302:
        raise BenchError(f"logging in as {email} on the bench server answered {status}")
    jar.update(_cookies(headers))
    # A browser keeps what the desk sets on its first page (the session's CSRF secret), so do the same.
    status, headers, _ = http(port, "GET", "/desk", headers={"Cookie": _cookie_header(jar)})
    jar.update(_cookies(headers))
    return _cookie_header(jar)


def _cookies(headers: dict) -> dict:
    jar = {}
    for raw in headers.get("set-cookie-all", []):
        name, _, rest = raw.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def _cookie_header(jar: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())
