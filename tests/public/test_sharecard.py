"""Share cards as an image a social network shows: 1200×630 PNG, text inside its bounds, every glyph
drawn from a font that has it (Latin, Cyrillic, Arabic, CJK), every rating of the scale, long claims."""
from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw, ImageFont

from factdesk.public.sharecard import (BACKGROUND, BAND, CLAIM_BOTTOM, CLAIM_TOP, HEIGHT, MARGIN, WIDTH, font_for,
                                       render_card)
from factdesk.ratings import DEFAULT_SCALE

CLAIMS = {
    "latin": "Le ministre a déclaré que 40 % des unités étaient prêtes en 2022, plus qu’en aucune autre année.",
    "cyrillic": "Министр заявил, что в 2022 году было готово 40% подразделений — больше, чем когда-либо.",
    "arabic": "قال الوزير إن 40٪ من الوحدات كانت جاهزة في عام 2022، أكثر من أي عام آخر.",
    "cjk": "部长说，2022年有40%的单位已经准备就绪，这是有记录以来最多的一年。",
}


def _image(card) -> Image.Image:
    image = Image.open(io.BytesIO(card.png))
    assert image.format == "PNG" and image.size == (WIDTH, HEIGHT)
    return image.convert("RGB")


def _blank(image: Image.Image, box: tuple[int, int, int, int]) -> bool:
    region = image.crop(box)
    return region.getcolors(maxcolors=1) == [(region.width * region.height, BACKGROUND)]


def _inside_bounds(image: Image.Image, card) -> None:
    """Nothing drawn in the margins (below the colour band), every line's ink within the card."""
    assert _blank(image, (0, BAND + 1, MARGIN - 4, HEIGHT))
    assert _blank(image, (WIDTH - MARGIN + 4, BAND + 1, WIDTH, HEIGHT))
    assert _blank(image, (0, HEIGHT - 24, WIDTH, HEIGHT))
    for left, top, right, bottom in card.boxes:
        assert MARGIN - 4 <= left and right <= WIDTH - MARGIN + 4 and BAND < top and bottom <= HEIGHT - 24


def _ink(image: Image.Image, box) -> int:
    part = image.crop(box)
    return sum(count for count, colour in part.getcolors(part.width * part.height) if colour != BACKGROUND)


@pytest.mark.parametrize("script", sorted(CLAIMS))
def test_every_glyph_of_a_claim_is_drawn_from_a_font_that_has_it(script):
    claim = CLAIMS[script]
    card = render_card(claim, "Mostly false", "#d9822b", "Factdesk", claimant="Dana Holt")
    image = _image(card)
    _inside_bounds(image, card)
    assert not card.truncated
    drawn = "".join(card.lines).replace(" ", "")
    assert all(ch in drawn for ch in claim.replace(" ", ""))  # every character made it onto the card
    font = ImageFont.truetype(font_for(f"“{claim}”"), 40)

    def glyph(ch: str) -> bytes:
        canvas = Image.new("L", (80, 80))
        ImageDraw.Draw(canvas).text((10, 10), ch, font=font, fill=255)
        return canvas.tobytes()

    tofu = glyph("\U0010fffd")  # a code point no font has: what it draws is .notdef
    missing = {ch for ch in claim if not ch.isspace() and glyph(ch) == tofu}
    assert missing == set(), (script, card.font, missing)
    assert _ink(image, (MARGIN, CLAIM_TOP, WIDTH - MARGIN, CLAIM_BOTTOM)) > 2000


def test_arabic_is_set_right_to_left_and_cjk_in_its_own_font():
    arabic = render_card(CLAIMS["arabic"], "مضلل", "#6a4c93", "Factdesk")
    image = _image(arabic)
    first = arabic.boxes[2]  # desk name, rating, then the claim's first line
    assert first[2] >= WIDTH - MARGIN - 4  # right-aligned
    assert _ink(image, (WIDTH // 2, CLAIM_TOP, WIDTH - MARGIN, CLAIM_TOP + 80)) > \
        _ink(image, (MARGIN, CLAIM_TOP, WIDTH // 2, CLAIM_TOP + 80))
    assert render_card(CLAIMS["cjk"], "Misleading", "#6a4c93", "Factdesk").font.startswith("NotoSansCJK")


@pytest.mark.parametrize("rating", DEFAULT_SCALE, ids=lambda r: r[0])
def test_every_rating_of_the_scale_renders(rating):
    _label, name, _ordinal, colour, _definition = rating
    card = render_card("The tram carried 12 million riders in its first year.", name, colour, "Harbour Checks")
    image = _image(card)
    _inside_bounds(image, card)
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    assert image.getpixel((WIDTH // 2, BAND // 2)) == (red, green, blue)  # the rating's colour band
    assert image.getpixel((MARGIN + 6, 110)) == (red, green, blue)  # and its badge


def test_a_long_claim_shrinks_then_is_cut_at_a_word_inside_the_card():
    claim = " ".join(["The council said the new tram line carried twelve million riders in its first year"] * 12)
    card = render_card(claim, "Unproven", "#777777", "A desk with a rather long name that goes on " * 4,
                       claimant="A claimant whose name and title are longer than any line " * 3)
    image = _image(card)
    _inside_bounds(image, card)
    assert card.truncated and card.lines[-1].endswith(" …") and card.size == 28
    assert all(line.rstrip(" …").split()[-1] in claim.split() + ["year”"] for line in card.lines)
    short = render_card("Twelve million riders.", "False", "#b3261e", "Factdesk")
    assert short.size == 60 and not short.truncated


def test_a_word_longer_than_a_line_is_broken_not_clipped():
    card = render_card("x" * 400, "False", "#b3261e", "Factdesk")
    _inside_bounds(_image(card), card)
