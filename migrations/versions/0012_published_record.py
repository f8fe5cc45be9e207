"""the published record: publications as frozen copies, rating versions, withdrawals (DESIGN.md §13)

- `publications` gains everything a reader sees (quote and context, claimant, when and where said,
  the rating's version and the scale's ends, evidence, tags in `publication_tags`). Each existing
  publication is rebuilt: from the claim's history where the history holds what was published (the
  history replayed up to the moment of publishing: field edits, evidence added and removed, anchor
  changes, the article's revision of that moment), otherwise from the claim as it is now. Which one
  is written in `publications.rebuilt_from` ("history" or "claim") and in the migration's log.
- `rating_versions`: every rating gets its version 1 (as it is now); publications point at it.
- `withdrawals` and the `withdrawn` state; `claims.under_review_since`, `claims.article_changed_at`;
  `api_tokens.issued_via`.

The claims table's CHECK on `status` is widened in place. On SQLite a copy-and-move rebuild of
`claims` would DROP it, and with foreign keys on, that DROP deletes every row first (evidence and
comments cascade, history and publications refuse): so the CHECK's text is rewritten with SQLite's
documented procedure for constraint changes that every stored row already satisfies
(https://sqlite.org/lang_altertable.html, "writable_schema"), inside the migration's transaction.

Revision ID: 0012_published_record
Revises: 0016_comment_about
"""
from __future__ import annotations

import logging
import warnings
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0012_published_record"
down_revision = "0016_comment_about"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

OLD_STATES = ("new", "researching", "in_review", "changes_requested", "approved", "published", "discarded")
NEW_STATES = OLD_STATES + ("withdrawn",)
CONTEXT = 32  # characters of prefix and suffix, as the anchoring code keeps them
APPEND_ONLY = ("publications", "publication_tags")


def _check(states) -> str:
    return "status IN (" + ", ".join(f"'{s}'" for s in states) + ")"


def _widen_status_check(bind) -> None:
    if bind.dialect.name == "sqlite":
        sql = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'claims'").scalar()
        old, new = _check(OLD_STATES), _check(NEW_STATES)
        if old not in sql:
            raise RuntimeError("claims has no status CHECK of the expected form; refusing to guess")
        version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
        bind.exec_driver_sql("PRAGMA writable_schema = ON")
        bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'claims'",
                             (sql.replace(old, new),))
        bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
        bind.exec_driver_sql("PRAGMA writable_schema = OFF")
        if bind.exec_driver_sql("PRAGMA integrity_check").scalar() != "ok":
            raise RuntimeError("the database failed its integrity check after widening the status CHECK")
    else:
        op.execute("ALTER TABLE claims DROP CONSTRAINT ck_claims_status")
        op.execute(f"ALTER TABLE claims ADD CONSTRAINT ck_claims_status CHECK ({_check(NEW_STATES)})")


def _append_only(table: str, on: bool) -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            if on:
                op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")
            else:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb.lower()}")
    elif on:
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION factdesk_append_only()")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")


# Light table handles for the data steps (the models may change after this migration).
ratings_t = sa.table("ratings", sa.column("id"), sa.column("label"), sa.column("name"), sa.column("definition"),
                     sa.column("colour"), sa.column("ordinal"), sa.column("active"))
versions_t = sa.table("rating_versions", sa.column("id"), sa.column("rating_id"), sa.column("number"),
                      sa.column("label"), sa.column("name"), sa.column("definition"), sa.column("colour"),
                      sa.column("ordinal"), sa.column("created_at"))
claims_t = sa.table("claims", *(sa.column(c) for c in (
    "id", "article_id", "quote", "prefix", "suffix", "anchor_start", "anchor_end", "summary", "claimant",
    "claimed_at", "rating_id", "rationale", "status")))
articles_t = sa.table("articles", *(sa.column(c) for c in (
    "id", "title", "source_url", "publisher", "author", "published_at")))
revisions_t = sa.table("article_revisions", sa.column("article_id"), sa.column("number"), sa.column("text"),
                       sa.column("created_at"))
history_t = sa.table("claim_history", sa.column("id"), sa.column("claim_id"), sa.column("at"),
                     sa.column("action"), sa.column("field"), sa.column("before", sa.JSON),
                     sa.column("after", sa.JSON))
evidence_t = sa.table("evidence", *(sa.column(c) for c in (
    "id", "claim_id", "url", "title", "publisher", "excerpt", "stance", "source_type", "accessed_at", "archive_url")))
