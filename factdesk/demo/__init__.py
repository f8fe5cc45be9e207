"""The demo desk: one person per role, the seed article from the shared fixtures, claims on it.

`demo load --claims N` fills it further with the desk generator (`generate.py`), the one the bench
builds its desks with.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from flask import current_app
from sqlalchemy import select

from ..accounts.users import create_user, find_by_email
from ..articles.service import create_article
from ..errors import ValidationError
from ..extensions import db
from ..models import Article, Role
from ..ratings import seed_default_scale
from .claims import seed_claims
from .generate import fill_desk

# Demo passwords are published on purpose: `demo load` refuses to run in production.
DEMO_USERS = [
    (Role.checker, "checker@factdesk.test", "Casey Checker", "checker-demo-pass"),
    (Role.editor, "editor@factdesk.test", "Eddie Editor", "editor-demo-pass"),
    (Role.admin, "admin@factdesk.test", "Ada Admin", "admin-demo-pass"),
]
SEED_FILE = "dprk-munitions-interview.txt"
SEED_TITLE = "U.S. says North Korea sent 10,000 containers of munitions to Russia"
SEED_PUBLISHER = "InformedInsights"


def fixtures_dir() -> Path:
    return Path(current_app.config["FACTDESK_FIXTURES"])


def load_demo(*, claims: int | None = None, articles: int | None = None,
              echo: Callable[[str], None] = lambda m: None) -> list[tuple[str, str, str]]:
    seed_default_scale()
    people = {}
    for role, email, name, password in DEMO_USERS:
        user = find_by_email(email)
        if user is None:
            user = create_user(email, name, role, password)
            echo(f"created {role.value} {email}")
        people[role] = user
    article = seed_article(people[Role.checker])
    seed_claims(article, people)
    db.session.commit()
    if claims is not None:
        fill_desk(claims=claims, articles=articles or max(1, claims // 10), echo=echo)
    return [(role.value, email, password) for role, email, _, password in DEMO_USERS]


def seed_article(by) -> Article:
    existing = db.session.execute(select(Article).where(Article.title == SEED_TITLE)).scalars().first()
    if existing is not None:
        return existing
    path = fixtures_dir() / "articles" / SEED_FILE
    if not path.exists():
        raise ValidationError(f"The seed article {path} is missing; set FACTDESK_FIXTURES to the shared fixtures "
                              f"folder.")
    return create_article(text=path.read_text(encoding="utf-8"), by=by, title=SEED_TITLE, publisher=SEED_PUBLISHER)
