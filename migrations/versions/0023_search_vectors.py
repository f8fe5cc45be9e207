"""search vectors on PostgreSQL: stored tsvector columns for the desk's full-text search

The GIN indexes of migration 0002 were over `to_tsvector(...)` expressions, so ranking a match
(`ts_rank`) computed the claim's or article's tsvector again for every matching row: a common word's
thousands of matches were parsed again on every search. Each document is now a generated, stored
column (`claims.search_vector`; `articles.search_vector` and `articles.title_vector`), computed by
PostgreSQL on every write, with the GIN indexes (same names) over the columns; factdesk/search.py
matches and ranks on the columns. The columns are filled from the rows as they are when added.
SQLite keeps its FTS5 tables (migration 0002): nothing changes there.

Revision ID: 0023_search_vectors
Revises: 0022_queue_tag_counts
"""
from alembic import op

revision = "0023_search_vectors"
down_revision = "0022_queue_tag_counts"
branch_labels = None
depends_on = None

# The documents of migration 0002, now stored.
CLAIM_DOCUMENT = ("to_tsvector('english'::regconfig, coalesce(quote, '') || ' ' || coalesce(summary, '') || ' ' "
                  "|| coalesce(claimant, '') || ' ' || coalesce(rationale, ''))")
ARTICLE_TITLE = "to_tsvector('english'::regconfig, coalesce(title, ''))"
ARTICLE_DOCUMENT = "to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || coalesce(text, ''))"
COLUMNS = (("claims", "search_vector", CLAIM_DOCUMENT, "ix_claims_search"),
           ("articles", "title_vector", ARTICLE_TITLE, "ix_articles_search_title"),
           ("articles", "search_vector", ARTICLE_DOCUMENT, "ix_articles_search"))


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, document, index in COLUMNS:
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} tsvector GENERATED ALWAYS AS ({document}) STORED")
        op.execute(f"DROP INDEX IF EXISTS {index}")
        op.execute(f"CREATE INDEX {index} ON {table} USING gin ({column})")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, document, index in COLUMNS:
        op.execute(f"DROP INDEX IF EXISTS {index}")
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        op.execute(f"CREATE INDEX {index} ON {table} USING gin ({document})")
