"""edit markers and earlier content hashes of seen posts

An older delivery replayed after an edit must never replace the newer content: each post
keeps the platform's edit marker of its current content and the hashes of earlier ones.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 12:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ingest_seen_posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("marker_kind", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("marker", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("prior_hashes", sa.Text(), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("ingest_seen_posts", schema=None) as batch_op:
        batch_op.drop_column("prior_hashes")
        batch_op.drop_column("marker")
        batch_op.drop_column("marker_kind")
