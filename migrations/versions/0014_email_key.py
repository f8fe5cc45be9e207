"""email key: e-mail addresses are one person in any case, Unicode letters included

SQLite's lower() folds ASCII only, so the unique index on lower(email) let `élodie@…` be created
beside `Élodie@…`, and a login typed in the other case never found the account. Each user now keeps
`email_key` (the address in NFC, then Unicode case folding, as factdesk.models.email_key computes it),
unique; logins and @mentions look it up.

Existing accounts get their key here. Two accounts whose addresses fold to the same key cannot both
keep it: the upgrade stops, changes nothing, and names them, so an admin can rename or merge one first.

Plain ADD COLUMN with a default, then the fill (no batch copy of `users`: on SQLite that would drop
and re-create the table that api_tokens, claims and history point at).

Revision ID: 0014_email_key
Revises: 0017_monitoring
"""
import unicodedata
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0014_email_key"
down_revision = "0017_monitoring"
branch_labels = None
depends_on = None


def _key(email: str) -> str:
    # Frozen copy of factdesk.models.email_key at this revision.
    return unicodedata.normalize("NFC", (email or "").strip()).casefold()


class EmailCollision(RuntimeError):
    """Existing accounts whose addresses are the same once case is ignored."""


def upgrade():
    bind = op.get_bind()
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("email", sa.String),
                     sa.column("email_key", sa.String))
    rows = bind.execute(sa.select(users.c.id, users.c.email).order_by(users.c.id)).all()
    by_key = defaultdict(list)
    for user_id, email in rows:
        by_key[_key(email)].append((user_id, email))
    clashes = [found for found in by_key.values() if len(found) > 1]
    if clashes:
        listed = "; ".join(" and ".join(f"user {user_id} <{email}>" for user_id, email in found) for found in clashes)
        raise EmailCollision(
            f"These accounts have the same e-mail address once case is ignored: {listed}. "
            "Give one of each group another address (or deactivate and rename it), then run `db upgrade` again. "
            "Nothing was changed.")
    op.add_column("users", sa.Column("email_key", sa.String(254), nullable=False, server_default=""))
    for user_id, email in rows:
        bind.execute(users.update().where(users.c.id == user_id).values(email_key=_key(email)))
    if bind.dialect.name != "sqlite":
        op.alter_column("users", "email_key", server_default=None)
    op.drop_index("uq_users_email_lower", table_name="users")
    op.create_index("uq_users_email_key", "users", ["email_key"], unique=True)


def downgrade():
    op.drop_index("uq_users_email_key", table_name="users")
    op.create_index("uq_users_email_lower", "users", [sa.text("lower(email)")], unique=True)
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email_key")
