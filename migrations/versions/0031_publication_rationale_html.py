"""publication rationale HTML: a publication's rationale rendered and sanitised once, when it is published

A publication never changes (DESIGN.md §13), yet its check page rendered the rationale's Markdown and
sanitised the HTML on every first view: markdown-it and nh3 were about a sixth of the page's own work
at 100,000 claims. Publishing now stores the safe HTML beside the Markdown (as it stores the plain
text for search: claims/publishing.py).

Rows published before this migration keep NULL and are rendered when read (public/reading.py
`rationale_shown`): publications are append-only (the triggers of migration 0012 refuse UPDATE), and
filling the column would mean lifting that guard over the published record. Only the column is added.

Revision ID: 0031_publication_rationale_html
Revises: 0030_drop_article_function
"""
import sqlalchemy as sa
from alembic import op

revision = "0031_publication_rationale_html"
down_revision = "0030_drop_article_function"
branch_labels = None
depends_on = None


# ALTER TABLE in place on both databases (SQLite 3.35+ drops a column): a batch operation would copy
# the table on SQLite, dropping its append-only triggers with it.
def upgrade():
    op.add_column("publications", sa.Column("rationale_html", sa.Text(), nullable=True))


def downgrade():
    op.execute("ALTER TABLE publications DROP COLUMN rationale_html")
