"""The pages the benchmark drives and the SQL-count test counts, found on a filled desk.

Both `bench` and tests/bench/test_sql_counts.py use these: the bench measures them under load, the test
counts each one's SQL statements at two data sizes. The public check and article pages are found
from the home page; when the desk offers none, `missing()` names them.
"""
from __future__ import annotations

import random
import re
import secrets
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import select

from ..claims.publishing import is_public, publish
from ..extensions import db
from ..models import Article, Claim, Publication, Rating, Role, Status, User, utcnow
from .statements import counting_statements

HEAVY_TITLE = "Bench: the article with {n} highlights"
EMPTY_TITLE = "Bench: the same article with no highlights"
# The queue as a desk editor opens it most: open work under review, most urgent first.
QUEUE_ARGS = "status=researching,in_review,changes_requested&sort=priority"
SEARCH_QUERIES = ("minister", "election results", "inflation")  # the first one is found on any filled desk
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
CHECK_LINK = re.compile(r'href="(/checks/\d+-[^"#?]*)"')
PUBLIC_ARTICLE_LINK = re.compile(r'href="(/articles/\d+-[^"#?]*)"')


@dataclass(frozen=True)
class Page:
    """One page to measure: its name, path, and who asks for it ("session", "token" or None)."""

    name: str
    path: str
    auth: str | None


def longest_fixture_text() -> str:
    """The longest real article body of the shared fixtures (about 20,000 characters)."""
    from ..demo.generate import _bodies

    return max((text for _, _, text in _bodies()), key=len)


def heavy_article(highlights: int, by: User, *, seed: int = 11) -> tuple[Article, Article]:
    """One article with `highlights` claims (overlapping ones included, in a mix of states and
    ratings) and the same text as a second article with none; both made by the domain functions."""
    from ..articles.anchoring import anchor_at
    from ..articles.service import create_article
    from ..claims.highlight import add_claim
    from ..demo.generate import STATE_MIX, _pick, _sentences, _span

    title = HEAVY_TITLE.format(n=highlights)
    existing = db.session.execute(select(Article).where(Article.title == title)).scalars().first()
    empty = db.session.execute(select(Article).where(Article.title == EMPTY_TITLE)).scalars().first()
    if existing is not None and empty is not None:
        return existing, empty
    rng = random.Random(seed)
    text = longest_fixture_text()
    heavy = create_article(text=text, by=by, title=title, publisher="bench.example")
    empty = create_article(text=text, by=by, title=EMPTY_TITLE, publisher="bench.example")
    sentences = _sentences(text)
    used: set[tuple[int, int]] = set()
    ratings = db.session.execute(select(Rating.id).where(Rating.active)).scalars().all()
    for n in range(highlights):
        start, end = _span(rng, text, sentences, used)
        used.add((start, end))
        claim = add_claim(heavy, by, anchor_at(text, start, end, max_quote=10_000),
                          summary=f"Bench claim {n + 1}", claimant="a spokesperson")
        status = _pick(rng, STATE_MIX)
        rated = status in (Status.in_review, Status.changes_requested, Status.approved, Status.published)
        rating_id = rng.choice(ratings) if rated and ratings else None
        claim.status, claim.rating_id = status, rating_id
        if status == Status.published:  # as the workflow leaves a published claim: dated, with its publication
            db.session.flush()
            db.session.expire(claim, ["rating"])
            publish(claim, by, utcnow())
    db.session.flush()
    return heavy, empty


def bench_people(password: str | None = None) -> tuple[User, User, str]:
    """An editor and a checker who can log in (password returned) for driving the desk's pages."""
    from ..accounts.users import create_user, find_by_email

    password = password or secrets.token_urlsafe(16)
    people = []
    for role, email, name in ((Role.editor, "bench-editor@factdesk.test", "Bench Editor"),
                              (Role.checker, "bench-checker@factdesk.test", "Bench Checker")):
        user = find_by_email(email)
        if user is None:
            user = create_user(email, name, role, password)
        else:
            from ..accounts.users import set_password

            set_password(user, password)
        people.append(user)
    db.session.flush()
    return people[0], people[1], password


