"""A routed batch's rows, written through the driver-level bulk path, say what its case events
say, on SQLite and PostgreSQL: JSON columns, UTC datetimes, repeats kept once."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import orjson
import pytest
from chorus_router import models
from chorus_router.accountability.idle import OWNER_TURN
from chorus_router.app import create_app
from chorus_router.casework.ids import CASE_NS, case_id_for
from chorus_router.casework.store import case_from_row, payload_dict
from chorus_router.snapshot import utc, utc_row
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.router.tests.router_accountability_support import T0, Clock, settings
from services.router.tests.router_support import (
    buzz_event,
    case_events,
    encode,
    make_post,
    post_event,
)
from tests.support.wait import wait_for


async def _count(session: AsyncSession, table: Any) -> int:
    return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


async def _rows(session: AsyncSession, table: Any) -> list[dict[str, Any]]:
    return [utc_row(r) for r in (await session.execute(select(table))).mappings()]


@pytest.mark.integration
@pytest.mark.timeout(90)
async def test_routed_batch_rows_match_its_case_events(memory_broker, db_url) -> None:
    clock = Clock()
    app = create_app(settings(db_url), bus=memory_broker)
    core = app.state.core
    core.clock = clock
    # An hour old, not more: a post past its SLA would be escalated by the background SLA pass
    # between the rows read below and the events read after shutdown.
    first = make_post(
        "Where is my parcel? Order 5521 never came", received_at=T0 - timedelta(hours=1)
    )
    follow = make_post("Still nothing", thread_id=first.thread_id, received_at=T0)
    legal = make_post("My lawyer will hear about this, see you in court", received_at=T0)
    posts = [post_event(first), post_event(first), post_event(follow), post_event(legal)]
    async with app.router.lifespan_context(app):
        await memory_broker.append(encode([buzz_event("recall", keyword="recall")]))
        await memory_broker.append(encode(posts))  # `first` twice: a repeated delivery

        async def settled() -> bool:
            async with core.runtime.sessionmaker() as s:
                done = await _count(s, models.processed) == 5
                return done and await _count(s, models.outbox) == 0

        await wait_for(settled, timeout=30, what="every event applied and relayed")
        async with core.runtime.sessionmaker() as s:
            cases = {c["id"]: c for c in await _rows(s, models.cases)}
            case_posts = await _rows(s, models.case_posts)
            routed = await _rows(s, models.routed_posts)
            teams = await _rows(s, models.case_teams)
            log = await _rows(s, models.case_log)
            watch = await _rows(s, models.case_watch)
            loads = {r["member_id"]: r for r in await _rows(s, models.loads)}
            notes = await _rows(s, models.notifications)

    events = case_events(memory_broker)
    latest = {
        e.payload["case_id"]: e.payload for e in sorted(events, key=lambda e: e.payload["version"])
    }
    assert set(latest) == set(cases) and len(cases) == 2
    for cid, case in cases.items():
        stored = payload_dict(case_from_row(case))
        assert stored == {k: latest[cid][k] for k in stored}, cid
        assert sorted(r["seq"] for r in log if r["case_id"] == cid) == sorted(
            e.payload["version"] for e in events if e.payload["case_id"] == cid
        )
        assert {r["team"] for r in teams if r["case_id"] == cid} == {
            case["team"],
            *case["collaborators"],
        }
    parcel = cases[next(iter({r["case_id"] for r in case_posts if r["post_id"] == first.id}))]
    assert parcel["post_ids"] == [first.id, follow.id]
    assert {(r["post_id"], r["case_id"], r["received_at"], r["revision"]) for r in case_posts} == {
        (p.id, c, p.received_at, 1)
        for p, c in (
            (first, parcel["id"]),
            (follow, parcel["id"]),
            (legal, next(c for c in cases if c != parcel["id"])),
        )
    }
    assert sorted((r["post_id"], r["case_id"], r["received_at"]) for r in routed) == sorted(
        (r["post_id"], r["case_id"], r["received_at"]) for r in case_posts
    ), "each routed post with the case it joined (the follow-up with the parcel case)"
    assert parcel["id"][:12] == f"{int(first.received_at.timestamp() * 1000):012x}"
    assert all(orjson.loads(r["post"])["id"] == r["post_id"] for r in routed)
    assert all(r["at"] == clock.now for r in log)
    assert {r["case_id"]: r["owner"] for r in watch} == {
        c["id"]: c["assignee"] for c in cases.values() if c["status"] in OWNER_TURN
    }
    assert all(r["since"] == clock.now and r["noticed_at"] is None for r in watch)
    owners = Counter(c["assignee"] for c in cases.values() if c["assignee"])
    assert {m: loads[m]["open_cases"] for m in owners} == dict(owners)
    (note,) = notes
    assert note["member_id"] == "paul" and note["kind"] == "crisis_raised"
    assert note["data"]["subject"] == "recall" and utc(note["created_at"]) == clock.now


@pytest.mark.unit
def test_case_ids_are_deterministic_and_ascend_with_the_opening_time() -> None:
    a = case_id_for("x", "x:1", T0)
    assert a == case_id_for("x", "x:1", T0), "a replayed unit opens the same id"
    assert len(a) == 32 and int(a, 16) >= 0
    assert case_id_for("x", "x:2", T0) != a
    assert case_id_for("facebook", "x:1", T0) != a
    later = [case_id_for("x", f"x:{i}", T0 + timedelta(milliseconds=i)) for i in range(1, 50)]
    assert later == sorted(later) and a < later[0]
    # The conversation part is the name-based UUID it has always been (version 5).
    for platform, thread in [("x", "x:1"), ("email", "<a@b>"), ("reddit", "t3_é€😀"), ("", "")]:
        name = uuid.uuid5(CASE_NS, f"{platform}|{thread}")
        assert case_id_for(platform, thread, T0)[12:] == name.hex[:20]
