"""Idle owners: warned first, reassigned at the configured time and not a second before, the
lead told; any work on a reply restarts the owner's window. The clock is injected."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from chorus_common.contracts.events import ReplyEvent
from chorus_common.messaging.envelope import make_event
from chorus_router import models
from chorus_router.accountability.idle_pass import idle_once
from chorus_router.app import create_app
from sqlalchemy import select

from services.router.tests.router_accountability_support import (
    T0,
    Clock,
    accountability,
    cases,
    settings,
    wait_cases,
)
from services.router.tests.router_support import encode, make_post, post_event, relayed
from tests.support.fixtures import running
from tests.support.wait import wait_for

POLICY = {"idle_minutes": {"P3": 60}, "idle_notice_fraction": 0.75, "idle_check_seconds": 3600}


async def _notes(core, kind: str) -> list[dict[str, Any]]:
    async with core.runtime.sessionmaker() as s:
        t = models.notifications
        rows = await s.execute(select(t).where(t.c.kind == kind))
        return [dict(r) for r in rows.mappings()]


@pytest.mark.unit
async def test_idle_owner_is_warned_then_reassigned_at_the_configured_time_not_before(
    memory_broker, sqlite_url
) -> None:
    clock = Clock()
    app = create_app(settings(sqlite_url, POLICY), bus=memory_broker)
    core = app.state.core
    core.clock = clock
    async with running(app) as client:
        post = make_post("Where is my parcel? It is late", received_at=T0)  # P3
        await memory_broker.append(encode([post_event(post)]))
        (case,) = await wait_cases(client, 1, what="case")
        owner = case["assignee"]
        idle = (await accountability(client, case["id"]))["idle"]
        assert idle["owner"] == owner
        assert idle["reassign_at"] == (T0 + timedelta(minutes=60)).isoformat()

        clock.now = T0 + timedelta(minutes=44, seconds=59)
        assert (await idle_once(core)).noticed == 0
        clock.now = T0 + timedelta(minutes=45)
        assert (await idle_once(core)).noticed == 1
        (warning,) = await _notes(core, "idle_warning")
        assert warning["member_id"] == owner and warning["case_id"] == case["id"]
        clock.now = T0 + timedelta(minutes=59, seconds=59)
        out = await idle_once(core)
        assert (out.noticed, out.reassigned) == (0, 0), "warned once, not moved early"
        assert (await cases(client))[0]["assignee"] == owner

        clock.now = T0 + timedelta(minutes=60)
        assert (await idle_once(core)).reassigned == 1
        (moved,) = await cases(client)
        assert moved["assignee"] not in (None, owner)
        assert moved["previous_assignee"] == owner
        (lead_note,) = await _notes(core, "idle_reassigned")
        assert lead_note["member_id"] == "sam", "the support lead sees it"

        (ev,) = await relayed(memory_broker, case["id"], "case.reassigned")
        assert f"owner {owner} idle for 60 min" in ev.payload["reason"]
        # The new owner's window starts now.
        assert (await accountability(client, case["id"]))["idle"]["since"] == clock.now.isoformat()


@pytest.mark.unit
async def test_work_on_a_reply_restarts_the_owner_window(memory_broker, sqlite_url) -> None:
    clock = Clock()
    app = create_app(settings(sqlite_url, POLICY), bus=memory_broker)
    core = app.state.core
    core.clock = clock
    async with running(app) as client:
        await memory_broker.append(
            encode([post_event(make_post("My parcel is late", received_at=T0))])
        )
        (case,) = await wait_cases(client, 1, what="case")
        clock.now = T0 + timedelta(minutes=40)
        drafted = make_event(
            "reply.drafted",
            ReplyEvent(reply_id="d1", case_id=case["id"], status="draft"),
            producer="test",
        )
        await memory_broker.append(encode([drafted]))

        async def restarted():
            idle = (await accountability(client, case["id"]))["idle"]
            return idle["since"] == clock.now.isoformat() or None

        await wait_for(restarted, what="idle window restarted by the draft")
        clock.now = T0 + timedelta(minutes=60)
        assert (await idle_once(core)).reassigned == 0
        clock.now = T0 + timedelta(minutes=85)
        assert (await idle_once(core)).noticed == 1
        clock.now = T0 + timedelta(minutes=100)
        assert (await idle_once(core)).reassigned == 1


@pytest.mark.unit
def test_shortest_delays_bound_which_watched_cases_can_be_due() -> None:
    from datetime import UTC, datetime

    from chorus_router.accountability import idle
    from chorus_router.accountability.policy import AccountabilityPolicy

    policy = AccountabilityPolicy(
        idle_minutes={"P1": 30, "P2": 120, "P3": 0}, idle_notice_fraction=0.5
    )
    assert idle.shortest_delays(policy) == (timedelta(minutes=15), timedelta(minutes=30))
    never = AccountabilityPolicy(idle_minutes={"P1": 0}, idle_notice_fraction=0.5)
    assert idle.shortest_delays(never) is None
    # Anything younger than the shortest warning delay is "wait" for every priority.
    since = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    for prio in ("P1", "P2", "P3"):
        assert idle.verdict(since, prio, None, since + timedelta(minutes=14), policy) == "wait"