def login(client, email: str, password: str) -> None:
    """Log a test client in through the real form (CSRF token included)."""
    page = client.get("/login").get_data(as_text=True)
    match = CSRF.search(page)
    data = {"email": email, "password": password}
    if match:
        data["csrf_token"] = match.group(1) or match.group(2)
    response = client.post("/login", data=data)
    if response.status_code != 302:
        raise RuntimeError(f"bench login failed with {response.status_code}")


def discover(app: Flask, client, heavy: Article, empty: Article, *, token_headers: dict) -> list[Page]:
    """The pages of §9 on this desk, with real ids and canonical public addresses."""
    candidates = [
        Page("queue", f"/desk?{QUEUE_ARGS}", "session"),
        Page("queue_api", f"/api/v1/claims?{QUEUE_ARGS}&per_page=50", "token"),
        Page("article_highlights", f"/desk/articles/{heavy.id}", "session"),
        Page("article_empty", f"/desk/articles/{empty.id}", "session"),
        Page("home", "/", None),
        Page("feed", "/feed.atom", None),
    ]
    home = client.get("/")
    html = home.get_data(as_text=True) if home.status_code == 200 else ""
    check = CHECK_LINK.search(html)
    if check:
        candidates.append(Page("check", check.group(1), None))
        page = client.get(check.group(1))
        article_link = PUBLIC_ARTICLE_LINK.search(page.get_data(as_text=True)) if page.status_code == 200 else None
        if article_link:
            candidates.append(Page("public_article", article_link.group(1), None))
    from urllib.parse import quote

    for n, q in enumerate(SEARCH_QUERIES):
        candidates.append(Page(f"search_{n}", f"/api/v1/search?q={quote(q)}", "token"))
    candidates.append(Page("api_me", "/api/v1/me", "token"))
    return candidates


EXPECTED = ("queue", "queue_api", "article_highlights", "home", "check", "feed", "search_0")
# Pages whose statements are counted at two sizes (search: the query that finds something at both).
COUNTED = ("queue", "queue_api", "article_highlights", "article_empty", "home", "feed", "check", "public_article",
           "search_0", "api_me")


def missing(pages: list[Page]) -> list[str]:
    names = {p.name for p in pages}
    return [name for name in EXPECTED if name not in names]


def statements_per_page(app: Flask, session_client, pages: list[Page], token_headers: dict) -> dict[str, dict]:
    """For each page: its status and the SQL statements one request costs (after one warm-up request,
    so a once-a-minute token touch or a first-use cache does not count)."""
    out = {}
    with app.app_context():
        engine = db.engine
    for page in pages:
        headers = token_headers if page.auth == "token" else {}
        client = session_client if page.auth == "session" else fresh_context_client(app)
        client.get(page.path, headers=headers)
        with counting_statements(engine) as seen:
            response = client.get(page.path, headers=headers)
        out[page.name] = {"path": page.path, "status": response.status_code, "statements": len(seen)}
    return out


def fresh_context_client(app: Flask):
    """A test client whose every request gets its own app context (its own `g` and database
    session), as under a real server, so one request's loaded objects never save the next its SQL."""
    from flask.testing import FlaskClient

    class Client(FlaskClient):
        def open(self, *args, **kwargs):
            with self.application.app_context():
                return super().open(*args, **kwargs)

    app.test_client_class = Client
    return app.test_client()


# ---------------------------------------------------------------- first views

QUEUE_STATUSES = ("new", "researching", "in_review", "changes_requested", "approved", "published",
                  "researching,in_review,changes_requested", "new,researching", "in_review,approved", "")
QUEUE_SORTS = ("priority", "due", "age", "updated", "-priority", "-due", "-age", "-updated")
QUEUE_EXTRAS = ("", "&priority=high,urgent", "&assignee=anyone", "&assignee=none", "&overdue=1", "&tag={tag}",
                "&priority=normal")


def queue_urls(count: int, *, seed: int = 3) -> list[str]:
    """Distinct queue addresses, 50 rows each, filtered and sorted (the combinations a desk clicks)."""
    from ..demo.generate import TAGS

    rng = random.Random(seed)
    seen: set[str] = set()
    while len(seen) < count:
        status, sort = rng.choice(QUEUE_STATUSES), rng.choice(QUEUE_SORTS)
        extra = rng.choice(QUEUE_EXTRAS).format(tag=rng.choice(TAGS))
        page = rng.choice((1, 1, 1, 2, 3, 5))
        seen.add(f"/desk?status={status}&sort={sort}{extra}&page={page}".replace("status=&", ""))
    queries = sorted(seen)  # a set's order follows string hashing, which changes per process
    rng.shuffle(queries)
    return queries


