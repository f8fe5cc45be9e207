"""The asset crawler: bytes of every script and stylesheet a page loads (the `assets_kb` row)."""
from __future__ import annotations

import re
import urllib.parse

from .client import http

ASSET = re.compile(r'<script[^>]*\bsrc="([^"]+)"|<link[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"'
                   r'|<link[^>]*\bhref="([^"]+)"[^>]*\brel="stylesheet"')
JS_IMPORT = re.compile(r'''(?:^|[;\n])\s*(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']'''
                       r'''|(?:^|[;\n])\s*import\s*["']([^"']+)["']'''
                       r'''|import\(\s*["']([^"']+)["']\s*\)''')
CSS_IMPORT = re.compile(r'''@import\s+(?:url\()?["']?([^"')\s;]+)''')


def page_assets(port: int, path: str, headers: dict) -> dict:
    """Bytes of every script and stylesheet a page loads, following ES-module and CSS imports
    (uncompressed: the client sends no Accept-Encoding)."""
    status, _, body = http(port, "GET", path, headers=headers)
    if status != 200:
        return {"status": status, "files": {}, "bytes": 0, "html_bytes": 0}
    html = body.decode("utf-8", "replace")
    queue = [next(g for g in m.groups() if g) for m in ASSET.finditer(html)]
    files: dict[str, int] = {}
    while queue:
        url = queue.pop(0).split("#", 1)[0]
        parsed = urllib.parse.urlsplit(url)
        if parsed.netloc or url in files:
            continue  # another host: not ours to weigh (the CSP allows none anyway)
        status, _, data = http(port, "GET", url, headers=headers)
        files[url] = len(data) if status == 200 else 0
        text = data.decode("utf-8", "replace")
        found = JS_IMPORT.findall(text) if parsed.path.endswith((".js", ".mjs")) else CSS_IMPORT.findall(text)
        for groups in found:
            target = next((g for g in (groups if isinstance(groups, tuple) else (groups,)) if g), None)
            if target:
                queue.append(urllib.parse.urljoin(url, target))
    return {"status": 200, "files": files, "bytes": sum(files.values()), "html_bytes": len(body)}
