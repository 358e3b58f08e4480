"""drop responder_processed_events

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 17:10:00

The responder's views of posts and cases are versioned upserts: applying an event twice or
after a newer one changes nothing, so the processed-event ids it recorded were never needed.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("responder_processed_events")


def downgrade() -> None:
    op.create_table(
        "responder_processed_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column(
            "processed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("event_id"),
    )
