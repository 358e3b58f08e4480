"""Replayed and reordered webhook deliveries never roll a post back (X, Facebook, LinkedIn and
the generic relay; SQLite and PostgreSQL): an earlier delivery replayed in any order is a
duplicate, counted as one, and nothing new reaches chorus.posts.v1 (the router's input)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from chorus_common.messaging.bus.memory import MemoryBroker
from chorus_ingest import models
from chorus_ingest.app import create_app
from chorus_ingest.settings import IngestSettings
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from services.ingest.tests.ingest_helpers import envelopes, settings_kw
from services.ingest.tests.replay_kit import PLATFORMS, Platform, text_of
from tests.support.fixtures import auth, running
from tests.support.wait import wait_for

VERSIONS = 4
EXAMPLES = settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _app(memory_broker: MemoryBroker, db_url: str) -> FastAPI:
    kw = settings_kw(ingest_group_commit_ms=0.0)
    return create_app(IngestSettings(database_url=db_url, **kw), bus=memory_broker)


async def _send(client: Any, platform: Platform, key: str, version: int) -> dict[str, Any]:
    delivery = platform.deliver(key, version, text_of(version))
    headers = {"content-type": "application/json", **delivery.headers}
    r = await client.post(f"/v1/webhooks/{platform.slug}", content=delivery.body, headers=headers)
    assert r.status_code == 200, r.text
    doc: dict[str, Any] = r.json()
    assert len(doc["results"]) == 1, doc
    return doc


async def _settled(app: FastAPI) -> None:
    """Wait (bounded) until the outbox is empty: everything staged is on the broker."""
    runtime = app.state.intake.runtime

    async def empty() -> bool:
        async with runtime.sessionmaker() as session:
            n = await session.scalar(select(func.count()).select_from(models.outbox))
        return n == 0

    await wait_for(empty, what="the outbox relayed everything")


def _published(broker: MemoryBroker, post_id: str) -> list[tuple[str, int, bool]]:
    return [
        (e.payload["post"]["text"], e.payload["revision"], e.payload["is_update"])
        for e in envelopes(broker, "chorus.posts.v1")
        if e.payload["post"]["id"] == post_id
    ]


def _counted(app: FastAPI, slug: str, outcome: str) -> float:
    registry = app.state.intake.runtime.metrics.registry
    value = registry.get_sample_value(
        "chorus_ingest_posts_total", {"platform": slug, "outcome": outcome}
    )
    return float(value or 0.0)


async def _open(client: Any, platform: Platform) -> None:
    r = await client.post("/v1/channels", json=platform.channel, headers=auth("admin"))
    assert r.status_code in (201, 409), r.text


@pytest.mark.integration
@pytest.mark.timeout(240)
@pytest.mark.parametrize("name", list(PLATFORMS))
@EXAMPLES
@given(replays=st.lists(st.integers(0, VERSIONS - 1), min_size=1, max_size=12))
async def test_earlier_deliveries_replayed_in_any_order_are_duplicates(
    name: str, replays: list[int], memory_broker: MemoryBroker, db_url: str
) -> None:
    platform, key = PLATFORMS[name], uuid.uuid4().hex[:12]
    post_id = platform.post_id(key)
    app = _app(memory_broker, db_url)
    async with running(app) as client:
        await _open(client, platform)
        history = [await _send(client, platform, key, v) for v in range(VERSIONS)]
        assert [d["results"][0]["status"] for d in history] == [
            "accepted",
            *["updated"] * (VERSIONS - 1),
        ]
        await _settled(app)
        before = _published(memory_broker, post_id)
        duplicates = _counted(app, platform.slug, "duplicate")

        for version in replays:
            doc = await _send(client, platform, key, version)
            assert doc["duplicate"] == 1, (version, doc)
            assert doc["results"][0]["revision"] == VERSIONS

        await _settled(app)
        assert _published(memory_broker, post_id) == before, "a replay reached the router"
        assert before[-1] == (text_of(VERSIONS - 1), VERSIONS, True)
        assert _counted(app, platform.slug, "duplicate") - duplicates == len(replays)


def _expected(order: list[int]) -> list[tuple[str, int]]:
    """The answer to each delivery of ``order`` when versions are ordered by their marker."""
    seen: set[int] = set()
    newest, revision = -1, 0
    out: list[tuple[str, int]] = []
    for v in order:
        if not seen:
            status, revision = "accepted", 1
        elif v in seen:
            status = "duplicate"
        elif v > newest:
            status, revision = "updated", revision + 1
        else:
            status = "stale"
        seen.add(v)
        newest = max(newest, v)
        out.append((status, revision))
    return out


@st.composite
def _arrivals(draw: st.DrawFn) -> list[int]:
    """Every version at least once, in any order, with repeats anywhere."""
    order = draw(st.permutations(range(VERSIONS)))
    repeats = draw(st.lists(st.integers(0, VERSIONS - 1), max_size=6))
    out = list(order)
    for r in repeats:
        out.insert(draw(st.integers(0, len(out))), r)
    return out


@pytest.mark.integration
@pytest.mark.timeout(240)
@pytest.mark.parametrize("name", [n for n, p in PLATFORMS.items() if p.ordered])
@EXAMPLES
@given(order=_arrivals())
async def test_deliveries_in_any_order_end_on_the_newest_version_and_never_go_back(
    name: str, order: list[int], memory_broker: MemoryBroker, db_url: str
) -> None:
    platform, key = PLATFORMS[name], uuid.uuid4().hex[:12]
    post_id = platform.post_id(key)
    app = _app(memory_broker, db_url)
    async with running(app) as client:
        await _open(client, platform)
        stale = _counted(app, platform.slug, "stale")
        answers = []
        for version in order:
            doc = await _send(client, platform, key, version)
            answers.append((doc["results"][0]["status"], doc["results"][0]["revision"]))
        assert answers == _expected(order)
        await _settled(app)
        published = _published(memory_broker, post_id)
        versions = [int(text.split()[1]) for text, _rev, _upd in published]
        assert versions == sorted(set(versions)), f"an older version was published: {versions}"
        assert versions[-1] == VERSIONS - 1, "the post must end on its newest version"
        assert [rev for _t, rev, _u in published] == list(range(1, len(published) + 1))
        expected_stale = sum(1 for status, _ in answers if status == "stale")
        assert _counted(app, platform.slug, "stale") - stale == expected_stale


@pytest.mark.integration
@pytest.mark.timeout(120)
async def test_concurrent_versions_of_one_post_are_compared_atomically(
    memory_broker: MemoryBroker, db_url: str
) -> None:
    """Concurrent transactions that read the same state: the loser of the compare-and-set
    decides again, so the post ends on its newest version and never publishes an older one."""
    platform = PLATFORMS["x"]
    keys = [uuid.uuid4().hex[:12] for _ in range(6)]
    app = _app(memory_broker, db_url)
    async with running(app) as client:
        await _open(client, platform)
        for key in keys:
            await _send(client, platform, key, 0)
        racing = [(key, v) for key in keys for v in (3, 1, 2, 3, 2, 1)]
        answers = await asyncio.gather(*(_send(client, platform, k, v) for k, v in racing))
        statuses = [a["results"][0]["status"] for a in answers]
        assert set(statuses) <= {"updated", "duplicate", "stale"}, statuses
        await _settled(app)
        for key in keys:
            published = _published(memory_broker, platform.post_id(key))
            versions = [int(text.split()[1]) for text, _rev, _upd in published]
            assert versions == sorted(set(versions)) and versions[-1] == 3, (key, versions)
            assert [rev for _t, rev, _u in published] == list(range(1, len(published) + 1))
