"""article matches ranked and counted in one pass on PostgreSQL

Desk search needs a page of the best articles matching a query and how many match. Migration 0025
answered them in two functions, each through the GIN index, and each read every matching article's
row (its stored vector, kept out of line): the count as much as the ranking, as GIN cannot count
from the index alone. `article_matches_counted(q, k)` ranks the matches once into a materialised
CTE and gives the best `k` with the number of matches beside each row (no row when none match),
declared `SET enable_seqscan = off` as 0025's were, for the same reason. 0025's functions are
dropped (nothing calls them); downgrading brings them back. SQLite is unchanged.

Revision ID: 0027_article_matches_counted
Revises: 0026_public_checks
"""
from alembic import op

revision = "0027_article_matches_counted"
down_revision = "0026_public_checks"
branch_labels = None
depends_on = None

COUNTED = ("article_matches_counted", "q tsquery, k integer",
           "RETURNS TABLE (id integer, rank real, total bigint) LANGUAGE sql STABLE SET enable_seqscan = off AS $$ "
           "WITH matches AS MATERIALIZED (SELECT articles.id, -ts_rank(articles.search_vector, q) AS rank "
           "FROM articles WHERE articles.search_vector @@ q) "
           "SELECT matches.id, matches.rank, (SELECT count(*) FROM matches) FROM matches ORDER BY 2, 1 LIMIT k $$")
# As migration 0025 made them.
SEPARATE = (
    ("article_matches", "q tsquery, k integer",
     "RETURNS TABLE (id integer, rank real) LANGUAGE sql STABLE SET enable_seqscan = off AS $$ "
     "SELECT articles.id, -ts_rank(articles.search_vector, q) FROM articles "
     "WHERE articles.search_vector @@ q ORDER BY 2, 1 LIMIT k $$"),
    ("article_match_count", "q tsquery",
     "RETURNS bigint LANGUAGE sql STABLE SET enable_seqscan = off AS $$ "
     "SELECT count(*) FROM articles WHERE articles.search_vector @@ q $$"),
)


def _create(name, arguments, rest):
    op.execute(f"CREATE FUNCTION {name}({arguments}) {rest}")


def _drop(name, arguments, _):
    types = ", ".join(argument.split()[1] for argument in arguments.split(", "))
    op.execute(f"DROP FUNCTION {name}({types})")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    _create(*COUNTED)
    for function in SEPARATE:
        _drop(*function)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for function in SEPARATE:
        _create(*function)
    _drop(*COUNTED)
