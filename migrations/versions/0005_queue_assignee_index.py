"""queue assignee index: "My work" and assignee filters page from a covering index at 100k claims

ix_claims_assignee_status (assignee_id, status) finds a person's claims but holds no sort column,
so every sort of "My work" read each of their claims' full rows (quote, rationale) before keeping
50. This index carries the sort columns too, so the page's ids come from the index alone.

Revision ID: 0005_queue_assignee_index
Revises: 0004_session_epoch
"""
from alembic import op

revision = "0005_queue_assignee_index"
down_revision = "0004_session_epoch"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_claims_assignee_queue", "claims",
                    ["assignee_id", "status", "priority", "created_at", "updated_at", "due"])


def downgrade():
    op.drop_index("ix_claims_assignee_queue", table_name="claims")
