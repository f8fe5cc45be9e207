"""full-text search: FTS5 tables kept by triggers on SQLite, expression GIN indexes on PostgreSQL

Both serve factdesk/search.py (one interface). On SQLite the FTS5 tables use the real tables as
external content, so nothing is stored twice; triggers keep them in step inside the writing
transaction, so a new or edited claim is findable at once. On PostgreSQL the GIN indexes are over
the same `to_tsvector` expressions search.py queries, and are always current.

Caution for later migrations on SQLite: a batch ("move and copy") alteration of `claims` or
`articles` drops their triggers; recreate them with `create_sqlite_triggers()` afterwards.

Revision ID: 0002_full_text_search
Revises: 0001
"""
from alembic import op

revision = "0002_full_text_search"
down_revision = "0001"
branch_labels = None
depends_on = None

# Kept identical to factdesk.search (CLAIM_DOCUMENT / ARTICLE_DOCUMENT): the planner only uses an
# expression index when the query repeats the expression exactly.
PG_CLAIM_DOCUMENT = ("to_tsvector('english'::regconfig, coalesce(quote, '') || ' ' || coalesce(summary, '') || ' ' "
                     "|| coalesce(claimant, '') || ' ' || coalesce(rationale, ''))")
PG_ARTICLE_TITLE = "to_tsvector('english'::regconfig, coalesce(title, ''))"
PG_ARTICLE_DOCUMENT = "to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || coalesce(text, ''))"

CLAIM_COLUMNS = ("quote", "summary", "claimant", "rationale")
TOKENIZE = "porter unicode61 remove_diacritics 2"


def _sqlite_triggers(table: str, fts: str, columns: tuple[str, ...]) -> list[str]:
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    return [
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); END",
        # Only when an indexed column changes: counters and status updates leave the index alone.
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {cols} ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END",
    ]


def create_sqlite_triggers() -> None:
    for statement in (_sqlite_triggers("claims", "claims_fts", CLAIM_COLUMNS)
                      + _sqlite_triggers("articles", "articles_fts", ("title", "text"))):
        op.execute(statement)


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(f"CREATE VIRTUAL TABLE claims_fts USING fts5({', '.join(CLAIM_COLUMNS)}, "
                   f"content='claims', content_rowid='id', tokenize='{TOKENIZE}')")
        op.execute(f"CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, "
                   f"content='articles', content_rowid='id', tokenize='{TOKENIZE}')")
        create_sqlite_triggers()
        op.execute("INSERT INTO claims_fts(claims_fts) VALUES ('rebuild')")
        op.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")
    elif dialect == "postgresql":
        op.execute(f"CREATE INDEX ix_claims_search ON claims USING gin ({PG_CLAIM_DOCUMENT})")
        op.execute(f"CREATE INDEX ix_articles_search_title ON articles USING gin ({PG_ARTICLE_TITLE})")
        op.execute(f"CREATE INDEX ix_articles_search ON articles USING gin ({PG_ARTICLE_DOCUMENT})")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for fts in ("claims_fts", "articles_fts"):
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
    elif dialect == "postgresql":
        for name in ("ix_claims_search", "ix_articles_search_title", "ix_articles_search"):
            op.execute(f"DROP INDEX IF EXISTS {name}")
