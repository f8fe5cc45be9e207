"""article vectors in line on PostgreSQL: ranking an article's match reads its own heap page

Desk search ranks every article matching a query (`ts_rank` needs the positions of the query's
words, and the order is by rank), so it reads each matching article's stored tsvector (migration
0023). A vector is about 4 KB and does not compress (pglz gives up on 99 % of them), so under the
default EXTENDED storage it was moved out of line: each match was a TOAST index lookup and two or
three chunk reads. `STORAGE MAIN` keeps a column in the row unless the row cannot fit a page at all
(the article's text, EXTENDED, is moved out first), so a match is the one heap page the bitmap scan
reads anyway: over the bench's first 300 queries at 100,000 claims, 992 -> 458 buffers and 3.3 ->
1.9 ms per query for `article_matches_counted` (migration 0027). A vector too large for a page is
still stored out of line. SET STORAGE changes only later writes, so every article's vector is
computed again by an update of each row (`SET title = title`: PostgreSQL computes the stored
columns again; `SET search_vector = DEFAULT` left the old out-of-line value in place). SQLite is
unchanged.

Revision ID: 0028_article_vectors_inline
Revises: 0027_article_matches_counted
"""
from alembic import op

revision = "0028_article_vectors_inline"
down_revision = "0027_article_matches_counted"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE articles ALTER COLUMN search_vector SET STORAGE MAIN")
    op.execute("UPDATE articles SET title = title")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE articles ALTER COLUMN search_vector SET STORAGE EXTENDED")
    op.execute("UPDATE articles SET title = title")
