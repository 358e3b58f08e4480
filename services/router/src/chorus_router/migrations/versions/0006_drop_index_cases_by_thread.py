"""drop the thread_id index of cases: conversations are looked up by (platform, thread_id)

The unique (platform, thread_id) constraint's index serves those lookups; the index on
thread_id alone cost every new case a random index page (thread ids are the platforms').

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 23:40:00
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("router_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_router_cases_thread")


def downgrade() -> None:
    with op.batch_alter_table("router_cases", schema=None) as batch_op:
        batch_op.create_index("ix_router_cases_thread", ["thread_id"], unique=False)
