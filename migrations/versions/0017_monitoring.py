"""monitoring: sources, their items, candidate sentences, appearances of published checks (DESIGN.md §15)

New tables, and `articles.monitored` (false for every existing article: they are all on the desk).
A plain ADD COLUMN, not a batch copy: on SQLite a copy of `articles` would drop its full-text triggers.

Revision ID: 0017_monitoring
Revises: 0017_job_queue
"""
from alembic import op
import sqlalchemy as sa

import factdesk.models


revision = '0017_monitoring'
down_revision = '0017_job_queue'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('monitor_topics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('created_at', factdesk.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitor_topics')),
    sa.UniqueConstraint('name', name=op.f('uq_monitor_topics_name'))
    )
    op.create_table('monitor_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('kind', sa.Enum('feed', 'sitemap', 'page', name='source_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('topic', sa.String(length=80), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('etag', sa.String(length=300), nullable=True),
    sa.Column('last_modified', sa.String(length=100), nullable=True),
    sa.Column('last_checked_at', factdesk.models.UTCDateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', factdesk.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_monitor_sources_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitor_sources')),
    sa.UniqueConstraint('url', name=op.f('uq_monitor_sources_url'))
    )
    op.create_table('monitor_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('author', sa.String(length=300), nullable=True),
    sa.Column('published_at', sa.Date(), nullable=True),
    sa.Column('article_id', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('seen_at', factdesk.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_monitor_items_article_id_articles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_id'], ['monitor_sources.id'], name=op.f('fk_monitor_items_source_id_monitor_sources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitor_items')),
    sa.UniqueConstraint('source_id', 'key', name='uq_monitor_items_source_key')
    )
    op.create_table('monitor_candidates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('sentence', sa.Text(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('topic', sa.String(length=80), nullable=True),
    sa.Column('repeat_of_id', sa.Integer(), nullable=True),
    sa.Column('match_score', sa.Float(), nullable=True),
    sa.Column('published_at', sa.Date(), nullable=True),
    sa.Column('created_at', factdesk.models.UTCDateTime(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_monitor_candidates_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_monitor_candidates_claim_id_claims'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['monitor_items.id'], name=op.f('fk_monitor_candidates_item_id_monitor_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['repeat_of_id'], ['claims.id'], name=op.f('fk_monitor_candidates_repeat_of_id_claims'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_id'], ['monitor_sources.id'], name=op.f('fk_monitor_candidates_source_id_monitor_sources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitor_candidates'))
    )
    with op.batch_alter_table('monitor_candidates', schema=None) as batch_op:
        batch_op.create_index('ix_monitor_candidates_article', ['article_id', 'start'], unique=False)
        batch_op.create_index('ix_monitor_candidates_created_score', ['created_at', 'score'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitor_candidates_source_id'), ['source_id'], unique=False)

    op.create_table('appearances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=True),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('sentence', sa.Text(), nullable=False),
    sa.Column('said_by', sa.String(length=300), nullable=False),
    sa.Column('said_at', sa.Date(), nullable=True),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'confirmed', 'dismissed', 'public', name='appearance_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('found_at', factdesk.models.UTCDateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', factdesk.models.UTCDateTime(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', factdesk.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_appearances_approved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['candidate_id'], ['monitor_candidates.id'], name=op.f('fk_appearances_candidate_id_monitor_candidates'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_appearances_claim_id_claims'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_appearances_decided_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appearances')),
    sa.UniqueConstraint('claim_id', 'candidate_id', name='uq_appearances_claim_candidate')
    )
    with op.batch_alter_table('appearances', schema=None) as batch_op:
        batch_op.create_index('ix_appearances_claim_state', ['claim_id', 'state'], unique=False)
        batch_op.create_index('ix_appearances_state', ['state', 'found_at'], unique=False)

    op.add_column('articles', sa.Column('monitored', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_column('monitored')

    with op.batch_alter_table('appearances', schema=None) as batch_op:
        batch_op.drop_index('ix_appearances_state')
        batch_op.drop_index('ix_appearances_claim_state')

    op.drop_table('appearances')
    with op.batch_alter_table('monitor_candidates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitor_candidates_source_id'))
        batch_op.drop_index('ix_monitor_candidates_created_score')
        batch_op.drop_index('ix_monitor_candidates_article')

    op.drop_table('monitor_candidates')
    op.drop_table('monitor_items')
    op.drop_table('monitor_sources')
    op.drop_table('monitor_topics')
