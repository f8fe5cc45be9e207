"""search pending lists on PostgreSQL: claims' search index written in place, articles' kept short

A GIN index by default queues new entries in a "pending list" that every search reads from end to
end until a vacuum (or 4 MB of them) merges it into the index. On a busy desk each edit of a claim's
wording queues its words, so desk and readers' search grew slower the longer people worked: after the
bench's writers, 137 pending pages (2,637 entries) of `ix_claims_search` cost each search's index
scan 0.6 ms for 57 matches, and desk search's SQL 3.9-4.1 ms a query against 3.5 ms once merged
(`flask bench --postgres --keep`'s desk, 400 of its queries in-process). A claim's words are a few
dozen entries, so writing them in place (`fastupdate = off`) costs an edit little. An article's are
thousands, so its indexes keep the list but merge it at 256 kB instead of 4 MB: an import stays one
batch, a search reads at most a sixteenth of what it could.

SQLite's FTS5 has no such list (it merges its segments as it writes): nothing to do there.

Revision ID: 0032_search_pending_lists
Revises: 0031_publication_rationale_html
"""
from alembic import op

revision = "0032_search_pending_lists"
down_revision = "0031_publication_rationale_html"
branch_labels = None
depends_on = None

CLAIM_INDEX = "ix_claims_search"
ARTICLE_INDEXES = ("ix_articles_search", "ix_articles_search_title")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER INDEX {CLAIM_INDEX} SET (fastupdate = off)")
    for name in ARTICLE_INDEXES:
        op.execute(f"ALTER INDEX {name} SET (gin_pending_list_limit = 256)")
    for name in (CLAIM_INDEX, *ARTICLE_INDEXES):  # what is queued now, merged once
        op.execute(f"SELECT gin_clean_pending_list('{name}'::regclass)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER INDEX {CLAIM_INDEX} RESET (fastupdate)")
    for name in ARTICLE_INDEXES:
        op.execute(f"ALTER INDEX {name} RESET (gin_pending_list_limit)")
