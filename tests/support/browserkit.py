"""Helpers for the browser tests: what a person does with the mouse and keyboard in Chromium."""
from __future__ import annotations

import os

from playwright.sync_api import Page


def screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    """A look at the page for a person reviewing it, when FACTDESK_SCREENSHOTS names a folder."""
    folder = os.environ.get("FACTDESK_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=full_page)


def select_with_mouse(page: Page, quote: str) -> None:
    """Press the mouse before the quote's first character and release it after its last."""
    box = page.evaluate("""(quote) => {
        const root = document.getElementById("article-text");
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const at = node.data.indexOf(quote);
            if (at < 0) continue;
            const first = document.createRange();
            first.setStart(node, at); first.setEnd(node, at + 1);
            const last = document.createRange();
            last.setStart(node, at + quote.length - 1); last.setEnd(node, at + quote.length);
            const a = first.getClientRects()[0], b = last.getClientRects()[0];
            return {x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 1, y2: b.top + b.height / 2};
        }
        return null;
    }""", quote)
    assert box, f"{quote!r} is not in one text node of the page"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, (box["y1"] + box["y2"]) / 2, steps=5)
    page.mouse.move(box["x2"], box["y2"], steps=5)
    page.mouse.up()
