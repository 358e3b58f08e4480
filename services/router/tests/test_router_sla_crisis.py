"""SLA breaches survive a restart and are announced once; crisis mode sends posts to PR."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from chorus_router.app import create_app
from chorus_router.background import sla_once
from chorus_router.settings import RouterSettings

from services.router.tests.router_support import (
    buzz_event,
    case_events,
    encode,
    make_post,
    post_event,
)
from tests.support.fixtures import FAST_KAFKA_ENV, auth, running
from tests.support.wait import wait_for

ADMIN = auth("admin")


def _settings(url: str, **kw: Any) -> RouterSettings:
    env = {**FAST_KAFKA_ENV, "router_release_seconds": 0.2, **kw}
    return RouterSettings(database_url=url, **env)


def _types(broker, case_id: str) -> list[str]:
    return [e.type for e in case_events(broker, case_id)]


@pytest.mark.integration
async def test_sla_breach_is_announced_once_after_a_restart(memory_broker, db_url) -> None:
    # A legal threat has a 60-minute first-response SLA; this one arrived 59m57s ago.
    received = datetime.now(UTC) - timedelta(minutes=59, seconds=57)
    post = make_post("I am suing you", received_at=received)
    slow_checker = {"router_sla_check_seconds": 3600.0}
    app = create_app(_settings(db_url, **slow_checker), bus=memory_broker)
    async with running(app) as client:
        await memory_broker.append(encode([post_event(post)]))

        async def opened():
            r = await client.get("/v1/cases", headers=ADMIN)
            return r.json()["items"]

        (case,) = await wait_for(opened, what="case opened")
        assert case["sla_due_at"] > datetime.now(UTC).isoformat()
    # The first process is gone before the SLA ran out; the due time is in the database.
    app2 = create_app(_settings(db_url, router_sla_check_seconds=0.2), bus=memory_broker)
    async with running(app2) as client:

        async def breached():
            types = _types(memory_broker, case["id"])
            return types if "case.escalated" in types else None

        types = await wait_for(breached, timeout=30, what="case.sla_breached after restart")
        assert types.count("case.sla_breached") == 1
        assert await sla_once(app2.state.core) == 0, "a breach is announced only once"
        r = await client.get(f"/v1/cases/{case['id']}", headers=ADMIN)
        body = r.json()
        assert body["escalated_to"] == "lena" and body["sla_breached_at"]
        lead = auth("lead", member_id="lena", teams=("legal",))
        notes = (await client.get("/v1/notifications", headers=lead)).json()["items"]
        assert [n["kind"] for n in notes] == ["sla_breached"]
    assert _types(memory_broker, case["id"]).count("case.sla_breached") == 1


@pytest.mark.unit
async def test_crisis_mode_sends_matching_posts_to_pr_as_p1(memory_broker, sqlite_url) -> None:
    app = create_app(_settings(sqlite_url), bus=memory_broker)
    async with running(app) as client:
        await memory_broker.append(encode([buzz_event("recall", keyword="recall")]))
        lead = auth("lead", member_id="paul", teams=("pr",))

        async def notified():
            r = await client.get("/v1/notifications", headers=lead)
            return r.json()["items"]

        (note,) = await wait_for(notified, what="PR lead notified")
        assert note["kind"] == "crisis_raised"
        hit = make_post("Is the recall affecting my order?")
        miss = make_post("Where is my order?")
        await memory_broker.append(encode([post_event(hit), post_event(miss)]))

        async def both():
            r = await client.get("/v1/cases", headers=ADMIN)
            items = r.json()["items"]
            return {i["latest_post_id"]: i for i in items} if len(items) == 2 else None

        cases = await wait_for(both, what="two cases")
        crisis = cases[hit.id]
        assert (crisis["team"], crisis["priority"], crisis["crisis"]) == ("pr", "P1", "recall")
        assert "support" in crisis["collaborators"] and "crisis" in crisis["tags"]
        assert "crisis mode" in " ".join(crisis["decision"]["notes"])
        assert cases[miss.id]["team"] == "support"

        await memory_broker.append(encode([buzz_event("recall", state="cleared")]))
        await wait_for(lambda: _note_count(client, lead, 2), what="crisis cleared notification")
        after = make_post("And the recall refund?")
        await memory_broker.append(encode([post_event(after)]))

        async def routed():
            r = await client.get("/v1/cases", params={"team": "support"}, headers=ADMIN)
            return [i for i in r.json()["items"] if i["latest_post_id"] == after.id]

        (normal,) = await wait_for(routed, what="post after the crisis routed normally")
        assert normal["priority"] != "P1"


async def _note_count(client, headers, n: int) -> bool:
    r = await client.get("/v1/notifications", headers=headers)
    return len(r.json()["items"]) == n
