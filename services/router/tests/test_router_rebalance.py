"""Availability changes move work: a member leaving mid-shift has every open case moved under
the fairness bound; a member coming back takes from the queue oldest first, up to capacity."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any, Literal

import pytest
from chorus_router.accountability.rebalance_pass import rebalance_once
from chorus_router.app import create_app
from chorus_router.background import release_once
from chorus_router.models import presence
from chorus_router.snapshot import utc
from sqlalchemy import select

from services.router.tests.router_accountability_support import (
    ADMIN,
    T0,
    Clock,
    accountability,
    availability,
    cases,
    settings,
    wait_cases,
)
from services.router.tests.router_support import encode, make_post, post_event, relayed
from tests.support.fixtures import running
from tests.support.wait import wait_for


async def _capacity(client, member: str, capacity: int) -> None:
    r = await client.patch(f"/v1/members/{member}", json={"capacity": capacity}, headers=ADMIN)
    assert r.status_code == 200, r.text


async def _holding(client, member: str) -> list[dict[str, Any]]:
    return await cases(client, assignee=member)


@pytest.mark.unit
async def test_member_out_of_office_mid_shift_has_all_cases_moved_within_the_bound(
    memory_broker, sqlite_url
) -> None:
    clock = Clock()
    app = create_app(settings(sqlite_url), bus=memory_broker)
    app.state.core.clock = clock
    async with running(app) as client:
        # At 10:00 UTC on a Wednesday sam, tom and victor are at work (uma is not yet).
        for m in ("sam", "tom", "victor"):
            await _capacity(client, m, 20)
        posts = [make_post(f"Where is my parcel? Order {i}", received_at=T0) for i in range(12)]
        await memory_broker.append(encode([post_event(p) for p in posts]))
        items = await wait_cases(client, 12, what="twelve support cases")
        before = {i["id"]: i for i in items}
        toms = [i["id"] for i in items if i["assignee"] == "tom"]
        assert len(toms) == 4

        clock.advance(minutes=30)
        await availability(client, "tom", "out_of_office", (T0 + timedelta(days=3)).isoformat())

        async def moved():
            return not await _holding(client, "tom") or None

        await wait_for(moved, what="tom's cases moved")
        after = {i["id"]: i for i in await cases(client)}
        counts = {
            m: sum(1 for i in after.values() if i["assignee"] == m) for m in ("sam", "victor")
        }
        assert counts == {"sam": 6, "victor": 6}
        for cid in toms:
            case = after[cid]
            assert case["previous_assignee"] == "tom"
            assert case["post_count"] == before[cid]["post_count"], "the conversation moved whole"
            assert case["decision"]["assignment"]["fairness"]["outcome"] == "within"

            last = (await relayed(memory_broker, cid, "case.reassigned"))[-1]
            assert "tom is out of office" in last.payload["reason"]
            chain = (await accountability(client, cid))["handoffs"]
            assert (chain[-1]["from_member"], chain[-1]["to_member"]) == ("tom", case["assignee"])
        r = await client.get("/v1/teams/support/fairness", headers=ADMIN)
        assert r.status_code == 200, r.text
        fair = r.json()
        assert fair["now"]["within_bound"] is True and fair["now"]["ratio"] == 1.0
        assert set(fair["now"]["members"]) == {"sam", "victor"}


@pytest.mark.unit
async def test_away_member_keeps_cases_until_the_grace_ends_then_they_move(
    memory_broker, sqlite_url
) -> None:
    clock = Clock()
    policy = {"rebalance_after_minutes": {"away": 15, "out_of_office": 0}}
    app = create_app(settings(sqlite_url, policy), bus=memory_broker)
    core = app.state.core
    core.clock = clock
    async with running(app) as client:
        posts = [make_post(f"My parcel {i} is late", received_at=T0) for i in range(6)]
        await memory_broker.append(encode([post_event(p) for p in posts]))
        await wait_cases(client, 6, what="six cases")
        holder = (await cases(client))[0]["assignee"]
        held = len(await _holding(client, holder))
        await availability(client, holder, "away")
        await rebalance_once(core)  # observed now (the background pass may not have run yet)
        clock.advance(minutes=14, seconds=59)
        assert (await rebalance_once(core)).moved == 0
        assert len(await _holding(client, holder)) == held, "a short break moves nothing"
        clock.advance(seconds=1)

        async def moved():
            return not await _holding(client, holder) or None

        await wait_for(moved, what="cases moved after the grace")


class TickingClock(Clock):
    """Each reading is a minute after the previous one; the readings are kept per task."""

    def __init__(self) -> None:
        super().__init__()
        self.read_by: dict[asyncio.Task[Any] | None, list[datetime]] = defaultdict(list)

    def __call__(self) -> datetime:
        now = self.advance(minutes=1)
        self.read_by[asyncio.current_task()].append(now)
        return now


class Gate(asyncio.Lock):
    """The unit-of-work lock, telling which tasks wait for it."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting: set[asyncio.Task[Any] | None] = set()

    async def acquire(self) -> Literal[True]:
        task = asyncio.current_task()
        self.waiting.add(task)
        try:
            return await super().acquire()
        finally:
            self.waiting.discard(task)