tags_t = sa.table("claim_tags", sa.column("claim_id"), sa.column("tag"))
pubs_t = sa.table("publications", *(sa.column(c) for c in (
    "id", "claim_id", "number", "summary", "rating_id", "rationale", "published_at")))
pub_tags_t = sa.table("publication_tags", sa.column("publication_id"), sa.column("tag"))

SCALAR_FIELDS = ("summary", "claimant", "claimed_at")


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _evidence_of_row(row) -> dict:
    return {"url": row.url, "title": row.title or "", "publisher": row.publisher or "", "excerpt": row.excerpt or "",
            "stance": row.stance, "source_type": row.source_type, "accessed_at": _iso(row.accessed_at),
            "archive_url": row.archive_url}


class _Replay:
    """One claim's state at the moment of each of its publications, from its history."""

    def __init__(self, bind, claim, entries, evidence_rows, tags):
        self.claim, self.entries, self.tags_now = claim, entries, tags
        self.evidence_now = {row.id: _evidence_of_row(row) for row in evidence_rows}
        self.published = [e for e in entries if e.action == "transition" and e.after == "published"]
        self.created = any(e.action == "created" for e in entries)

    def holds(self, number: int) -> bool:
        """The history saw the claim made and this publication happen: it holds what was published."""
        return self.created and len(self.published) >= number

    def _value(self, field: str, upto: int, now):
        before_cut = [e for e in self.entries if e.action == "edit" and e.field == field and e.id < upto]
        if before_cut:
            return before_cut[-1].after
        later = [e for e in self.entries if e.action == "edit" and e.field == field and e.id >= upto]
        return later[0].before if later else now

    def state(self, number: int) -> dict:
        cut = self.published[number - 1].id
        c = self.claim
        out = {f: self._value(f, cut, _iso(getattr(c, f))) for f in SCALAR_FIELDS}
        out["tags"] = sorted(self._value("tags", cut, self.tags_now) or [])
        anchor = {"quote": c.quote, "start": c.anchor_start, "end": c.anchor_end}
        moved = [e for e in self.entries if e.field == "anchor" and isinstance(e.after, dict)]
        if [e for e in moved if e.id < cut]:
            anchor = [e for e in moved if e.id < cut][-1].after
        elif [e for e in moved if e.id >= cut]:
            anchor = [e for e in moved if e.id >= cut][0].before or anchor
        created = [e for e in self.entries if e.action == "created" and e.id < cut]
        if not moved and created and isinstance(created[0].after, str):
            anchor = {**anchor, "quote": created[0].after}
        out["anchor"] = anchor
        evidence: dict[int, dict] = {}
        for e in self.entries:
            if e.id >= cut:
                break
            if e.action == "evidence_added" and isinstance(e.after, dict):
                evidence[e.after.get("id")] = e.after
            elif e.action == "evidence_removed" and isinstance(e.before, dict):
                evidence.pop(e.before.get("id"), None)
        out["evidence"] = [self.evidence_now.get(eid) or {
            "url": item.get("url"), "title": item.get("title") or "", "publisher": "", "excerpt": "",
            "stance": item.get("stance"), "source_type": item.get("source_type"), "accessed_at": None,
            "archive_url": None} for eid, item in evidence.items()]
        return out

    def as_is(self) -> dict:
        c = self.claim
        return {"summary": c.summary, "claimant": c.claimant, "claimed_at": _iso(c.claimed_at),
                "tags": sorted(self.tags_now), "anchor": {"quote": c.quote, "start": c.anchor_start, "end": c.anchor_end},
                "prefix": c.prefix, "suffix": c.suffix, "evidence": list(self.evidence_now.values())}


def _context(bind, claim, anchor: dict, at) -> tuple[str, str]:
    """The prefix and suffix of the quote in the article's text as it was at `at`."""
    if anchor.get("quote") == claim.quote:
        return claim.prefix or "", claim.suffix or ""
    text = bind.execute(sa.select(revisions_t.c.text).where(revisions_t.c.article_id == claim.article_id,
                                                            revisions_t.c.created_at <= at)
                        .order_by(revisions_t.c.number.desc()).limit(1)).scalar()
    start, end = anchor.get("start"), anchor.get("end")
    if text is None or start is None or text[start:end] != anchor.get("quote"):
        return "", ""
    return text[max(0, start - CONTEXT):start], text[end:end + CONTEXT]


