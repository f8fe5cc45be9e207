"""article matches on PostgreSQL through the GIN index, in functions that say so

An article's stored tsvector (migration 0023) is a few kilobytes, kept out of line (TOAST), which the
planner counts as free to read: over a few thousand articles it finds a sequential scan as cheap as
the GIN index and then decompresses every article's vector to test `@@` (28 ms at 2,000 articles
where the index answers in 0.6 ms). Counting and ranking the articles matching a query run in two
SQL functions declared `SET enable_seqscan = off`, which holds only while they run; the rest of a
request is planned as before. factdesk/search.py calls them. SQLite is unchanged.

Revision ID: 0025_article_matches
Revises: 0023_search_vectors
"""
from alembic import op

revision = "0025_article_matches"
down_revision = "0023_search_vectors"
branch_labels = None
depends_on = None

# name, arguments, the rest of CREATE FUNCTION
FUNCTIONS = (
    ("article_matches", "q tsquery, k integer",
     "RETURNS TABLE (id integer, rank real) LANGUAGE sql STABLE SET enable_seqscan = off AS $$ "
     "SELECT articles.id, -ts_rank(articles.search_vector, q) FROM articles "
     "WHERE articles.search_vector @@ q ORDER BY 2, 1 LIMIT k $$"),
    ("article_match_count", "q tsquery",
     "RETURNS bigint LANGUAGE sql STABLE SET enable_seqscan = off AS $$ "
     "SELECT count(*) FROM articles WHERE articles.search_vector @@ q $$"),
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, arguments, rest in FUNCTIONS:
        op.execute(f"CREATE FUNCTION {name}({arguments}) {rest}")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, arguments, _ in FUNCTIONS:
        types = ", ".join(argument.split()[1] for argument in arguments.split(", "))
        op.execute(f"DROP FUNCTION {name}({types})")
