"""partial index for the SLA checker

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 19:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

PENDING = "sla_breached_at IS NULL AND first_response_at IS NULL AND status != 'resolved'"


def upgrade() -> None:
    # The SLA checker reads due cases not yet breached, answered or resolved: with this partial
    # index the read is proportional to those, not to every case whose due time has passed.
    with op.batch_alter_table('router_cases', schema=None) as batch_op:
        batch_op.create_index(
            'ix_router_cases_sla_pending',
            ['sla_due_at'],
            unique=False,
            sqlite_where=sa.text(PENDING),
            postgresql_where=sa.text(PENDING),
        )


def downgrade() -> None:
    with op.batch_alter_table('router_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_router_cases_sla_pending')
