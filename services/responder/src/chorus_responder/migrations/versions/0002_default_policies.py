"""default approval policies

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 15:00:00

Inserted once, so an operator's later edits and deletions stay. Frozen copies of
chorus_responder.domain.policy.DEFAULT_POLICIES (a test checks they match).
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

DEFAULTS = [
    {
        "id": "legal-signoff",
        "name": "Cases touching legal need a legal member's approval",
        "enabled": True,
        "when": {"match": "any", "tags_any": ["legal"], "approvals_any": ["legal"],
                 "priorities": [], "rating_max": None, "rating_min": None, "kinds": [],
                 "platforms": []},
        "require": {"team": "legal", "role": "member"},
    },
    {
        "id": "pr-lead-signoff",
        "name": "P1 and crisis cases need the PR lead's approval",
        "enabled": True,
        "when": {"match": "any", "tags_any": ["crisis"], "approvals_any": [],
                 "priorities": ["P1"], "rating_max": None, "rating_min": None, "kinds": [],
                 "platforms": []},
        "require": {"team": "pr", "role": "lead"},
    },
    {
        "id": "brand-low-rating",
        "name": "Replies to 1-2 star reviews need a brand member's approval",
        "enabled": True,
        "when": {"match": "any", "tags_any": [], "approvals_any": [], "priorities": [],
                 "rating_max": 2, "rating_min": None, "kinds": [], "platforms": []},
        "require": {"team": "brand", "role": "member"},
    },
]


def upgrade() -> None:
    table = sa.table(
        "responder_policies",
        sa.column("policy_id", sa.String),
        sa.column("position", sa.Integer),
        sa.column("body", sa.JSON),
        sa.column("updated_by", sa.String),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(timezone.utc)
    op.bulk_insert(
        table,
        [
            {"policy_id": p["id"], "position": (i + 1) * 10, "body": p, "updated_by": "default",
             "updated_at": now}
            for i, p in enumerate(DEFAULTS)
        ],
    )


def downgrade() -> None:
    op.execute(
        "DELETE FROM responder_policies WHERE policy_id IN "
        "('legal-signoff', 'pr-lead-signoff', 'brand-low-rating')"
    )
