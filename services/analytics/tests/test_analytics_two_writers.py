"""Two analytics instances handling the same batch at the same time (a zombie that lost its
partitions still working while the new owner starts) apply it once: the event ids are
claimed first in the transaction, so the later writer waits, fails on the duplicate, and
redoes its batch without the events the other applied."""

from __future__ import annotations

import asyncio

import pytest
from chorus_common.messaging.envelope import Envelope

from services.analytics.tests.analytics_kit import handler_app
from services.analytics.tests.analytics_traffic import check, generate, snapshot
from tests.support.fixtures import running


@pytest.mark.integration
async def test_same_batch_on_two_live_instances_counts_once(pg_url) -> None:
    traffic = generate(120, seed=8)
    events = [Envelope.from_bytes(e.to_bytes()) for e in traffic.events]
    one, two = handler_app(pg_url), handler_app(pg_url)
    async with running(one), running(two):
        for i in range(0, len(events), 40):
            chunk = events[i : i + 40]
            await asyncio.gather(
                one.state.batch_handler(chunk), two.state.batch_handler(list(reversed(chunk)))
            )
        await check(one, traffic)
        tables = await snapshot(one)
    assert tables["analytics_posts"] and tables["analytics_case_hands"]
