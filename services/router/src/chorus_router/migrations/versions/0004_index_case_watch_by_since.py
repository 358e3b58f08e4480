"""index the idle watch by since

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 19:00:00.000000
"""
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The idle pass reads the watched cases that may be due (oldest first): without this index
    # it sorted every watched case on every pass.
    with op.batch_alter_table('router_case_watch', schema=None) as batch_op:
        batch_op.create_index('ix_router_case_watch_since', ['since'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('router_case_watch', schema=None) as batch_op:
        batch_op.drop_index('ix_router_case_watch_since')
