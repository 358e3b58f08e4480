"""members' sign-in identity: their OpenID subject (unique) and whether they administer Chorus

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("router_members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("oidc_subject", sa.String(length=255), nullable=True))
        batch_op.add_column(
            sa.Column("admin", sa.Boolean(), nullable=True, server_default=sa.false())
        )
        batch_op.create_unique_constraint("uq_router_members_oidc_subject", ["oidc_subject"])


def downgrade() -> None:
    with op.batch_alter_table("router_members", schema=None) as batch_op:
        batch_op.drop_constraint("uq_router_members_oidc_subject", type_="unique")
        batch_op.drop_column("admin")
        batch_op.drop_column("oidc_subject")