def _plain(markdown: str | None) -> str:
    """The rationale's words without Markdown (as factdesk.markdown.markdown_text does today)."""
    import html

    import nh3
    from markdown_it import MarkdownIt

    if not markdown:
        return ""
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    return " ".join(html.unescape(nh3.clean(md.render(markdown), tags=set())).split())


def _date(value):
    import datetime

    if value in (None, ""):
        return None
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)[:10])


def _rebuild_publications(bind) -> tuple[int, int]:
    version_of = dict(bind.execute(sa.select(versions_t.c.rating_id, versions_t.c.id)).all())
    bounds = bind.execute(sa.select(sa.func.max(ratings_t.c.ordinal), sa.func.min(ratings_t.c.ordinal))
                          .where(ratings_t.c.active == sa.true(), ratings_t.c.ordinal.is_not(None))).one()
    pubs = bind.execute(sa.select(pubs_t).order_by(pubs_t.c.claim_id, pubs_t.c.number)).all()
    from_history = from_claim = 0
    table = sa.table("publications", sa.column("evidence", sa.JSON), *(sa.column(c) for c in (
        "id", "quote", "prefix", "suffix", "claimant", "claimed_at", "article_title", "article_url",
        "article_publisher", "article_author", "article_published_at", "rating_version_id", "scale_best",
        "scale_worst", "rebuilt_from", "rationale_text")))
    replay, claim_id = None, None
    for pub in pubs:
        if pub.claim_id != claim_id:
            claim_id = pub.claim_id
            claim = bind.execute(sa.select(claims_t).where(claims_t.c.id == claim_id)).one()
            entries = bind.execute(sa.select(history_t).where(history_t.c.claim_id == claim_id)
                                   .order_by(history_t.c.id)).all()
            evidence_rows = bind.execute(sa.select(evidence_t).where(evidence_t.c.claim_id == claim_id)
                                         .order_by(evidence_t.c.id)).all()
            tags = list(bind.execute(sa.select(tags_t.c.tag).where(tags_t.c.claim_id == claim_id)).scalars())
            article = bind.execute(sa.select(articles_t).where(articles_t.c.id == claim.article_id)).one()
            replay = _Replay(bind, claim, entries, evidence_rows, tags)
        if replay.holds(pub.number):
            state, source = replay.state(pub.number), "history"
            state["prefix"], state["suffix"] = _context(bind, claim, state["anchor"], pub.published_at)
            from_history += 1
        else:
            state, source = replay.as_is(), "claim"
            from_claim += 1
        bind.execute(table.update().where(table.c.id == pub.id).values(
            quote=state["anchor"].get("quote") or claim.quote, prefix=state["prefix"], suffix=state["suffix"],
            claimant=state["claimant"] or "", claimed_at=_date(state["claimed_at"]),
            article_title=article.title or "", article_url=article.source_url, article_publisher=article.publisher,
            article_author=article.author, article_published_at=article.published_at,
            rating_version_id=version_of.get(pub.rating_id), scale_best=bounds[0], scale_worst=bounds[1],
            evidence=state["evidence"], rebuilt_from=source, rationale_text=_plain(pub.rationale)))
        for tag in state["tags"]:
            bind.execute(pub_tags_t.insert().values(publication_id=pub.id, tag=tag))
    return from_history, from_claim


