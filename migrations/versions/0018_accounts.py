"""accounts: two-factor sign-in, recovery codes, e-mailed links, the audit log, token expiry, mail choice

- users gain a TOTP secret (with the last accepted time step, against replayed codes), the person's
  choice of notification e-mail (`instant` for everyone already here) and when their last digest went;
- recovery_codes: ten one-time codes per person, stored as hashes;
- account_links: single-use expiring links (invitation, password reset, e-mail change), stored as hashes;
- audit_log: account and admin events, append-only in the database too (triggers refuse UPDATE and
  DELETE, as for claim_history);
- api_tokens.expires_at: an optional end.

Plain ADD COLUMN on users and api_tokens (no batch copy), so existing rows and the tables' foreign
keys are kept as they are; existing people get `instant` mail and no second factor.

Revision ID: 0018_accounts
Revises: 0014_email_key
"""
import sqlalchemy as sa
from alembic import op

import factdesk.models

revision = "0018_accounts"
down_revision = "0014_email_key"
branch_labels = None
depends_on = None

APPEND_ONLY = "audit_log"


def upgrade():
    op.create_table('account_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('invitation', 'password_reset', 'email_change', name='link_purpose', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('new_email', sa.String(length=254), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', factdesk.models.UTCDateTime(), nullable=False),
    sa.Column('expires_at', factdesk.models.UTCDateTime(), nullable=False),
    sa.Column('used_at', factdesk.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_account_links_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_links_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_account_links_token_hash'))
    )
    with op.batch_alter_table('account_links', schema=None) as batch_op:
        batch_op.create_index('ix_account_links_user', ['user_id', 'purpose'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', factdesk.models.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_log_actor_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['person_id'], ['users.id'], name=op.f('fk_audit_log_person_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)
        batch_op.create_index('ix_audit_log_at', ['at'], unique=False)
        batch_op.create_index('ix_audit_log_person', ['person_id', 'id'], unique=False)

    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', factdesk.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes'))
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)

    op.add_column('api_tokens', sa.Column('expires_at', factdesk.models.UTCDateTime(), nullable=True))

    op.add_column('users', sa.Column('totp_secret', sa.String(length=64), nullable=True))
    op.add_column('users', sa.Column('totp_enabled_at', factdesk.models.UTCDateTime(), nullable=True))
    op.add_column('users', sa.Column('totp_last_step', sa.Integer(), nullable=True))
    op.add_column('users', sa.Column('notify_email', sa.String(length=32), server_default='instant', nullable=False))
    # SQLite cannot add a CHECK to an existing table without copying it; the model validates there.
    if op.get_bind().dialect.name != "sqlite":
        op.create_check_constraint("ck_users_notify_email", "users", "notify_email IN ('instant', 'digest', 'never')")
    op.add_column('users', sa.Column('digest_sent_at', factdesk.models.UTCDateTime(), nullable=True))

    # The audit log is append-only in the database too, whatever code runs against it.
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {APPEND_ONLY}_no_{verb.lower()} BEFORE {verb} ON {APPEND_ONLY} "
                       f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY} is append-only'); END")
    else:
        # factdesk_append_only() is the function of 0001's claim_history triggers.
        op.execute(f"CREATE TRIGGER {APPEND_ONLY}_append_only BEFORE UPDATE OR DELETE ON {APPEND_ONLY} "
                   "FOR EACH ROW EXECUTE FUNCTION factdesk_append_only()")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {APPEND_ONLY}_no_{verb}")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {APPEND_ONLY}_append_only ON {APPEND_ONLY}")

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('digest_sent_at')
        batch_op.drop_column('notify_email')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret')

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')

    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_codes_user_id'))

    op.drop_table('recovery_codes')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_person')
        batch_op.drop_index('ix_audit_log_at')
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))

    op.drop_table('audit_log')
    with op.batch_alter_table('account_links', schema=None) as batch_op:
        batch_op.drop_index('ix_account_links_user')

    op.drop_table('account_links')
