"""Share cards: a published check as a 1200×630 PNG (the size social networks show for og:image and
twitter:card summary_large_image) with the claim, its rating and the desk's name.

Text is laid out with Pillow's raqm engine (Arabic shaping, right-to-left lines) in fonts from Debian's
packages (`make fonts`: fonts-noto-core, fonts-noto-cjk, fonts-dejavu-core, libraqm0). A claim is set
in the first font whose character map holds every one of its characters, so no glyph comes out as a
box; a claim that does not fit at the smallest size is cut at a word with "…". A card depends only on
what was published, so it is rendered once per publication and kept (factdesk/public/cards.py).
"""
from __future__ import annotations

import io
import logging
import os
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont, features

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 1200, 630
MARGIN = 64
BAND = 16  # the rating's colour along the top edge
CLAIM_TOP, CLAIM_BOTTOM = 200, HEIGHT - 104
LARGEST, SMALLEST = 60, 28
FONT_DIRS = ("/usr/share/fonts",)
# (regular, bold) in order of preference; the first that covers a text sets it.
FAMILIES = (
    ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    ("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"),
    ("NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc"),
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
)
BACKGROUND = (255, 255, 255)
INK = (28, 28, 28)
MUTED = (90, 90, 90)


class FontsMissing(RuntimeError):
    """None of the card fonts is installed (run `make fonts`)."""


@dataclass
class Card:
    png: bytes
    font: str  # the file the claim was set in
    size: int  # its size in pixels
    lines: list[str]
    truncated: bool
    boxes: list[tuple[int, int, int, int]] = field(default_factory=list)  # every drawn line's ink box


@lru_cache(maxsize=1)
def _font_files() -> dict[str, str]:
    found: dict[str, str] = {}
    for root in FONT_DIRS:
        for folder, _, files in os.walk(root):
            for name in files:
                found.setdefault(name, os.path.join(folder, name))
    return found


@lru_cache(maxsize=None)
def _cmap(path: str) -> frozenset[int]:
    with TTFont(path, fontNumber=0, lazy=True) as font:
        return frozenset(font.getBestCmap())


def _families() -> list[tuple[str, str]]:
    files = _font_files()
    present = [(files[r], files.get(b, files[r])) for r, b in FAMILIES if r in files]
    if not present:
        raise FontsMissing("No share-card font is installed: run `make fonts` (Debian's fonts-noto-core, "
                           "fonts-noto-cjk and fonts-dejavu-core)")
    return present


def font_for(text: str, *, bold: bool = False) -> str:
    """The first font that has a glyph for every character of the text (else the one with the most)."""
    needed = {ord(c) for c in text if not c.isspace()}
    families = _families()
    best = max(families, key=lambda fam: (len(needed & _cmap(fam[0])), -families.index(fam)))
    for family in families:
        if needed <= _cmap(family[0]):
            best = family
            break
    return best[1] if bold else best[0]


@lru_cache(maxsize=1)
def _layout_engine():
    if features.check("raqm"):
        return ImageFont.Layout.RAQM
    log.warning("Pillow has no raqm (Debian's libraqm0): share cards set Arabic without shaping")
    return ImageFont.Layout.BASIC


@lru_cache(maxsize=64)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, layout_engine=_layout_engine())


def _right_to_left(text: str) -> bool:
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _tokens(text: str) -> list[tuple[str, str]]:
    """(glue, piece) pairs a line may break between: words, and each character of a script written
    without spaces (Chinese, Japanese) on its own; punctuation stays with what it follows."""
    out: list[tuple[str, str]] = []
    for word in text.split():
        glue = " "
        run = ""
        for char in word:
            if unicodedata.category(char).startswith("P") and (run or out) and not (run and not _wide(run[-1])):
                if run:
                    run += char
                else:
                    out[-1] = (out[-1][0], out[-1][1] + char)
                continue
            if _wide(char) or (run and _wide(run[-1])):
                if run:
                    out.append((glue, run))
                    glue = ""
                run = char
            else:
                run += char
        if run:
            out.append((glue, run))
    return out


def _join(pieces: list[tuple[str, str]]) -> str:
    return "".join((glue if i else "") + piece for i, (glue, piece) in enumerate(pieces))


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int, direction: str) -> list[str]:
    lines: list[str] = []
    current: list[tuple[str, str]] = []
    for token in _tokens(text):
        if current and draw.textlength(_join(current + [token]), font=font, direction=direction) > width:
            lines.append(_join(current))
            current = [token]
        else:
            current.append(token)
        while len(current) == 1 and draw.textlength(current[0][1], font=font, direction=direction) > width:
            word = current[0][1]  # a word longer than the line: break it where it has to
            cut = len(word)
            while cut > 1 and draw.textlength(word[:cut], font=font, direction=direction) > width:
                cut -= 1
            lines.append(word[:cut])
            current = [("", word[cut:])] if word[cut:] else []
    if current:
        lines.append(_join(current))
    return lines


