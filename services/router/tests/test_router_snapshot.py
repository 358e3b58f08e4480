"""The directory/rules/crises snapshot: one version read per unit of work, fresh after a bump."""

from __future__ import annotations

from typing import Any

import pytest
from chorus_common.persistence.db import make_engine, make_sessionmaker, upgrade
from chorus_router import models
from chorus_router.app import MIGRATIONS
from chorus_router.settings import RouterSettings
from chorus_router.snapshot import VERSION_NAMES, SnapshotCache, bump
from sqlalchemy import event, insert


@pytest.mark.unit
async def test_a_unit_reads_the_versions_once_and_again_after_its_own_bump(sqlite_url) -> None:
    engine = make_engine(sqlite_url)
    reads: list[str] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "router_versions" in statement:
            reads.append(statement)

    try:
        await upgrade(engine, MIGRATIONS, "alembic_version_router")
        sessions = make_sessionmaker(engine)
        async with sessions() as session, session.begin():
            await session.execute(
                insert(models.versions), [{"name": n, "version": 1} for n in VERSION_NAMES]
            )
        cache = SnapshotCache(RouterSettings(database_url=sqlite_url))

        async with sessions() as session, session.begin():
            first = await cache.get(session)
            assert await cache.get(session) is first
            assert len(reads) == 1, "the second ask in the same unit reads nothing"
            await bump(session, "crises")
            bumped = await cache.get(session)
            assert len(reads) == 2
            assert bumped.versions != first.versions, "a bump in the unit is seen at once"

        async with sessions() as session, session.begin():
            assert (await cache.get(session)) is bumped
            assert len(reads) == 3, "each unit checks the versions (other instances may bump)"
            cache.invalidate()
            assert (await cache.get(session)) is not bumped, "invalidate reloads"
    finally:
        await engine.dispose()
