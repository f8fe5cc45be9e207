"""claim tags carry their claim's queue keys: a queue filtered by a tag walks the tag's own index

A queue filtered by a tag walked the claims' sort index and probed the tag for each claim walked;
PostgreSQL made each walk a hash join over every claim_tags entry of the tag (8,150 for a common one
at 100,000 claims), once per state asked for and twice for sort=due: 20-28 ms of SQL for
`/desk?status=new,researching&sort=-due&tag=technology&page=3` on the bench's kept desk.

- `claim_tags` gains the claim's status, assignee, priority, due date, created and updated times,
  copied here from the claims and from now on by triggers (factdesk/claims/queue_counts.py
  `create_key_triggers`): a new tag takes its claim's keys, a change of a claim's keys reaches each
  of its tags, in the same transaction as whatever writes them.
- Indexes in each of the queue's orders under (tag, status), so a tagged walk is one index range that
  stops at the page's end (factdesk/claims/queue.py `_page_keys`).
- The trigger that counts a tag's row again (`queue_tag_counts`) fires only when its claim or tag
  changes, not when keys are copied onto it.

SQLite's batch migrations rebuild a table to alter it, which drops its triggers: a migration that
rebuilds `claims` or `claim_tags` calls `create_key_triggers()` again afterwards, as it does for the
count and full-text triggers.

Revision ID: 0033_claim_tags_queue_keys
Revises: 0032_search_pending_lists
"""
import sqlalchemy as sa
from alembic import op

from factdesk.claims.queue_counts import (copy_keys, create_key_triggers, create_tag_triggers, drop_key_triggers,
                                          drop_tag_triggers)
from factdesk.models import UTCDateTime

revision = "0033_claim_tags_queue_keys"
down_revision = "0032_search_pending_lists"
branch_labels = None
depends_on = None

COLUMNS = (("status", sa.String(length=32)), ("assignee_id", sa.Integer()), ("priority", sa.SmallInteger()),
           ("due", sa.Date()), ("created_at", UTCDateTime()), ("updated_at", UTCDateTime()))
INDEXES = {
    "ix_claim_tags_queue_priority": ["tag", "status", sa.text("priority DESC"), "created_at", "claim_id"],
    "ix_claim_tags_queue_due": ["tag", "status", "due", sa.text("priority DESC"), "created_at", "claim_id"],
    "ix_claim_tags_queue_created": ["tag", "status", "created_at", "claim_id"],
    "ix_claim_tags_queue_updated": ["tag", "status", "updated_at", "claim_id"],
}


def upgrade():
    bind = op.get_bind()
    for name, type_ in COLUMNS:
        op.add_column("claim_tags", sa.Column(name, type_, nullable=True))
    drop_tag_triggers(bind)
    create_tag_triggers(bind)  # counting again only on a change of claim or tag
    copy_keys(bind)
    create_key_triggers(bind)
    for name, columns in INDEXES.items():
        op.create_index(name, "claim_tags", columns)


def downgrade():
    bind = op.get_bind()
    for name in INDEXES:
        op.drop_index(name, table_name="claim_tags")
    drop_key_triggers(bind)
    drop_tag_triggers(bind)
    with op.batch_alter_table("claim_tags") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
    create_tag_triggers(bind)  # a rebuilt table has lost its triggers