def _fit(draw, text: str, path: str, direction: str) -> tuple[int, list[str], bool]:
    width, height = WIDTH - 2 * MARGIN, CLAIM_BOTTOM - CLAIM_TOP
    for size in range(LARGEST, SMALLEST - 1, -2):
        font = _font(path, size)
        lines = _wrap(draw, text, font, width, direction)
        if len(lines) * _line_height(size) <= height:
            return size, lines, False
    font = _font(path, SMALLEST)
    lines = _wrap(draw, text, font, width, direction)[: height // _line_height(SMALLEST)]
    last = lines[-1]
    while last and draw.textlength(last + " …", font=font, direction=direction) > width:
        last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
    lines[-1] = last + " …"
    return SMALLEST, lines, True


def _one_line(draw, text: str, path: str, size: int) -> str:
    """The text cut at a word (with "…") to fit one line of the card."""
    font, width = _font(path, size), WIDTH - 2 * MARGIN
    direction = "rtl" if _right_to_left(text) else "ltr"
    if draw.textlength(text, font=font, direction=direction) <= width:
        return text
    while text and draw.textlength(text + " …", font=font, direction=direction) > width:
        text = text.rsplit(" ", 1)[0] if " " in text.strip() else text[:-1]
    return text + " …"


def _line_height(size: int) -> int:
    return int(size * 1.32)


def _readable_on(colour: tuple[int, int, int]) -> tuple[int, int, int]:
    r, g, b = (c / 255 for c in colour)
    return INK if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.6 else (255, 255, 255)


def _colour(value: str | None) -> tuple[int, int, int]:
    value = (value or "").lstrip("#")
    try:
        return tuple(int(value[i:i + 2], 16) for i in (0, 2, 4)) if len(value) == 6 else (119, 119, 119)
    except ValueError:
        return (119, 119, 119)


def _text(draw, xy, text: str, path: str, size: int, fill, *, right: bool = False) -> tuple[int, int, int, int]:
    font = _font(path, size)
    direction = "rtl" if _right_to_left(text) else "ltr"
    anchor = "ra" if right else "la"
    draw.text(xy, text, font=font, fill=fill, anchor=anchor, direction=direction)
    return draw.textbbox(xy, text, font=font, anchor=anchor, direction=direction)


def render_card(claim: str, rating_name: str, rating_colour: str | None, desk_name: str,
                claimant: str | None = None) -> Card:
    """The share card of one check, as PNG bytes with what was drawn where."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    colour = _colour(rating_colour)
    draw.rectangle((0, 0, WIDTH, BAND), fill=colour)
    desk_font = font_for(desk_name, bold=True)
    boxes = [_text(draw, (MARGIN, 48), _one_line(draw, desk_name, desk_font, 30), desk_font, 30, MUTED)]

    badge_font = font_for(rating_name, bold=True)
    rating_name = _one_line(draw, rating_name, badge_font, 40)
    direction = "rtl" if _right_to_left(rating_name) else "ltr"
    left, top, right_edge, bottom = draw.textbbox((0, 0), rating_name, font=_font(badge_font, 40), anchor="lm",
                                                  direction=direction)
    draw.rounded_rectangle((MARGIN, 104, MARGIN + (right_edge - left) + 40, 104 + max(64, bottom - top + 24)),
                           radius=12, fill=colour)
    middle = 104 + max(64, bottom - top + 24) // 2
    font = _font(badge_font, 40)
    draw.text((MARGIN + 20 - left, middle), rating_name, font=font, fill=_readable_on(colour), anchor="lm",
              direction=direction)
    boxes.append(draw.textbbox((MARGIN + 20 - left, middle), rating_name, font=font, anchor="lm", direction=direction))

    quoted = f"“{' '.join(claim.split())}”"
    path = font_for(quoted)
    right = _right_to_left(claim)
    size, lines, truncated = _fit(draw, quoted, path, "rtl" if right else "ltr")
    x = WIDTH - MARGIN if right else MARGIN
    for i, line in enumerate(lines):
        boxes.append(_text(draw, (x, CLAIM_TOP + i * _line_height(size)), line, path, size, INK, right=right))
    if claimant:
        said = f"— {' '.join(claimant.split())}"
        said_font = font_for(said)
        boxes.append(_text(draw, (x, HEIGHT - 80), _one_line(draw, said, said_font, 28), said_font, 28, MUTED,
                           right=right))  # aligned with the claim it belongs to
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return Card(out.getvalue(), Path(path).name, size, lines, truncated, boxes)
