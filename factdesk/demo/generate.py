"""Fill a desk with realistic articles and claims, fast: `demo load --claims N --articles M` and the benchmark.

Text comes from real article bodies (shared fixtures, web-articles/ground-truth.json). Claims are
sentences or parts of sentences of those texts, some overlapping, each with a valid anchor
(``text[start:end] == quote``, 32 characters of prefix and suffix). States follow a plausible mix; the
history written for each claim walks the state machine of DESIGN.md §2 with increasing timestamps, so
the dashboard's medians have something true to measure. Rows go in with Core bulk inserts (executemany)
in chunks, with explicit ids so children need no RETURNING; 100,000 claims take well under two minutes
on SQLite.
"""
from __future__ import annotations

import json
import random
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, insert, select

from ..claims.publishing import relist_public_checks
from ..claims.queue_counts import rewrite_after_bulk_load
from ..extensions import db
from ..markdown import render_markdown
from ..models import (AnchorState, Article, ArticleRevision, Claim, ClaimHistory, Comment, Evidence, Priority,
                      Publication, PublicationTag, Rating, RatingVersion, Role, SourceType, Stance, Status, User,
                      Withdrawal, claim_tags, email_key)
from ..ratings import scale_bounds, seed_default_scale
from ..text import canonicalize

CHUNK = 5000
PREFIX_LEN = 32

# (status, weight, the path of moves that led there)
STATE_MIX = [
    (Status.new, 24, ["new"]),
    (Status.researching, 20, ["new", "researching"]),
    (Status.in_review, 12, ["new", "researching", "in_review"]),
    (Status.changes_requested, 5, ["new", "researching", "in_review", "changes_requested"]),
    (Status.approved, 6, ["new", "researching", "in_review", "approved"]),
    (Status.published, 28, ["new", "researching", "in_review", "approved", "published"]),
    (Status.discarded, 5, ["new", "discarded"]),
    (Status.withdrawn, 1, ["new", "researching", "in_review", "approved", "published", "withdrawn"]),
]
SHOWN = (Status.published, Status.withdrawn)  # states that leave a publication behind
PUBLISHED_EVIDENCE = ("url", "title", "publisher", "excerpt", "stance", "source_type", "accessed_at", "archive_url")
PRIORITY_MIX = [(Priority.low, 15), (Priority.normal, 55), (Priority.high, 22), (Priority.urgent, 8)]
TAGS = ["economy", "health", "elections", "climate", "crime", "immigration", "defence", "technology",
        "education", "energy", "housing", "science"]
CLAIMANTS = ["the minister", "a spokesperson", "the opposition leader", "the company", "the report",
             "a senator", "the mayor", "an analyst", "the agency", "campaign officials"]
EVIDENCE_HOSTS = ["data.gov", "stats.example.org", "who.int", "reuters.com", "apnews.com", "oecd.org",
                  "worldbank.org", "census.gov", "eurostat.ec.europa.eu", "nature.com"]
COMMENT_LINES = ["Found the original dataset; numbers match the 2023 release.",
                 "The quote is accurate but the context matters, see the second source.",
                 "Can we get a primary source rather than the news report?",
                 "Rating looks right to me.",
                 "Checked the archive copy, the page changed since publication.",
                 "Asked the press office for their source; waiting for a reply."]
SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")


TRANSITION_COMMENTS = {"discarded": "Not checkable: opinion.", "withdrawn": "The source turned out to be fabricated."}


def _as_json(value):
    """An evidence field as a publication stores it (enums by value, dates as ISO text)."""
    if hasattr(value, "value"):
        return value.value
    return value.isoformat() if hasattr(value, "isoformat") else value


def _bodies() -> list[tuple[str, str, str]]:
    """(title, publisher, canonical text) for every fixture article body long enough to hold claims."""
    path = Path(current_app.config["FACTDESK_FIXTURES"]) / "web-articles" / "ground-truth.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for key in sorted(data):
        text = canonicalize(data[key]["articleBody"])
        if len(text) < 400:
            continue
        url = data[key].get("url") or ""
        host = urlsplit(url).hostname or "example.org"
        slug = [p for p in urlsplit(url).path.split("/") if p]
        title = (slug[-1] if slug else host).rsplit(".", 1)[0]
        title = re.sub(r"[-_]+", " ", re.sub(r"-?\d{6,}$", "", title)).strip().capitalize() or host
        out.append((title[:200], host.removeprefix("www."), text))
    return out


