"""The responder's stream opened by a browser: a single-use ticket instead of the
Authorization header, bound to its caller; event ids and replay with ``last_event_id``."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import orjson
import pytest
from chorus_common.bus.memory import MemoryBroker
from chorus_responder.app import create_app
from fastapi import FastAPI

from services.responder.tests.responder_helpers import agent, make_case, make_post, seed, settings
from tests.support.served import served
from tests.support.wait import wait_for

Events = list[tuple[str, dict[str, Any]]]


async def _read(url: str, want: int, out: Events) -> None:
    """(id, data) of the first ``want`` events of the stream at ``url``, without a header."""
    async with httpx.AsyncClient(timeout=30) as client, client.stream("GET", url) as resp:
        assert resp.status_code == 200, await resp.aread()
        ident = ""
        async for line in resp.aiter_lines():
            if line.startswith("id: "):
                ident = line[4:]
            elif line.startswith("data: "):
                out.append((ident, orjson.loads(line[6:])))
                if len(out) >= want:
                    return


async def _ticket(c: httpx.AsyncClient, headers: dict[str, str]) -> str:
    resp = await c.post("/v1/stream/tickets", headers=headers)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["ticket"])


def _subscribed(app: FastAPI, n: int) -> Any:
    async def probe() -> bool:
        return bool(app.state.broadcaster.subscribers >= n)

    return probe


@pytest.mark.integration
@pytest.mark.timeout(90)
async def test_a_ticket_opens_the_reply_stream_once_as_its_caller_and_ids_replay(
    memory_broker: MemoryBroker, sqlite_url: str
) -> None:
    app = create_app(settings(sqlite_url, sender_enabled=False), bus=memory_broker)
    async with served(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as c:
        post, other = make_post(), make_post()
        case = await seed(memory_broker, app, post, make_case(post, team="support"))
        hidden = await seed(memory_broker, app, other, make_case(other, team="legal"))
        bob = agent("bob", "support")
        ticket = await _ticket(c, bob)
        seen: Events = []
        reader = asyncio.create_task(_read(f"{base}/v1/stream?ticket={ticket}", 2, seen))
        await wait_for(_subscribed(app, 1), what="a subscriber")
        for where, who in [(hidden, agent("lea", "legal")), (case, agent("ann", "support"))] * 2:
            resp = await c.post(
                f"/v1/cases/{where.case_id}/replies", json={"text": "Hi"}, headers=who
            )
            assert resp.status_code == 201, resp.text
        await asyncio.wait_for(reader, timeout=30)
        assert {d["type"] for _, d in seen} <= {"reply.drafting", "reply.drafted"}
        assert {d["case_id"] for _, d in seen} == {case.case_id}, "only bob's team's case"
        assert int(seen[0][0]) < int(seen[1][0])
        again = await c.get(f"/v1/stream?ticket={ticket}")
        assert again.status_code == 401
        assert (again.json()["code"], again.json()["field"]) == ("ticket_used", "query.ticket")
        replayed: Events = []
        url = f"{base}/v1/stream?ticket={await _ticket(c, bob)}&last_event_id={seen[0][0]}"
        await asyncio.wait_for(_read(url, 1, replayed), timeout=30)
        assert replayed == seen[1:], "the visible event after the id, first"
