"""Each published check has a share card (PNG, 1200×630) that og:image and twitter:card point at,
rendered once per publication and served from the file afterwards."""
from __future__ import annotations

import io
import re

from PIL import Image

from tests.support.addresses import path_of
from tests.support.factories import ArticleFactory, ClaimFactory, move, to_state

TEXT = "The senator said exports doubled in 2025. Imports fell. The port handled 4 million containers."


def _meta(page: str, key: str) -> str:
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', page)
    assert match, key
    return match.group(1)


def test_check_page_points_og_image_and_twitter_card_at_its_share_card(app, client, checker, editor, tmp_path):
    app.config["SHARE_CARD_DIR"] = str(tmp_path / "cards")
    story = ArticleFactory(by=checker, title="Trade figures", text=TEXT)
    c = to_state(ClaimFactory(article=story, by=checker, quote="exports doubled in 2025",
                              summary="Exports doubled in 2025."), "published", checker, editor)
    page = client.get(path_of(app, c)).get_data(as_text=True)
    image = _meta(page, "og:image")
    assert image == f"http://localhost/checks/{c.id}/card-1.png" == _meta(page, "twitter:image")
    assert _meta(page, "twitter:card") == "summary_large_image"
    assert (_meta(page, "og:image:width"), _meta(page, "og:image:height")) == ("1200", "630")
    assert "Exports doubled in 2025." in _meta(page, "og:image:alt")

    card = client.get(image.removeprefix("http://localhost"))
    assert card.status_code == 200 and card.mimetype == "image/png"
    assert "immutable" in card.headers["Cache-Control"] and "public" in card.headers["Cache-Control"]
    assert Image.open(io.BytesIO(card.data)).size == (1200, 630)
    [kept] = list((tmp_path / "cards").glob("*.png"))
    assert kept.read_bytes() == card.data
    kept.write_bytes(b"kept")  # served from the file from now on, not rendered again
    assert client.get(image.removeprefix("http://localhost")).data == b"kept"


def test_a_correction_gets_its_own_card_and_unpublished_checks_have_none(app, client, checker, editor, tmp_path):
    app.config["SHARE_CARD_DIR"] = str(tmp_path / "cards")
    story = ArticleFactory(by=checker, title="Trade figures", text=TEXT)
    c = to_state(ClaimFactory(article=story, by=checker, quote="exports doubled in 2025",
                              summary="Exports doubled in 2025."), "published", checker, editor)
    first = client.get(f"/checks/{c.id}/card-1.png").data
    move(c, "researching", editor, "New customs figures.")
    to_state(c, "published", checker, editor, rating="true", rationale="The customs office now counts a doubling.")
    page = client.get(path_of(app, c)).get_data(as_text=True)
    assert _meta(page, "og:image").endswith(f"/checks/{c.id}/card-2.png")
    second = client.get(f"/checks/{c.id}/card-2.png")
    assert second.status_code == 200 and second.data != first  # the new rating is on it
    assert client.get(f"/checks/{c.id}/card-3.png").status_code == 404
    never = ClaimFactory(article=story, by=checker, quote="Imports fell", summary="Imports fell.")
    assert client.get(f"/checks/{never.id}/card-1.png").status_code == 404
