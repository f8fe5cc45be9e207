"""claim vectors: each claim's sentence-embedding vector, for "checked before?" nearest in meaning

A new table only; existing claims get their vectors from the `claims.vectors` job (the worker's
schedule) once the `semantic` extra is installed, so nothing is computed inside the migration.

Revision ID: 0021_claim_vectors
Revises: 0013_queue_counts
"""
import sqlalchemy as sa
from alembic import op

import factdesk.models

revision = "0021_claim_vectors"
down_revision = "0013_queue_counts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "claim_vectors",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", factdesk.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], name=op.f("fk_claim_vectors_claim_id_claims"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_claim_vectors")),
    )


def downgrade():
    op.drop_table("claim_vectors")