def upgrade():
    bind = op.get_bind()

    op.add_column("ratings", sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1")))
    op.create_table(
        "rating_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rating_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("colour", sa.String(length=7), nullable=False),
        sa.Column("ordinal", sa.SmallInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["rating_id"], ["ratings.id"], name="fk_rating_versions_rating_id_ratings",
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name="fk_rating_versions_created_by_id_users",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_rating_versions"),
        sa.UniqueConstraint("rating_id", "number", name="uq_rating_versions_number"),
    )
    now = datetime.now(timezone.utc).replace(tzinfo=None)  # stored naive in UTC, as the models do
    for r in bind.execute(sa.select(ratings_t)).all():
        bind.execute(versions_t.insert().values(rating_id=r.id, number=1, label=r.label, name=r.name,
                                                definition=r.definition or "", colour=r.colour, ordinal=r.ordinal,
                                                created_at=now))

    _widen_status_check(bind)
    op.add_column("claims", sa.Column("under_review_since", sa.DateTime(), nullable=True))
    op.add_column("claims", sa.Column("article_changed_at", sa.DateTime(), nullable=True))
    op.create_index("ix_claims_published_at", "claims", ["published_at"])
    op.add_column("api_tokens", sa.Column("issued_via", sa.String(length=10), nullable=False,
                                          server_default=sa.text("'app'")))

    _append_only("publications", on=False)
    for column in (
            sa.Column("quote", sa.Text(), nullable=False, server_default=""),
            sa.Column("prefix", sa.String(length=64), nullable=False, server_default=""),
            sa.Column("suffix", sa.String(length=64), nullable=False, server_default=""),
            sa.Column("claimant", sa.String(length=300), nullable=False, server_default=""),
            sa.Column("claimed_at", sa.Date(), nullable=True),
            sa.Column("article_title", sa.String(length=500), nullable=False, server_default=""),
            sa.Column("article_url", sa.String(length=2000), nullable=True),
            sa.Column("article_publisher", sa.String(length=300), nullable=True),
            sa.Column("article_author", sa.String(length=500), nullable=True),
            sa.Column("article_published_at", sa.Date(), nullable=True),
            sa.Column("scale_best", sa.SmallInteger(), nullable=True),
            sa.Column("scale_worst", sa.SmallInteger(), nullable=True),
            sa.Column("rationale_text", sa.Text(), nullable=False, server_default=""),
            sa.Column("evidence", sa.JSON(), nullable=False, server_default="[]"),
            sa.Column("rebuilt_from", sa.String(length=10), nullable=True)):
        op.add_column("publications", column)
    # The foreign key needs SQLite's copy-and-move (nothing references publications yet, and its
    # append-only triggers are off meanwhile). Reflecting the table also reflects users, whose
    # expression index SQLAlchemy cannot reflect: that warning is expected here and only here.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index",
                                category=sa.exc.SAWarning)
        with op.batch_alter_table("publications") as batch:
            batch.add_column(sa.Column("rating_version_id", sa.Integer(), nullable=True))
            batch.create_foreign_key("fk_publications_rating_version_id_rating_versions", "rating_versions",
                                     ["rating_version_id"], ["id"], ondelete="RESTRICT")
    op.create_table(
        "publication_tags",
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(["publication_id"], ["publications.id"],
                                name="fk_publication_tags_publication_id_publications", ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("publication_id", "tag", name="pk_publication_tags"),
    )
    op.create_index("ix_publication_tags_tag", "publication_tags", ["tag", "publication_id"])
    op.create_table(
        "withdrawals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=False),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], name="fk_withdrawals_claim_id_claims",
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["publication_id"], ["publications.id"],
                                name="fk_withdrawals_publication_id_publications", ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["withdrawn_by_id"], ["users.id"], name="fk_withdrawals_withdrawn_by_id_users",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_withdrawals"),
    )
    op.create_index("ix_withdrawals_claim", "withdrawals", ["claim_id", "id"])
    op.create_index("ix_withdrawals_at", "withdrawals", ["withdrawn_at"])
    op.create_index("ix_withdrawals_publication", "withdrawals", ["publication_id"])

    from_history, from_claim = _rebuild_publications(bind)
    log.info("publications rebuilt: %d from the claims' history, %d from the claims as they are "
             "(publications.rebuilt_from says which)", from_history, from_claim)
    for table in APPEND_ONLY:
        _append_only(table, on=True)


def downgrade():
    for table in APPEND_ONLY:
        _append_only(table, on=False)
    op.drop_index("ix_withdrawals_publication", table_name="withdrawals")
    op.drop_index("ix_withdrawals_at", table_name="withdrawals")
    op.drop_index("ix_withdrawals_claim", table_name="withdrawals")
    op.drop_table("withdrawals")
    op.drop_index("ix_publication_tags_tag", table_name="publication_tags")
    op.drop_table("publication_tags")
    with op.batch_alter_table("publications") as batch:
        batch.drop_constraint("fk_publications_rating_version_id_rating_versions", type_="foreignkey")
        for column in ("quote", "prefix", "suffix", "claimant", "claimed_at", "article_title", "article_url",
                       "article_publisher", "article_author", "article_published_at", "rating_version_id",
                       "scale_best", "scale_worst", "evidence", "rebuilt_from"):
            batch.drop_column(column)
    _append_only("publications", on=True)
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("issued_via")
    op.drop_index("ix_claims_published_at", table_name="claims")
    # claims keeps its two new nullable columns and the wider CHECK on SQLite: dropping them would
    # rebuild the table (see the note above); on PostgreSQL both go.
    if op.get_bind().dialect.name != "sqlite":
        op.drop_column("claims", "article_changed_at")
        op.drop_column("claims", "under_review_since")
    op.drop_table("rating_versions")
    with op.batch_alter_table("ratings") as batch:
        batch.drop_column("version")
