"""article matches ranked with a plan kept per connection on PostgreSQL

`article_matches_counted(q, k)` (migration 0027) was a SQL-language function declared
`SET enable_seqscan = off`; PostgreSQL cannot inline such a function and plans its query again on every
call. Written in PL/pgSQL, its query's plan is kept by the connection (a generic plan after the first
calls: the GIN index, as the SET still asks) and each call only runs it. Over the bench's first 300 desk
search queries on a 100,000-claim desk: 1.50 -> 0.94 ms per call on average (p50 0.94 -> 0.46 ms). Same
query, same rows, same signature; SQLite is unchanged.

Revision ID: 0030_article_matches_plan_kept
Revises: 0029_public_check_tags_rating
"""
from alembic import op

revision = "0030_article_matches_plan_kept"
down_revision = "0029_public_check_tags_rating"
branch_labels = None
depends_on = None

SIGNATURE = ("CREATE OR REPLACE FUNCTION article_matches_counted(q tsquery, k integer) "
             "RETURNS TABLE (id integer, rank real, total bigint) ")
QUERY = ("WITH matches AS MATERIALIZED (SELECT articles.id, -ts_rank(articles.search_vector, q) AS rank "
         "FROM articles WHERE articles.search_vector @@ q) "
         "SELECT matches.id, matches.rank, (SELECT count(*) FROM matches) FROM matches ORDER BY 2, 1 LIMIT k")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(SIGNATURE + "LANGUAGE plpgsql STABLE SET enable_seqscan = off AS $$ BEGIN RETURN QUERY "
               + QUERY + "; END $$")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(SIGNATURE + "LANGUAGE sql STABLE SET enable_seqscan = off AS $$ " + QUERY + " $$")
