"""brand activity: the brand's own posts and replies, counted apart from everyone else's

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 19:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analytics_brand_posts",
        sa.Column("post_id", sa.String(length=600), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=256), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("post_id"),
    )
    with op.batch_alter_table("analytics_brand_posts", schema=None) as batch_op:
        batch_op.create_index("ix_analytics_brand_posts_created", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_table("analytics_brand_posts")
