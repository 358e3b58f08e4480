"""notifications read state: when the member read each one

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 22:31:07
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("router_notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("read_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("router_notifications", schema=None) as batch_op:
        batch_op.drop_column("read_at")
