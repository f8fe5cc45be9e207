"""job queue: the outbox and record of background work (DESIGN.md §16)

A job is written here in the transaction of the request that causes it and handed to the queue
after commit; the worker marks it running, done or failed, so a job whose worker died is found and
run again. New table only: no existing data to carry over.

Revision ID: 0017_job_queue
Revises: 0005_queue_assignee_index
"""
import sqlalchemy as sa
from alembic import op

revision = "0017_job_queue"
down_revision = "0005_queue_assignee_index"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.Enum("waiting", "running", "done", "failed", name="job_state", native_enum=False,
                                   create_constraint=True, length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("key", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("run_after", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("worker", sa.String(length=120), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("key", name=op.f("uq_jobs_key")),
    )
    op.create_index("ix_jobs_state_run_after", "jobs", ["state", "run_after"])
    op.create_index("ix_jobs_created", "jobs", ["created_at"])


def downgrade():
    op.drop_index("ix_jobs_created", table_name="jobs")
    op.drop_index("ix_jobs_state_run_after", table_name="jobs")
    op.drop_table("jobs")
