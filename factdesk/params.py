"""Whole numbers people send (query parameters, form fields, JSON values), parsed in this one place.

Every id, offset, version and page number the desk stores or looks up fits a 32-bit column, so a
number beyond that names nothing: it is refused here with a ValidationError naming the parameter
(422), never handed to the database, where it was an OverflowError (a 500). Only ASCII digits with
an optional sign count: `int()` alone also reads `"٣"` and `"1_000"`, and `"²".isdigit()` is true
although `int("²")` fails.
"""
from __future__ import annotations

import re

from .errors import ValidationError

MAX_ID = 2**31 - 1
# Paging further than this is no reading anyone does; a larger page number is refused, not computed.
MAX_PAGE = 100_000
_WHOLE = re.compile(r"[+-]?[0-9]+")
# More digits than any bound here can hold: refused before int() has to read them.
_MAX_DIGITS = 12


def whole_number(raw, name: str, *, lo: int = 1, hi: int = MAX_ID, default: int | None = None) -> int | None:
    """`raw` (text or an int) as an int within lo..hi; blank gives `default`; anything else is refused."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return default
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        raise ValidationError(f"{name} must be a whole number.", fields={name: "not_integer"})
    if isinstance(raw, str):
        text = raw.strip()
        if not _WHOLE.fullmatch(text):
            raise ValidationError(f"{name} must be a whole number, not {text[:40]!r}.", fields={name: "not_integer"})
        digits = text.lstrip("+-").lstrip("0")
        raw = int(text) if len(digits) <= _MAX_DIGITS else (hi + 1 if text[0] != "-" else lo - 1)
    if not lo <= raw <= hi:
        raise ValidationError(f"{name} must be between {lo:,} and {hi:,}.", fields={name: "out_of_range"})
    return raw
