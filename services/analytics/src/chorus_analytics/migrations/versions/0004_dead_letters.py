"""dead letters one by one (chorus trace)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 14:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('analytics_dead_letters',
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('field', sa.String(length=200), nullable=True),
    sa.Column('post_id', sa.String(length=600), nullable=True),
    sa.Column('trace_id', sa.String(length=64), nullable=True),
    sa.Column('original_topic', sa.String(length=64), nullable=True),
    sa.Column('original_partition', sa.Integer(), nullable=True),
    sa.Column('original_offset', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('event_id')
    )
    with op.batch_alter_table('analytics_dead_letters', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_dead_letters_at', ['at'], unique=False)
        batch_op.create_index('ix_analytics_dead_letters_post_id', ['post_id'], unique=False)
        batch_op.create_index('ix_analytics_dead_letters_trace_id', ['trace_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('analytics_dead_letters', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_dead_letters_trace_id')
        batch_op.drop_index('ix_analytics_dead_letters_post_id')
        batch_op.drop_index('ix_analytics_dead_letters_at')

    op.drop_table('analytics_dead_letters')
