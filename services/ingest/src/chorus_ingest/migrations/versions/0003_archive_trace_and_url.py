"""archive: trace id and URL digest, indexed with the post id (chorus trace)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 13:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ingest_archive', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trace_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('url_key', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_ingest_archive_post_id', ['post_id'], unique=False)
        batch_op.create_index('ix_ingest_archive_url_key', ['url_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ingest_archive', schema=None) as batch_op:
        batch_op.drop_index('ix_ingest_archive_url_key')
        batch_op.drop_index('ix_ingest_archive_post_id')
        batch_op.drop_column('url_key')
        batch_op.drop_column('trace_id')
