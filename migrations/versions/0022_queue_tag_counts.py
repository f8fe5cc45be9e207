"""queue tag counts: a queue filtered by a tag at 100k claims without counting the tag's claims

- `queue_tag_counts`: claims per (tag, status, assignee, priority), kept by triggers on `claims` and
  `claim_tags` (factdesk/claims/queue_counts.py) and filled here from the existing claims' tags. The
  tabs and total of a queue filtered by a tag (with status, assignee and priority) sum it instead of
  counting every claim of the tag (a tenth of the desk for a common one) on every view.

Revision ID: 0022_queue_tag_counts
Revises: 0012_published_record
"""
import sqlalchemy as sa
from alembic import op

from factdesk.claims.queue_counts import create_tag_triggers, drop_tag_triggers, recount_tags

revision = "0022_queue_tag_counts"
down_revision = "0012_published_record"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "queue_tag_counts",
        sa.Column("tag", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tag", "status", "assignee_id", "priority", name=op.f("pk_queue_tag_counts")),
    )
    bind = op.get_bind()
    recount_tags(bind)
    create_tag_triggers(bind)


def downgrade():
    drop_tag_triggers(op.get_bind())
    op.drop_table("queue_tag_counts")
