"""The live stream: case changes over SSE, filtered to what the caller may see."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import uvicorn
from chorus_cli.embedded import free_port
from chorus_router.app import create_app
from chorus_router.settings import RouterSettings

from services.router.tests.router_support import encode, make_post, post_event
from tests.support.fixtures import FAST_KAFKA_ENV, auth
from tests.support.wait import wait_for


async def _read_events(
    url: str, headers: dict[str, str], want: int, out: list[tuple[str, Any]]
) -> None:
    async with (
        httpx.AsyncClient(timeout=30) as client,
        client.stream("GET", url, headers=headers) as resp,
    ):
        assert resp.status_code == 200
        event = None
        async for line in resp.aiter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event:
                out.append((event, json.loads(line.split(":", 1)[1])))
                if len(out) >= want:
                    return


@pytest.mark.integration
async def test_stream_sends_only_visible_case_changes(memory_broker, sqlite_url) -> None:
    settings = RouterSettings(database_url=sqlite_url, **FAST_KAFKA_ENV)
    app = create_app(settings, bus=memory_broker)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    base = f"http://127.0.0.1:{port}"
    try:

        async def up():
            try:
                async with httpx.AsyncClient() as c:
                    return (await c.get(f"{base}/readyz")).status_code == 200
            except httpx.HTTPError:
                return False

        await wait_for(up, what="server up")
        support: list[tuple[str, Any]] = []
        everything: list[tuple[str, Any]] = []
        agent = auth("agent", member_id="tom", teams=("support",))
        readers = [
            asyncio.create_task(_read_events(f"{base}/v1/stream", agent, 2, support)),
            asyncio.create_task(_read_events(f"{base}/v1/stream", auth("admin"), 4, everything)),
        ]
        await wait_for(lambda: _subscribed(app, 2), what="two subscribers")
        legal = make_post("My attorney is on it")
        parcel = make_post("Where is my parcel?")
        await memory_broker.append(encode([post_event(legal), post_event(parcel)]))
        await asyncio.wait_for(asyncio.gather(*readers), timeout=30)
        assert [e for e, _ in support] == ["case.opened", "case.assigned"]
        assert {d["team"] for _, d in support} == {"support"}
        assert {d["team"] for _, d in everything} == {"support", "legal"}
        assert support[1][1]["assignee"] and support[1][1]["decision"]["matched"]
    finally:
        server.should_exit = True
        await serving


async def _subscribed(app, n: int) -> bool:
    return app.state.core.hub.subscribers >= n