def search_terms(count: int, *, seed: int = 5) -> list[str]:
    """Distinct queries of one or two words from the fixtures' text (what a desk would look for)."""
    from ..demo.generate import _bodies

    rng = random.Random(seed)
    words = sorted({w.lower() for _, _, text in _bodies() for w in re.findall(r"[A-Za-z]{5,}", text)})
    seen: set[str] = set()
    while len(seen) < count and words:
        seen.add(rng.choice(words) if rng.random() < 0.6 else f"{rng.choice(words)} {rng.choice(words)}")
    queries = sorted(seen)  # a set's order follows string hashing, which changes per process
    rng.shuffle(queries)
    return queries


def check_urls(app: Flask, count: int, *, seed: int = 9) -> list[str]:
    """Public addresses of up to `count` different published checks (from their latest publication)."""
    from ..public.slugs import check_path

    with app.app_context():
        ids = list(db.session.execute(select(Publication.id).where(is_public()).order_by(Publication.id)).scalars())
        rng = random.Random(seed)
        chosen = rng.sample(ids, min(count, len(ids)))
        publications = db.session.execute(select(Publication).where(Publication.id.in_(chosen))).scalars().all()
        with app.test_request_context():
            return [check_path(p) for p in publications]


def home_urls(app: Flask, count: int, *, seed: int = 13) -> list[str]:
    """Up to `count` distinct addresses of the public home that a reader can reach on this desk, in a
    random order: every page that exists of the unfiltered list, of each rating's, of each tag's and of
    each rating-and-tag's (the home's form sets both), each as the pager's "Older" link from the page
    before it and its "Newer" link from the page after it write it (reading.Cursor).

    The pages come from readers' listing in the home's order (what the home pages through), so no
    address is a page past the end; when fewer exist than `count`, all of them come back."""
    from flask import url_for

    from ..models import PublicCheck, PublicCheckTag
    from ..public.reading import Cursor
    from ..public.views import PER_PAGE

    lists: dict[tuple, list[Cursor]] = {}
    with app.app_context():
        newest = (PublicCheck.first_published_at.desc(), PublicCheck.claim_id.desc())
        for claim_id, at, label in db.session.execute(select(PublicCheck.claim_id, PublicCheck.first_published_at,
                                                             PublicCheck.rating_label).order_by(*newest)):
            lists.setdefault((), []).append(Cursor(at, claim_id))
            if label is not None:
                lists.setdefault((("rating", label),), []).append(Cursor(at, claim_id))
        for claim_id, tag, at, label in db.session.execute(
                select(PublicCheckTag.claim_id, PublicCheckTag.tag, PublicCheckTag.first_published_at,
                       PublicCheckTag.rating_label)
                .order_by(PublicCheckTag.first_published_at.desc(), PublicCheckTag.claim_id.desc())):
            lists.setdefault((("tag", tag),), []).append(Cursor(at, claim_id))
            if label is not None:
                lists.setdefault((("rating", label), ("tag", tag)), []).append(Cursor(at, claim_id))
        addresses = []
        with app.test_request_context():
            for filters in sorted(lists):
                places = lists[filters]
                pages = [places[i:i + PER_PAGE] for i in range(0, len(places), PER_PAGE)] or [[]]
                addresses.append(url_for("public.home", **dict(filters)))
                for number in range(2, len(pages) + 1):
                    addresses.append(url_for("public.home", **dict(filters), page=number,
                                             before=str(pages[number - 2][-1])))
                    if number < len(pages):
                        addresses.append(url_for("public.home", **dict(filters), page=number,
                                                 after=str(pages[number][0])))
    return random.Random(seed).sample(addresses, min(count, len(addresses)))


def claim_ids(app: Flask, count: int, *, seed: int = 17) -> list[int]:
    """Ids of `count` claims spread over the desk (the by-key page's first views)."""
    with app.app_context():
        ids = list(db.session.execute(select(Claim.id)).scalars())
    return random.Random(seed).sample(ids, min(count, len(ids)))
