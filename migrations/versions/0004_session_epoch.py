"""session epoch: logging out ends the session everywhere, even for a copied cookie

Flask sessions live in a signed cookie, so without a server-side mark a copy of a logged-in cookie
would outlive the logout. Each person has a `session_epoch`; a session is valid only while it names
the current epoch, and logging out (or being deactivated) moves the epoch on.

Plain ADD COLUMN (no batch copy): SQLite and PostgreSQL both add a NOT NULL column with a default.

Revision ID: 0004_session_epoch
Revises: 0003_queue_indexes
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_session_epoch"
down_revision = "0003_queue_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("session_epoch", sa.Integer(), nullable=False, server_default=sa.text("0")))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_epoch")
