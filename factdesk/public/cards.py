"""Share cards of published checks, kept by publication: a publication never changes, so its card is
rendered the first time someone asks and served from the file ever after (the file name carries the
desk's name too, since the card shows it)."""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from flask import current_app

from ..models import Publication
from .sharecard import render_card


def card_folder() -> Path:
    """SHARE_CARD_DIR, else instance/share-cards (each host of a several-host desk renders its own)."""
    folder = current_app.config.get("SHARE_CARD_DIR") or Path(current_app.instance_path) / "share-cards"
    return Path(folder)


def card_png(publication: Publication) -> bytes:
    """The PNG share card of one publication (its wording, rating and claimant as published)."""
    desk_name = current_app.config["DESK_NAME"]
    key = hashlib.sha1(desk_name.encode()).hexdigest()[:10]
    path = card_folder() / f"{publication.id}-{key}.png"
    if path.is_file():
        return path.read_bytes()
    rating = publication.rating
    card = render_card(publication.summary or publication.quote, rating.name if rating else "Checked",
                       rating.colour if rating else None, desk_name, claimant=publication.claimant or None)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "wb") as out:
        out.write(card.png)
    os.replace(temporary, path)  # readers never see half a file, and two renders end in the same bytes
    return card.png
