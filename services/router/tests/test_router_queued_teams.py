"""Which teams have cases waiting (read once per routing unit), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from chorus_common.persistence.db import make_engine, make_sessionmaker, upgrade
from chorus_router import models
from chorus_router.app import MIGRATIONS
from chorus_router.casework.queued import teams_with_queue
from sqlalchemy import insert

AT = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def _case(i: int, team: str | None, status: str, never_alone: bool = False) -> dict[str, Any]:
    return {
        "id": f"c{i}",
        "thread_id": f"t{i}",
        "platform": "x",
        "channel": "@brand",
        "status": status,
        "team": team,
        "collaborators": [],
        "priority": "P3",
        "tags": [],
        "approvals": [],
        "skills": [],
        "weight": 1.0,
        "never_alone": never_alone,
        "sla_minutes": 60,
        "sla_due_at": AT,
        "opened_at": AT,
        "updated_at": AT,
        "post_received_at": AT,
        "latest_post_id": f"x:{i}",
        "post_ids": [f"x:{i}"],
        "post_count": 1,
        "decision": {},
        "reason": "test",
        "version": 1,
    }


@pytest.mark.integration
async def test_teams_with_queue_are_those_with_a_case_one_person_can_take(db_url) -> None:
    engine = make_engine(db_url)
    try:
        await upgrade(engine, MIGRATIONS, "alembic_version_router")
        rows = [
            *(_case(i, "legal", "queued") for i in range(3)),
            _case(3, "pr", "queued", never_alone=True),  # waits for two people: not counted
            _case(4, "support", "assigned"),
            _case(5, "brand", "assigned"),
            _case(6, "brand", "queued", never_alone=True),
            _case(7, "brand", "queued"),
            _case(8, "zeta", "queued"),  # the last team in index order
            _case(9, "aardvark", "resolved"),
        ]
        async with make_sessionmaker(engine)() as session, session.begin():
            assert await teams_with_queue(session) == set()
            await session.execute(insert(models.cases), rows)
            assert await teams_with_queue(session) == {"legal", "brand", "zeta"}
    finally:
        await engine.dispose()
