"""Canonical article text (DESIGN.md §4) and code-point helpers shared by import and anchoring."""
from __future__ import annotations

import re
import unicodedata

_BLANK_RUN = re.compile(r"\n(?:[ \t\u00a0\u3000]*\n)+")


def canonicalize(text: str) -> str:
    """Return the text as the desk stores it.

    Unicode NFC, ``\\n`` line ends, paragraphs separated by exactly one blank line (a line holding
    only spaces counts as blank), no blank lines at either end. Nothing else changes: typographic
    quotes, single line breaks inside a paragraph and inner spacing stay as they were.
    """
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _BLANK_RUN.sub("\n\n", text)
    return text.strip("\n").strip()
