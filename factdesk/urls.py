"""The two kinds of URL the desk accepts from people: links it stores, and paths it redirects to.

Every stored URL (an article's source, evidence and its archive copy, whatever page, API, import or
CLI it came through) passes `web_url`: http or https with a host, nothing a browser would run
(`javascript:`, `data:`) or read differently from what was checked. Every redirect to a target a
person gave (`next` after login, "back to" links) passes `local_path`: a path on this desk only.

Both refuse control characters before parsing: `urlsplit` (and browsers) silently drop tab, CR and
LF inside a URL, so `/\t/evil.example` would be checked as one thing and followed as `//evil.example`.
"""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit, urlunsplit

from .errors import ValidationError

MAX_URL = 2000
WEB_SCHEMES = ("http", "https")


def _has_control(text: str) -> bool:
    """Control, format (zero-width, bidi overrides) and unassigned characters, or any whitespace."""
    if text.isascii():  # in ASCII those are exactly what isprintable() refuses, and the space
        return not text.isprintable() or " " in text
    return any(unicodedata.category(c)[0] == "C" or c.isspace() for c in text)


def web_url(value, field: str = "url", *, required: bool = False, limit: int = MAX_URL) -> str | None:
    """The trimmed link when it is an absolute http(s) URL with a host; a ValidationError naming `field`
    otherwise. Blank is None unless `required`."""
    if value is not None and not isinstance(value, str):
        raise ValidationError(f"{field} must be text.", fields={field: "must be text."})
    text = (value or "").strip()
    if not text:
        if required:
            raise ValidationError(f"{field}: a link (http or https) is required.",
                                  fields={field: "A link (http or https) is required."})
        return None
    if len(text) > limit:
        message = f"The link is longer than {limit:,} characters."
        raise ValidationError(f"{field}: {message}", fields={field: message})
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (a port that is not a number raises here)
    except ValueError:
        parts = None
    if _has_control(text) or parts is None or parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname:
        message = f"{text[:80]!r} is not an http or https link."
        raise ValidationError(f"{field}: {message}", fields={field: message})
    return text


def is_web_url(value) -> bool:
    """Whether `value` would pass `web_url` (for links stored before the rule, shown as text instead)."""
    try:
        return web_url(value) is not None
    except ValidationError:
        return False


def local_path(target) -> str | None:
    """`target` as a path (with query and fragment) on this desk, or None when it could lead anywhere else."""
    if not isinstance(target, str) or not target or len(target) > MAX_URL or _has_control(target):
        return None
    # `//host` and `/\host` are other sites to a browser (it reads a backslash as a slash).
    if not target.startswith("/") or target[1:2] in ("/", "\\") or "\\" in target:
        return None
    try:
        parts = urlsplit(target)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    return urlunsplit(("", "", parts.path, parts.query, parts.fragment))
