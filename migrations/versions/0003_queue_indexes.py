"""queue indexes: every sort of the review queue walks an index, filters count from covering indexes

Measured on a desk of 100,000 claims (factdesk.bench.generate.fill_desk) with EXPLAIN QUERY PLAN:
without these, sorting the unfiltered queue by last change, age or priority, and the overdue
filter (page, count and tab counts), sorted wide rows in a temporary B-tree (25–210 ms); with them
SQLite walks an index and stops after a page (≤ 5 ms).

- ix_claims_updated (updated_at): sort=updated without a status filter.
- ix_claims_created (created_at): sort=age without a status filter.
- ix_claims_priority_created (priority, created_at): sort=priority without a status filter.
- ix_claims_status_due (status, due, priority): sort=due within states; covering for due filters.
- ix_claims_due_status (due, status, priority): overdue (due < today, open states), covering.

Plain CREATE INDEX (no batch copy), so the full-text triggers of 0002 on `claims` stay in place.

Revision ID: 0003_queue_indexes
Revises: 0002_full_text_search
"""
from alembic import op

revision = "0003_queue_indexes"
down_revision = "0002_full_text_search"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_claims_updated", ["updated_at"]),
    ("ix_claims_created", ["created_at"]),
    ("ix_claims_priority_created", ["priority", "created_at"]),
    ("ix_claims_status_due", ["status", "due", "priority"]),
    ("ix_claims_due_status", ["due", "status", "priority"]),
]


def upgrade():
    for name, columns in INDEXES:
        op.create_index(name, "claims", columns)


def downgrade():
    for name, _ in reversed(INDEXES):
        op.drop_index(name, table_name="claims")
