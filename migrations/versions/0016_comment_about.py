"""comment about: a comment may point at words of the claim's quote

Two nullable columns on comments: the words (as the writer chose them) and where they began in the
quote then. Existing comments point at nothing and keep every value they had.

Revision ID: 0016_comment_about
Revises: 0021_claim_vectors
"""
import sqlalchemy as sa
from alembic import op

revision = "0016_comment_about"
down_revision = "0021_claim_vectors"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("comments", sa.Column("about_words", sa.Text(), nullable=True))
    op.add_column("comments", sa.Column("about_start", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("about_start")
        batch.drop_column("about_words")
