"""readers' listing: a tag's rows carry the check's rating label as published, indexed by tag and label

A home page filtered by a rating and a tag (the home's form sets both) walked the tag's rows in the
home's order and probed each check's row for its rating (SQLite) or hash-joined the whole tag's
rows with the whole rating's (PostgreSQL: 4-8 ms at 20,000 claims, growing with the desk). With the
label beside the tag, such a page is one range of `ix_public_check_tags_rating`, as every other
filter is. Kept by claims/publishing.py with the rest of the listing; filled here from
`public_checks`.

Revision ID: 0029_public_check_tags_rating
Revises: 0028_article_vectors_inline
"""
import sqlalchemy as sa
from alembic import op

revision = "0029_public_check_tags_rating"
down_revision = "0028_article_vectors_inline"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("public_check_tags") as batch:
        batch.add_column(sa.Column("rating_label", sa.String(length=40), nullable=True))
    op.execute("UPDATE public_check_tags SET rating_label = (SELECT public_checks.rating_label FROM public_checks "
               "WHERE public_checks.claim_id = public_check_tags.claim_id)")
    op.create_index("ix_public_check_tags_rating", "public_check_tags",
                    ["tag", "rating_label", "first_published_at", "claim_id", "publication_id"])


def downgrade():
    op.drop_index("ix_public_check_tags_rating", table_name="public_check_tags")
    with op.batch_alter_table("public_check_tags") as batch:
        batch.drop_column("rating_label")
