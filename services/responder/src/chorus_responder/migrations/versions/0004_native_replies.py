"""the brand's native replies per case (collisions)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "responder_native_replies",
        sa.Column("post_id", sa.String(length=600), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("post_id"),
    )
    with op.batch_alter_table("responder_native_replies", schema=None) as batch_op:
        batch_op.create_index(
            "ix_responder_native_replies_case_id", ["case_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("responder_native_replies")
