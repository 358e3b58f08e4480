"""The batch handler is exact whatever the batch boundaries: the same traffic (posts, case
events that re-team posts, edits, late posts, replies, redeliveries) handled one event per
transaction, in small batches or in large ones, leaves every analytics table identical,
and redelivering all of it changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from chorus_analytics import models
from chorus_analytics.app import create_app
from chorus_analytics.settings import AnalyticsSettings
from chorus_common.messaging.envelope import Envelope
from sqlalchemy import delete, func, select

from services.analytics.tests.analytics_traffic import check, generate, snapshot
from tests.support.fixtures import FAST_KAFKA_ENV, running


async def _feed(app: Any, events: list[Envelope], size: int) -> None:
    for i in range(0, len(events), size):
        await app.state.batch_handler(events[i : i + size])


async def _wipe(app: Any) -> None:
    async with app.state.runtime.sessionmaker() as s, s.begin():
        for t in models.metadata.sorted_tables:
            await s.execute(delete(t))


@pytest.mark.integration
async def test_batch_size_and_redelivery_leave_every_table_identical(db_url, memory_broker) -> None:
    traffic = generate(150, seed=5)
    events = [Envelope.from_bytes(e.to_bytes()) for e in traffic.events]
    kinds = {e.type for e in events}
    assert {"post.received", "case.opened", "case.reassigned", "reply.sent"} <= kinds
    assert len({e.event_id for e in events}) < len(events), "traffic has redeliveries"
    settings = AnalyticsSettings(
        database_url=db_url,
        spike_check_seconds=0,
        metrics_refresh_seconds=0,
        consumer_enabled=False,
        **FAST_KAFKA_ENV,
    )
    app = create_app(settings, bus=memory_broker)  # no consumer runs; the handler is driven
    async with running(app):
        tables = {}
        for size in (1, 13, 1000):
            await _wipe(app)
            await _feed(app, events, size)
            await check(app, traffic)
            tables[size] = await snapshot(app)
        await _feed(app, events, 97)  # everything again: already applied
        again = await snapshot(app)
    assert tables[1]["analytics_posts"], "the traffic was counted"
    assert tables[1]["analytics_case_hands"], "time in hands was kept"
    assert tables[1] == tables[13] == tables[1000] == again


@pytest.mark.integration
async def test_a_handled_batch_leaves_nothing_of_its_unit_behind(sqlite_url, memory_broker) -> None:
    """A batch's unit holds its session and every row it read: once the batch is committed
    nothing may keep it alive, or the process grows with every batch it handles."""
    import gc

    from chorus_analytics.unit import Unit

    traffic = generate(60, seed=11)
    settings = AnalyticsSettings(
        database_url=sqlite_url,
        spike_check_seconds=0,
        metrics_refresh_seconds=0,
        consumer_enabled=False,
        **FAST_KAFKA_ENV,
    )
    app = create_app(settings, bus=memory_broker)
    async with running(app):
        await _feed(app, [Envelope.from_bytes(e.to_bytes()) for e in traffic.events], 10)
        async with app.state.runtime.sessionmaker() as s:
            assert await s.scalar(select(func.count()).select_from(models.posts)) > 0
        gc.collect()
        alive = [o for o in gc.get_objects() if isinstance(o, Unit)]
        assert alive == [], f"{len(alive)} units outlived their batch"