def _sentences(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in SENTENCE.finditer(text):
        start, end = m.start(), m.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if 30 <= end - start <= 400:
            spans.append((start, end))
    return spans


def _pick(rng: random.Random, mix):
    return rng.choices([m[0] for m in mix], weights=[m[1] for m in mix])[0]


def _people() -> tuple[list[int], list[int]]:
    """Ids of active checkers and editors; adds bench people (who cannot log in) when the desk has too few."""
    def current():
        rows = db.session.execute(select(User.id, User.role).where(User.active)).all()
        return ([i for i, r in rows if r == Role.checker], [i for i, r in rows if r in (Role.editor, Role.admin)])

    checkers, editors = current()
    wanted = [(Role.checker, n) for n in range(len(checkers), 8)] + [(Role.editor, n) for n in range(len(editors), 3)]
    now = datetime.now(timezone.utc)
    for role, n in wanted:
        email = f"bench-{role.value}-{n}@factdesk.test"
        if db.session.execute(select(User.id).where(User.email_key == email_key(email))).scalar() is None:
            # "!" is no password hash: these accounts exist to own work, never to log in.
            db.session.execute(insert(User.__table__), [{
                "email": email, "email_key": email_key(email), "name": f"Bench {role.value.title()} {n}", "role": role,
                "password_hash": "!", "active": True, "created_at": now}])
    return current() if wanted else (checkers, editors)


def _next_id(model) -> int:
    return (db.session.execute(select(func.max(model.id))).scalar() or 0) + 1


def fill_desk(claims: int, articles: int, echo: Callable[[str], None] = lambda m: None, *, seed: int = 7) -> dict:
    """Add `articles` articles and `claims` claims (with evidence, comments, tags, history); returns the counts."""
    if claims < 0 or articles < 1:
        raise ValueError("claims must be ≥ 0 and articles ≥ 1")
    rng = random.Random(seed)
    seed_default_scale()
    db.session.commit()
    checkers, editors = _people()
    db.session.commit()
    ratings = db.session.execute(select(Rating.id).where(Rating.active).order_by(Rating.position)).scalars().all()
    version_of = dict(db.session.execute(select(RatingVersion.rating_id, RatingVersion.id)
                                         .join(Rating, Rating.id == RatingVersion.rating_id)
                                         .where(RatingVersion.number == Rating.version)).all())
    best, worst = scale_bounds()
    bodies = _bodies()
    spans = [_sentences(text) for _, _, text in bodies]
    now = datetime.now(timezone.utc).replace(microsecond=0)
    today = now.date()

    article_id0 = _next_id(Article)
    per_article = [claims // articles + (1 if i < claims % articles else 0) for i in range(articles)]
    body_of = [rng.randrange(len(bodies)) for _ in range(articles)]
    created_of = [now - timedelta(days=rng.uniform(1, 400)) for _ in range(articles)]

    echo(f"fill_desk: {articles:,} articles, {claims:,} claims")
    for lo in range(0, articles, CHUNK):
        hi = min(articles, lo + CHUNK)
        rows, revisions = [], []
        for i in range(lo, hi):
            title, publisher, text = bodies[body_of[i]]
            aid = article_id0 + i
            rows.append({"id": aid, "title": f"{title} ({aid})", "source_url": f"https://{publisher}/story/{aid}",
                         "publisher": publisher, "author": None, "published_at": created_of[i].date(),
                         "text": text, "revision": 1, "created_by_id": rng.choice(checkers),
                         "created_at": created_of[i], "updated_at": created_of[i], "claim_count": per_article[i]})
            revisions.append({"article_id": aid, "number": 1, "text": text, "note": "imported",
                              "created_by_id": rows[-1]["created_by_id"], "created_at": created_of[i]})
        db.session.execute(insert(Article.__table__), rows)
        db.session.execute(insert(ArticleRevision.__table__), revisions)
        db.session.commit()
        echo(f"  articles {hi:,}/{articles:,}")

    claim_id = _next_id(Claim)
    evidence_id = _next_id(Evidence)
    publication_id = _next_id(Publication)
    made = {"claims": 0, "evidence": 0, "comments": 0, "history": 0, "articles": articles}
    batch: dict[str, list] = {"claims": [], "tags": [], "evidence": [], "comments": [], "history": [], "pubs": [],
                              "pub_tags": [], "withdrawals": []}

    def flush_batch() -> None:
        for key, table in (("claims", Claim.__table__), ("tags", claim_tags), ("evidence", Evidence.__table__),
                           ("comments", Comment.__table__), ("history", ClaimHistory.__table__),
                           ("pubs", Publication.__table__), ("pub_tags", PublicationTag.__table__),
                           ("withdrawals", Withdrawal.__table__)):
            if batch[key]:
                db.session.execute(insert(table), batch[key])
                batch[key] = []
        db.session.commit()

    done = 0
    for i in range(articles):
        aid = article_id0 + i
        title, publisher, text = bodies[body_of[i]]
        sentences = spans[body_of[i]] or [(0, min(len(text), 120))]
        used: set[tuple[int, int]] = set()
        for _ in range(per_article[i]):
            start, end = _span(rng, text, sentences, used)
            used.add((start, end))
            status = _pick(rng, STATE_MIX)
            path = next(p for s, _, p in STATE_MIX if s == status)
            created = created_of[i] + timedelta(hours=rng.uniform(0, 72))
            steps = [created]
            for _step in path[1:]:
                steps.append(steps[-1] + timedelta(hours=rng.uniform(2, 24 * 6)))
            if steps[-1] > now:  # a recent claim: its whole life moves back so the last move is in the past
                late = steps[-1] - now + timedelta(minutes=rng.uniform(5, 60 * 24 * 3))
                steps = [s - late for s in steps]
                created = steps[0]
            updated = steps[-1]
            assigned = status not in (Status.new, Status.discarded) or rng.random() < 0.15
            assignee = rng.choice(checkers) if assigned else None
            rated = status in (Status.in_review, Status.changes_requested, Status.approved, *SHOWN)
            rating = rng.choice(ratings) if rated and ratings else None
            n_evidence = rng.randint(1, 4) if rated else (rng.randint(0, 2) if status == Status.researching else 0)
            n_comments = rng.choice([0, 0, 1, 1, 2, 3]) if status != Status.new else rng.choice([0, 0, 0, 1])
            open_work = status not in (*SHOWN, Status.discarded)
            due = (today + timedelta(days=rng.randint(-20, 30))) if open_work and rng.random() < 0.6 else None
            quote = text[start:end]
            creator = rng.choice(checkers)
            batch["claims"].append({
                "id": claim_id, "article_id": aid, "anchor_start": start, "anchor_end": end, "quote": quote,
                "prefix": text[max(0, start - PREFIX_LEN):start], "suffix": text[end:end + PREFIX_LEN],
                "anchor_state": AnchorState.anchored, "previous_quote": None,
                "summary": _summary(quote), "claimant": rng.choice(CLAIMANTS),
                "claimed_at": created.date() - timedelta(days=rng.randint(0, 10)), "status": status,
                "assignee_id": assignee, "priority": int(_pick(rng, PRIORITY_MIX)), "due": due,
                "rating_id": rating,
                "rationale": ((f"We compared the statement with {n_evidence} sources. " + _summary(quote))
                              if rated else ""),
                "verdict_by_id": assignee if rated else None, "duplicate_of_id": None, "version": len(path),
                "evidence_count": n_evidence, "comment_count": n_comments,
                "created_by_id": creator, "updated_by_id": assignee or rng.choice(editors),
                "created_at": created, "updated_at": updated,
                "published_at": steps[path.index("published")] if status in SHOWN else None,
            })
            tags = rng.sample(TAGS, rng.choice([0, 1, 1, 2]))
            for tag in tags:
                batch["tags"].append({"claim_id": claim_id, "tag": tag})
            first_evidence = len(batch["evidence"])
            for n in range(n_evidence):
                host = rng.choice(EVIDENCE_HOSTS)
                batch["evidence"].append({
                    "id": evidence_id, "claim_id": claim_id, "url": f"https://{host}/source/{claim_id}-{n}",
                    "title": f"Source {n + 1} on claim {claim_id}", "publisher": host,
                    "excerpt": _summary(text[sentences[rng.randrange(len(sentences))][0]:][:200]),
                    "stance": rng.choice(list(Stance)), "source_type": rng.choice(list(SourceType)),
                    "accessed_at": steps[min(1, len(steps) - 1)].date(), "archive_url": None,
                    "created_by_id": assignee, "created_at": steps[min(1, len(steps) - 1)]})
                evidence_id += 1
            for n in range(n_comments):
                batch["comments"].append({"claim_id": claim_id, "author_id": rng.choice(checkers + editors),
                                          "body": rng.choice(COMMENT_LINES),
                                          "created_at": min(now, created + timedelta(hours=3 * (n + 1)))})
            batch["history"].append({"claim_id": claim_id, "at": created, "by_id": creator, "action": "created",
                                     "field": "quote", "before": None, "after": quote, "comment": None})
            for before, after, at in zip(path, path[1:], steps[1:]):
                by = assignee if after in ("researching", "in_review") else rng.choice(editors)
                batch["history"].append({"claim_id": claim_id, "at": at, "by_id": by, "action": "transition",
                                         "field": "status", "before": before, "after": after,
                                         "comment": TRANSITION_COMMENTS.get(after)})
            if status in SHOWN:  # frozen as the workflow freezes it (claims/publishing.py)
                claim_row = batch["claims"][-1]
                batch["pubs"].append({
                    "id": publication_id, "claim_id": claim_id, "number": 1, "quote": quote,
                    "prefix": claim_row["prefix"], "suffix": claim_row["suffix"], "summary": claim_row["summary"],
                    "claimant": claim_row["claimant"], "claimed_at": claim_row["claimed_at"],
                    "article_title": f"{title} ({aid})", "article_url": f"https://{publisher}/story/{aid}",
                    "article_publisher": publisher, "article_author": None,
                    "article_published_at": created_of[i].date(), "rating_id": rating,
                    "rating_version_id": version_of.get(rating), "scale_best": best, "scale_worst": worst,
                    "rationale": claim_row["rationale"], "rationale_text": claim_row["rationale"],
                    "rationale_html": str(render_markdown(claim_row["rationale"])),
                    "evidence": [{k: _as_json(v) for k, v in e.items() if k in PUBLISHED_EVIDENCE}
                                 for e in batch["evidence"][first_evidence:]],
                    "published_at": claim_row["published_at"], "published_by_id": rng.choice(editors),
                    "correction_reason": None, "is_correction": False, "rebuilt_from": None})
                batch["pub_tags"] += [{"publication_id": publication_id, "tag": tag} for tag in tags]
                if status == Status.withdrawn:
                    batch["withdrawals"].append({"claim_id": claim_id, "publication_id": publication_id,
                                                 "withdrawn_at": steps[-1], "withdrawn_by_id": rng.choice(editors),
                                                 "reason": "The source turned out to be fabricated."})
                publication_id += 1
            made["evidence"] += n_evidence
            made["comments"] += n_comments
            made["history"] += len(path)
            claim_id += 1
            done += 1
            if done % CHUNK == 0:
                flush_batch()
                echo(f"  claims {done:,}/{claims:,}")
    flush_batch()
    made["claims"] = done
    if claims % CHUNK:
        echo(f"  claims {done:,}/{claims:,}")
    if db.engine.dialect.name == "postgresql":
        # Rows went in with explicit ids: move each id sequence past them, or the next insert collides.
        for table in ("articles", "claims", "evidence", "publications"):
            db.session.execute(db.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                       f"(SELECT coalesce(max(id), 1) FROM {table}))"))
    postgres = db.engine.dialect.name == "postgresql"
    if postgres:
        # Statistics of what was just loaded before relisting reads it: an autovacuum ANALYZE that ran
        # mid-load saw the uncommitted rows as absent (claims: 1 row in 1,815 pages), and relisting
        # planned nested loops over every claim per publication (CI: one INSERT ran for 13 minutes).
        db.session.execute(db.text("ANALYZE claims, publications, withdrawals, rating_versions"))
    relist_public_checks(db.session)  # the publications went in as rows, not through publish()
    if postgres:
        rewrite_after_bulk_load(db.session)  # the count tables without the triggers' dead versions
    else:
        db.session.execute(db.text("ANALYZE"))  # fresh statistics, so the planner picks the queue's indexes
    db.session.commit()
    if postgres:
        _vacuum_after_bulk_load()
    echo("fill_desk: done")
    return made


def _vacuum_after_bulk_load() -> None:
    """On PostgreSQL, what a bulk load is followed by (VACUUM needs a connection in autocommit): fresh
    statistics for the planner, as the ANALYZE did, and the loaded pages marked all-visible so
    index-only scans need not visit the table. (The count tables were written afresh before the
    commit: `rewrite_after_bulk_load`.)"""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM (ANALYZE)")


def _span(rng: random.Random, text: str, sentences: list[tuple[int, int]], used: set) -> tuple[int, int]:
    """A sentence, part of one, or two sentences together: overlapping highlights happen on real desks."""
    for _ in range(20):
        k = rng.randrange(len(sentences))
        start, end = sentences[k]
        roll = rng.random()
        if roll < 0.15 and k + 1 < len(sentences):
            end = sentences[k + 1][1]  # spans two sentences, overlapping their own highlights
        elif roll < 0.35:
            words = [m.start() for m in re.finditer(r"\S+", text[start:end])]
            if len(words) > 6:
                cut = rng.randrange(3, len(words) - 2)
                end = start + words[cut] - 1  # the first clause only
                while end > start and text[end - 1].isspace():
                    end -= 1
        if end - start > 2000:
            end = start + 2000
        if (start, end) not in used and end > start:
            return start, end
    # Every sentence taken: a word-level span that cannot collide.
    start = rng.randrange(0, max(1, len(text) - 40))
    for length in range(40, len(text) - start + 1):
        if (start, start + length) not in used:
            return start, start + length
    return 0, len(text)


def _summary(quote: str) -> str:
    words = quote.split()
    text = " ".join(words[:30])
    return text if len(words) <= 30 else text + "…"
