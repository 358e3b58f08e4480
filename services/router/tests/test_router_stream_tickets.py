"""A browser's way into the router's stream: a single-use ticket in the URL instead of the
Authorization header, bound to whoever asked for it; replay with ``last_event_id``."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import httpx
import pytest
from chorus_common.auth import verify_token
from chorus_common.bus.memory import MemoryBroker
from chorus_common.embedded import free_port
from chorus_common.settings import DEV_TOKEN_SECRET
from chorus_common.startup import server_config
from chorus_common.tickets import StreamTickets
from chorus_router.app import create_app
from chorus_router.settings import RouterSettings
from fastapi import FastAPI

from services.router.tests.router_support import encode, make_post, post_event
from tests.support.fixtures import FAST_KAFKA_ENV, token
from tests.support.served import served
from tests.support.wait import wait_for

AGENT = token("agent", member_id="tom", teams=("support",))
ADMIN = token("admin")
CONSOLE = "http://127.0.0.1:8080"
Events = list[tuple[str, str, dict[str, Any]]]


def _bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


async def _read(url: str, want: int, out: Events, headers: dict[str, str] | None = None) -> None:
    """(id, event, data) of the first ``want`` events of the stream at ``url``."""
    async with (
        httpx.AsyncClient(timeout=30) as client,
        client.stream("GET", url, headers=headers or {}) as resp,
    ):
        assert resp.status_code == 200, await resp.aread()
        origin = (headers or {}).get("Origin")
        assert resp.headers.get("access-control-allow-origin") == origin
        ident = event = ""
        async for line in resp.aiter_lines():
            if line.startswith("id:"):
                ident = line.split(":", 1)[1].strip()
            elif line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event:
                out.append((ident, event, json.loads(line.split(":", 1)[1])))
                if len(out) >= want:
                    return


async def _ticket(c: httpx.AsyncClient, bearer: str) -> str:
    resp = await c.post("/v1/stream/tickets", headers=_bearer(bearer))
    assert resp.status_code == 201, resp.text
    return str(resp.json()["ticket"])


def _subscribed(app: FastAPI, n: int) -> Callable[[], Awaitable[bool]]:
    async def probe() -> bool:
        return bool(app.state.core.hub.subscribers >= n)

    return probe


def _app(sqlite_url: str, bus: MemoryBroker, **kw: Any) -> FastAPI:
    return create_app(RouterSettings(database_url=sqlite_url, **FAST_KAFKA_ENV, **kw), bus=bus)


async def _two_cases(bus: MemoryBroker) -> None:
    """A legal case (team legal) and a parcel case (team support)."""
    legal, parcel = make_post("My attorney is on it"), make_post("Where is my parcel?")
    await bus.append(encode([post_event(legal), post_event(parcel)]))


def _problem(resp: httpx.Response) -> tuple[int, str, str | None]:
    body = resp.json()
    return resp.status_code, body["code"], body.get("field")


@pytest.mark.integration
@pytest.mark.timeout(90)
async def test_a_ticket_opens_the_stream_once_as_the_agent_who_asked_for_it(
    memory_broker: MemoryBroker, sqlite_url: str
) -> None:
    app = _app(sqlite_url, memory_broker, cors_allow_origins=CONSOLE)
    async with served(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as c:
        asked = time.time()
        resp = await c.post("/v1/stream/tickets", headers=_bearer(AGENT))
        assert resp.status_code == 201, resp.text
        ticket = resp.json()["ticket"]
        expires = datetime.fromisoformat(resp.json()["expires_at"]).timestamp()
        assert asked + 29 <= expires <= time.time() + 30, "30 s from when it was asked"
        assert AGENT not in ticket
        mine: Events = []
        everything: Events = []
        readers = [
            asyncio.create_task(
                _read(f"{base}/v1/stream?ticket={ticket}", 2, mine, {"Origin": CONSOLE})
            ),
            asyncio.create_task(_read(f"{base}/v1/stream", 4, everything, _bearer(ADMIN))),
        ]
        await wait_for(_subscribed(app, 2), what="two subscribers")
        await _two_cases(memory_broker)
        await asyncio.wait_for(asyncio.gather(*readers), timeout=30)
        assert [e for _, e, _ in mine] == ["case.opened", "case.assigned"]
        assert {d["team"] for _, _, d in mine} == {"support"}, "only the agent's team's cases"
        assert {d["team"] for _, _, d in everything} == {"support", "legal"}
        again = await c.get(f"/v1/stream?ticket={ticket}")
        assert _problem(again) == (401, "ticket_used", "query.ticket")


@pytest.mark.integration
@pytest.mark.timeout(90)
async def test_last_event_id_in_the_query_replays_the_events_after_it(
    memory_broker: MemoryBroker, sqlite_url: str
) -> None:
    app = _app(sqlite_url, memory_broker)
    async with served(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as c:
        first: Events = []
        reader = asyncio.create_task(_read(f"{base}/v1/stream", 2, first, _bearer(AGENT)))
        await wait_for(_subscribed(app, 1), what="a subscriber")
        await _two_cases(memory_broker)
        await asyncio.wait_for(reader, timeout=30)
        ticket = await _ticket(c, AGENT)
        replayed: Events = []
        url = f"{base}/v1/stream?ticket={ticket}&last_event_id={first[0][0]}"
        await asyncio.wait_for(_read(url, 1, replayed), timeout=30)
        assert replayed[0][:2] == first[1][:2], "the event after the id, and only those after it"


@pytest.mark.integration
@pytest.mark.timeout(60)
async def test_an_expired_forged_or_foreign_ticket_is_refused(
    memory_broker: MemoryBroker, sqlite_url: str
) -> None:
    app = _app(sqlite_url, memory_broker)
    tickets: StreamTickets = app.state.stream_tickets
    agent = verify_token(DEV_TOKEN_SECRET, AGENT)
    expired = tickets.issue(agent, now=time.time() - 60).ticket
    responders = StreamTickets(DEV_TOKEN_SECRET, service="responder", issuer="chorus")
    foreign = responders.issue(agent).ticket
    async with served(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as c:
        for ticket, code in [
            (expired, "ticket_expired"),
            (foreign, "ticket_invalid"),
            ("not-a-ticket", "ticket_invalid"),
            (AGENT, "ticket_invalid"),  # a bearer token is no ticket
        ]:
            resp = await c.get("/v1/stream", params={"ticket": ticket})
            assert _problem(resp) == (401, code, "query.ticket"), ticket
        as_bearer = await c.get("/v1/stream", headers=_bearer(await _ticket(c, AGENT)))
        assert _problem(as_bearer)[:2] == (401, "token_invalid"), "a ticket is no bearer token"
        anonymous = await c.post("/v1/stream/tickets")
        assert _problem(anonymous)[:2] == (401, "missing_token")
        writer = token("service", scopes=["posts:write"])
        assert _problem(await c.post("/v1/stream/tickets", headers=_bearer(writer)))[:2] == (
            403,
            "insufficient_scope",
        )


@pytest.mark.integration
@pytest.mark.timeout(90)
async def test_no_ticket_or_token_reaches_a_log(
    memory_broker: MemoryBroker,
    sqlite_url: str,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = RouterSettings(database_url=sqlite_url, port=free_port(), **FAST_KAFKA_ENV)
    app = create_app(settings, bus=memory_broker)
    async with (
        served(app, server_config(app, settings)) as base,
        httpx.AsyncClient(base_url=base, timeout=10) as c,
    ):
        ticket = await _ticket(c, AGENT)
        seen: Events = []
        reader = asyncio.create_task(_read(f"{base}/v1/stream?ticket={ticket}", 1, seen))
        await wait_for(_subscribed(app, 1), what="a subscriber")
        await _two_cases(memory_broker)
        await asyncio.wait_for(reader, timeout=30)
        assert (await c.get(f"/v1/stream?ticket={ticket}")).status_code == 401
        assert (await c.get("/v1/stream", headers=_bearer(AGENT + "x"))).status_code == 401
    # The test's own HTTP client logs its URLs; everything else is the service's.
    service_logs = [
        f"{r.getMessage()} {r.__dict__}"
        for r in caplog.records
        if not r.name.startswith(("httpx", "httpcore"))
    ]
    printed = capfd.readouterr()
    for secret in (ticket, AGENT):
        assert not [line for line in service_logs if secret in line]
        assert secret not in printed.out and secret not in printed.err
