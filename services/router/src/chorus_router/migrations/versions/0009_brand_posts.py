"""brand activity: the brand's own posts and replies on the platforms, and the case each moved

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "router_brand_posts",
        sa.Column("post_id", sa.String(length=600), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("thread_id", sa.String(length=600), nullable=False),
        sa.Column("in_reply_to", sa.String(length=600), nullable=True),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("post", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("post_id"),
    )
    with op.batch_alter_table("router_brand_posts", schema=None) as batch_op:
        batch_op.create_index("ix_router_brand_posts_case_id", ["case_id"], unique=False)
        batch_op.create_index(
            "ix_router_brand_posts_waiting",
            ["platform", "thread_id"],
            unique=False,
            sqlite_where=sa.text("case_id IS NULL"),
            postgresql_where=sa.text("case_id IS NULL"),
        )


def downgrade() -> None:
    op.drop_table("router_brand_posts")
