"""How the desk meets the web: absolute URLs from PUBLIC_URL, trusted proxies, compression.

A proxy's cache key ignores the client's Host header, so an absolute URL built from it (a canonical
link, ClaimReview `url`, the feed) could carry a forged host to every later reader. Absolute URLs are
therefore built from the PUBLIC_URL setting only, inside and outside requests (mail, CLI). Behind a
proxy, X-Forwarded-* headers are believed only from the TRUSTED_PROXIES hops configured (0: none),
so `request.remote_addr` (login throttling) is the client's address and never a forged one.
"""
from __future__ import annotations

from urllib.parse import quote, urlsplit

from flask import Flask, has_request_context, request
from flask_compress import Compress
from werkzeug.middleware.proxy_fix import ProxyFix

compress = Compress()

# What is worth compressing: the pages, the API, feeds and assets (images are compressed already).
COMPRESSED_TYPES = ["text/html", "text/css", "text/plain", "text/javascript", "application/javascript",
                    "application/json", "application/ld+json", "application/xml", "application/atom+xml"]

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")


def security_headers(config) -> list[tuple[str, str]]:
    """The headers every answer carries (a page's, an API answer's, a 304's)."""
    headers = [("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
               ("Referrer-Policy", "strict-origin-when-cross-origin"), ("X-Frame-Options", "DENY"),
               ("Cross-Origin-Opener-Policy", "same-origin")]
    if config["FACTDESK_ENV"] == "production":
        # Production is served over HTTPS (its cookies are Secure): browsers must never try plain HTTP.
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    return headers


class DeskApp(Flask):
    """Flask, with every external URL (`url_for(..., _external=True)`) built on PUBLIC_URL.

    A page's fixed links — an endpoint with no values, or a static file — are the same on every
    request with the same script root (and, external, the same PUBLIC_URL), so each is built once
    and kept: the nav, the assets and the forms' actions were a dozen `url_for` a page (a tenth of
    the public home's time). Links with any other value are built every time."""

    FIXED_URLS_KEPT = 512

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._fixed_urls: dict[tuple, str] = {}

    def url_for(self, endpoint: str, *, _anchor: str | None = None, _method: str | None = None,
                _scheme: str | None = None, _external: bool | None = None, **values) -> str:
        in_request = has_request_context()
        external = _external if _external is not None else (_scheme is not None or not in_request)
        if (_anchor is None and _method is None and _scheme is None and (not values or values.keys() == {"filename"})
                and not self.url_default_functions and (in_request or external)):
            key = (endpoint, values.get("filename"), external, self.config["PUBLIC_URL"] if external else None,
                   request.script_root if in_request and not external else None,
                   request.blueprint if in_request and endpoint[:1] == "." else None)
            fixed = self._fixed_urls.get(key)
            if fixed is None:
                fixed = self._build_url(endpoint, in_request, external, _anchor, _method, _scheme, values)
                if len(self._fixed_urls) < self.FIXED_URLS_KEPT:
                    self._fixed_urls[key] = fixed
            return fixed
        return self._build_url(endpoint, in_request, external, _anchor, _method, _scheme, values)

    def _build_url(self, endpoint: str, in_request: bool, external: bool, _anchor, _method, _scheme,
                   values: dict) -> str:
        if not external:
            return super().url_for(endpoint, _anchor=_anchor, _method=_method, _external=False, **values)
        if endpoint[:1] == ".":
            blueprint = request.blueprint if in_request else None
            endpoint = f"{blueprint}{endpoint}" if blueprint else endpoint[1:]
        public = urlsplit(self.config["PUBLIC_URL"])
        adapter = self.url_map.bind(public.netloc, script_name=public.path or "/",
                                    url_scheme=_scheme or public.scheme)
        self.inject_url_defaults(endpoint, values)
        url = adapter.build(endpoint, values, method=_method, force_external=True)
        if _anchor is not None:
            url += f"#{quote(_anchor, safe='%!#$&()*+,/:;=?@')}"
        return url


def init_web(app: Flask) -> None:
    """Trust the configured proxy hops, and compress what clients accept compressed."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    compress.init_app(app)
    # After-request hooks run last-registered first: this one sees the response before Flask-Compress.
    app.after_request(_close_the_stream_under_compression)


def _close_the_stream_under_compression(response):
    """Flask-Compress wraps a streamed body (a static file, a streamed page) in its own generator and
    never closes the body it wrapped, so a file stayed open until garbage collection (a ResourceWarning
    per asset). Closing the response now closes what it first carried too."""
    if response.is_streamed and hasattr(response.response, "close"):
        response.call_on_close(response.response.close)
    return response
