"""Pollers against a real local feed server: restart mid-stream, back-off, conditional GET."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from chorus_common.contracts.events import utcnow
from chorus_ingest import models
from chorus_ingest.app import create_app
from chorus_ingest.schedule import backoff_seconds
from chorus_ingest.settings import IngestSettings
from sqlalchemy import select, update

from services.ingest.tests.ingest_feed_server import feed_server
from services.ingest.tests.ingest_helpers import envelopes, settings_kw
from tests.support.fixtures import auth, running
from tests.support.wait import wait_for

POSTS = "chorus.posts.v1"


def _settings(db_url: str, **extra) -> IngestSettings:
    kw = settings_kw(
        poller_enabled=True, poll_tick_seconds=0.05, poll_min_interval_seconds=0.1, **extra
    )
    return IngestSettings(database_url=db_url, **kw)


def _native_ids(broker) -> Counter[str]:
    return Counter(e.payload["post"]["native_id"] for e in envelopes(broker, POSTS))


async def _add_channel(client, url: str) -> str:
    r = await client.post(
        "/v1/channels",
        json={"platform": "rss", "external_id": url, "poll": {"url": url, "interval_seconds": 0.2}},
        headers=auth("admin"),
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


@pytest.mark.integration
async def test_poller_restart_mid_stream_misses_nothing_and_repeats_nothing(
    memory_broker, db_url
) -> None:
    with feed_server() as (url, feed):
        feed.add(1, 2, 3)
        first = create_app(_settings(db_url), bus=memory_broker)
        async with running(first) as client:
            await _add_channel(client, url)

            async def three():
                return len(_native_ids(memory_broker)) == 3

            await wait_for(three, timeout=30, what="the first three feed items")
            # A crash between fetching a page and committing it: nothing of it may stick.
            intake = first.state.intake
            real_submit = intake.submit
            crashed = []

            async def crash(batch, **kw):
                crashed.append(len(batch.posts))
                raise RuntimeError("simulated crash before commit")

            intake.submit = crash
            feed.add(4)

            async def crashed_once():
                return bool(crashed)

            await wait_for(crashed_once, timeout=30, what="a poll that crashed")
            intake.submit = real_submit
        feed.add(5)
        second = create_app(_settings(db_url), bus=memory_broker)
        async with running(second):

            async def five():
                return len(_native_ids(memory_broker)) == 5

            await wait_for(five, timeout=30, what="items 4 and 5 after the restart")
            feed.add(6)

            async def six_and_a_304():
                return len(_native_ids(memory_broker)) == 6 and feed.not_modified >= 1

            await wait_for(six_and_a_304, timeout=30, what="item 6 and a 304")
    counts = _native_ids(memory_broker)
    assert sorted(counts) == sorted(f"https://blog.example.com/p/{n}" for n in range(1, 7))
    assert set(counts.values()) == {1}, f"repeated items: {counts}"


@pytest.mark.unit
async def test_poll_errors_back_off_exponentially_and_recover(memory_broker, sqlite_url) -> None:
    with feed_server() as (url, feed):
        feed.add(1)
        feed.fail_next = 2
        app = create_app(
            IngestSettings(database_url=sqlite_url, **settings_kw(poll_min_interval_seconds=0.1)),
            bus=memory_broker,
        )
        async with running(app) as client:
            channel_id = await _add_channel(client, url)
            poller = app.state.poller
            runtime = app.state.runtime
            t = models.poll_cursors

            async def state():
                async with runtime.sessionmaker() as session:
                    return (
                        await session.execute(select(t).where(t.c.channel_id == channel_id))
                    ).one()

            async def make_due():
                async with runtime.sessionmaker() as session, session.begin():
                    await session.execute(
                        update(t).values(next_poll_at=utcnow() - timedelta(seconds=1))
                    )

            async with poller.http():
                assert await poller.tick() == 1
                first = await state()
                assert (first.failures, first.last_status) == (1, 500)
                assert await poller.tick() == 0, "backing off: not due yet"
                await make_due()
                await poller.tick()
                second = await state()
                assert second.failures == 2
                await make_due()
                await poller.tick()
                recovered = await state()
                assert recovered.failures == 0
                assert recovered.etag
                await make_due()
                await poller.tick()
                assert feed.not_modified == 1
            assert feed.requests == 4

            async def one_post():
                return len(_native_ids(memory_broker)) == 1

            await wait_for(one_post, what="the feed item once")


@pytest.mark.unit
def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff_seconds(n, 10, 100) for n in (1, 2, 3, 4)] == [20, 40, 80, 100]
