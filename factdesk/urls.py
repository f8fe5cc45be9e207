"""URLs the desk accepts from people: every redirect to a target a person gave (`next` after login,
"back to" links) passes `local_path`: a path on this desk only.

It refuses control characters before parsing: `urlsplit` (and browsers) silently drop tab, CR and
LF inside a URL, so `/\t/evil.example` would be checked as one thing and followed as `//evil.example`.
"""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit, urlunsplit

MAX_URL = 2000


def _has_control(text: str) -> bool:
    """Control, format (zero-width, bidi overrides) and unassigned characters, or any whitespace."""
    return any(unicodedata.category(c)[0] == "C" or c.isspace() for c in text)


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
