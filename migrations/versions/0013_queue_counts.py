"""queue counts and ordered queue indexes: first views of the queue at 100k claims without counting rows

- `queue_counts`: claims per (status, assignee, priority), kept by triggers on `claims`
  (factdesk/claims/queue_counts.py) and filled here from the existing claims. The tabs, the total and
  "My work" of a queue filtered by status, assignee and priority sum it instead of counting up to
  100,000 rows on every view.
- Indexes in the queue's own order: "most urgent first, then oldest" is `priority DESC, created_at
  ASC`, which an index on (priority, created_at) can only give by sorting every matching row; these
  hold priority descending, so a page of 50 is read straight from the index; the same for sort=due
  (soonest first, then most urgent, then oldest; undated claims walked apart).

Revision ID: 0013_queue_counts
Revises: 0018_accounts
"""
import sqlalchemy as sa
from alembic import op

from factdesk.claims.queue_counts import create_triggers, drop_triggers, recount

revision = "0013_queue_counts"
down_revision = "0018_accounts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "queue_counts",
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("status", "assignee_id", "priority", name=op.f("pk_queue_counts")),
    )
    bind = op.get_bind()
    recount(bind)
    create_triggers(bind)
    op.create_index("ix_claims_queue_priority", "claims", ["status", sa.text("priority DESC"), "created_at", "id"])
    op.create_index("ix_claims_queue_priority_all", "claims", [sa.text("priority DESC"), "created_at", "id"])
    op.create_index("ix_claims_status_created", "claims", ["status", "created_at", "id"])
    op.create_index("ix_claims_queue_due", "claims", ["status", "due", sa.text("priority DESC"), "created_at", "id"])
    op.create_index("ix_claims_queue_due_all", "claims", ["due", sa.text("priority DESC"), "created_at", "id"])


def downgrade():
    op.drop_index("ix_claims_queue_due_all", table_name="claims")
    op.drop_index("ix_claims_queue_due", table_name="claims")
    op.drop_index("ix_claims_status_created", table_name="claims")
    op.drop_index("ix_claims_queue_priority_all", table_name="claims")
    op.drop_index("ix_claims_queue_priority", table_name="claims")
    drop_triggers(op.get_bind())
    op.drop_table("queue_counts")