@pytest.mark.unit
@pytest.mark.parametrize("recorded_before", [True, False], ids=["recorded", "first-seen"])
async def test_concurrent_passes_record_an_away_member_once_so_the_grace_is_not_restarted(
    memory_broker, sqlite_url, recorded_before: bool
) -> None:
    policy = {"rebalance_after_minutes": {"away": 15, "out_of_office": 0}}
    app = create_app(settings(sqlite_url, policy), bus=memory_broker)
    core = app.state.core
    core.background_passes.clear()  # the two passes below are the only ones
    core.clock = Clock()
    gate = core.lock = Gate()
    async with running(app) as client:
        if recorded_before:
            await rebalance_once(core)
        await availability(client, "tom", "away")
        clock = TickingClock()
        core.clock = clock
        # Two passes (two router instances, or the background pass and an explicit one) both
        # see tom's change before either records it: the test holds the unit lock meanwhile.
        async with gate:
            passes = [asyncio.create_task(rebalance_once(core)) for _ in range(2)]

            async def both_wait() -> bool:
                return set(passes) <= gate.waiting

            await wait_for(both_wait, what="both passes waiting to record the change")
        outcomes = await asyncio.gather(*passes)

        assert [o.changed.get("tom") for o in outcomes].count("away") == 1
        async with core.runtime.sessionmaker() as session:
            row = (
                await session.execute(
                    select(presence.c.state, presence.c.since).where(presence.c.member_id == "tom")
                )
            ).one()
        # Units run one at a time on a clock that only moves forward: the first one's reading.
        first_unit = min(clock.read_by[p][-1] for p in passes)
        assert (row.state, utc(row.since)) == ("away", first_unit), "the grace restarted"


@pytest.mark.unit
async def test_member_returning_takes_queued_cases_oldest_first_up_to_capacity(
    memory_broker, sqlite_url
) -> None:
    clock = Clock()
    app = create_app(settings(sqlite_url), bus=memory_broker)
    app.state.core.clock = clock
    async with running(app) as client:
        for m in ("sam", "uma", "victor"):
            await availability(client, m, "out_of_office")
        await _capacity(client, "tom", 2)
        texts = [
            "Where is my parcel? It is late",  # P3, oldest
            "My parcel was never delivered",  # P3
            "I want a refund for order 77",  # P2, newer
            "Refund me now please",  # P2, newest
        ]
        ids = []
        for i, text in enumerate(texts):
            clock.now = T0 + timedelta(minutes=i)
            await memory_broker.append(encode([post_event(make_post(text, received_at=clock.now))]))
            ids.append((await wait_cases(client, i + 1, what=f"case {i}"))[0]["id"])
        assert [c["id"] for c in await _holding(client, "tom")] != []
        await availability(client, "tom", "out_of_office")
        await wait_cases(client, 4, status="queued", what="everything queued while tom is away")

        clock.advance(hours=2)
        await availability(client, "tom", "on_shift")
        # A queue release racing the rebalancing pass (it runs on every tick and whenever
        # capacity frees up) must leave tom's return to that pass: released to him, the queue
        # would come in priority order.
        await release_once(app.state.core)

        async def back():
            mine = await _holding(client, "tom")
            return mine if len(mine) == 2 else None

        mine = await back() or await wait_for(back, what="tom takes two cases")
        assert {c["id"] for c in mine} == {ids[0], ids[1]}, "oldest first, not by priority"
        queued = await cases(client, status="queued")
        assert {c["id"] for c in queued} == {ids[2], ids[3]}, "no flood: never above capacity"
        for c in mine:
            assert "back at work" in c["reason"]
