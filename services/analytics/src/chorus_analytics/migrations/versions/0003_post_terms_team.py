"""post terms carry their post's team

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 13:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('analytics_post_terms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team', sa.String(length=64), server_default='', nullable=False))
        batch_op.create_index('ix_analytics_post_terms_team_created', ['team', 'created_at'], unique=False)
    # Terms counted before this revision take their post's current team.
    op.execute(
        "UPDATE analytics_post_terms SET team = COALESCE((SELECT p.team FROM analytics_posts p"
        " WHERE p.post_id = analytics_post_terms.post_id), '')"
    )


def downgrade() -> None:
    with op.batch_alter_table('analytics_post_terms', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_post_terms_team_created')
        batch_op.drop_column('team')
