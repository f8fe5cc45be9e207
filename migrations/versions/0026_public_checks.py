"""public checks: readers' listing, one row per check readers can see now, in the home's order

- `public_checks` (claim, the publication shown, its first publication date, the rating label as
  published) and `public_check_tags` (a tag of such a check, with the same date and publication),
  indexed in the home's order unfiltered, by rating and by tag, each index ending with the
  publication: any page of the home is one range of one index, with no probe per claim. Kept by claims/publishing.py when it publishes and withdraws; filled here from
  the publications readers see now (`relist_public_checks`, by the rule of `is_public()`).

Revision ID: 0026_public_checks
Revises: 0025_article_matches
"""
import sqlalchemy as sa
from alembic import op

from factdesk.claims.publishing import relist_public_checks
from factdesk.models import UTCDateTime

revision = "0026_public_checks"
down_revision = "0025_article_matches"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "public_checks",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("first_published_at", UTCDateTime(), nullable=False),
        sa.Column("rating_label", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], name=op.f("fk_public_checks_claim_id_claims"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["publication_id"], ["publications.id"],
                                name=op.f("fk_public_checks_publication_id_publications"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_public_checks")),
        sa.UniqueConstraint("publication_id", name=op.f("uq_public_checks_publication_id")),
    )
    op.create_index("ix_public_checks_newest", "public_checks", ["first_published_at", "claim_id", "publication_id"])
    op.create_index("ix_public_checks_rating", "public_checks", ["rating_label", "first_published_at", "claim_id",
                                                                    "publication_id"])
    op.create_table(
        "public_check_tags",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=60), nullable=False),
        sa.Column("first_published_at", UTCDateTime(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["public_checks.claim_id"],
                                name=op.f("fk_public_check_tags_claim_id_public_checks"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["publication_id"], ["publications.id"],
                                name=op.f("fk_public_check_tags_publication_id_publications"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("claim_id", "tag", name=op.f("pk_public_check_tags")),
    )
    op.create_index("ix_public_check_tags_newest", "public_check_tags", ["tag", "first_published_at", "claim_id",
                                                                           "publication_id"])
    relist_public_checks(op.get_bind(), tag_ratings=False)  # the tags' rating label came with 0029


def downgrade():
    op.drop_index("ix_public_check_tags_newest", table_name="public_check_tags")
    op.drop_table("public_check_tags")
    op.drop_index("ix_public_checks_rating", table_name="public_checks")
    op.drop_index("ix_public_checks_newest", table_name="public_checks")
    op.drop_table("public_checks")
