"""desk search ranks PostgreSQL's article matches in its own statement: drop article_matches_counted

Migration 0027's function ranked and counted the articles' matches in a SQL function declared
`SET enable_seqscan = off` (the planner, counting the out-of-line vectors as free, preferred a
sequential scan). A SQL function with SET is never inlined, so its body was planned again on every
call, and the whole desk statement, whose plan depended on the query's words, was planned on every
search. Desk search now names the query once as a scalar subquery (factdesk/search.py
`_tsquery_once`): the plan no longer sees the words, GIN's default estimate picks the index for
every query, and a connection keeps one plan for the statement. Nothing calls the function;
downgrading brings it back. SQLite is unchanged.

Revision ID: 0030_drop_article_function
Revises: 0029_public_check_tags_rating
"""
from alembic import op

revision = "0030_drop_article_function"
down_revision = "0029_public_check_tags_rating"
branch_labels = None
depends_on = None

# As migration 0027 made it (a migration is a snapshot: it does not import another's code).
COUNTED = ("CREATE FUNCTION article_matches_counted(q tsquery, k integer) "
           "RETURNS TABLE (id integer, rank real, total bigint) LANGUAGE sql STABLE SET enable_seqscan = off AS $$ "
           "WITH matches AS MATERIALIZED (SELECT articles.id, -ts_rank(articles.search_vector, q) AS rank "
           "FROM articles WHERE articles.search_vector @@ q) "
           "SELECT matches.id, matches.rank, (SELECT count(*) FROM matches) FROM matches ORDER BY 2, 1 LIMIT k $$")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION article_matches_counted(tsquery, integer)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(COUNTED)
