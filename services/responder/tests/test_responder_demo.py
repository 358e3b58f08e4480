"""The demo end to end over real HTTP: assigned cases from a (fake) router are drafted from a
template by their owner, signed off by the right members of the demo directory, sent to the
sandbox platform; the live stream shows the activity to the case's team only."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson
import pytest
import uvicorn
from chorus_cli.demo_replies import run_reply_demo
from chorus_cli.sandbox import create_sandbox_app
from chorus_common.embedded import free_port
from chorus_common.settings import DEV_TOKEN_SECRET
from chorus_responder.app import create_app
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.responder.tests.responder_helpers import agent, make_case, make_post, seed, settings
from tests.support.wait import wait_for


@asynccontextmanager
async def serve(app):
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    await wait_for(lambda: _value(server.started), what="server start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 20)


async def _value(v):
    return v


def fake_router(cases: list[dict[str, Any]]) -> Starlette:
    async def list_cases(request):
        assert "assigned" in request.query_params["status"].split(",")
        assert request.headers["authorization"].startswith("Bearer ")
        items = [{**c, "id": c["case_id"]} for c in cases]  # as the router's API names it
        return JSONResponse({"items": items, "next_cursor": None})

    return Starlette(routes=[Route("/v1/cases", list_cases)])


@pytest.mark.unit
async def test_demo_drafts_gets_sign_off_and_sends_to_the_sandbox(
    memory_broker, sqlite_url
) -> None:
    sandbox = create_sandbox_app()
    async with serve(sandbox) as sandbox_url:
        app = create_app(settings(sqlite_url, platform_base_url=sandbox_url), bus=memory_broker)
        async with serve(app) as responder_url:
            post = make_post(platform="x", display_name="Ann")
            legal = make_case(post, team="support", assignee="tom", tags=("legal",))
            await seed(memory_broker, app, post, legal)
            review = make_post(
                platform="google_business",
                kind="review",
                rating=1,
                channel="accounts/1/locations/9",
            )
            low = make_case(review, team="support", assignee="uma")
            await seed(memory_broker, app, review, low)
            cases = [legal.model_dump(mode="json"), low.model_dump(mode="json")]
            async with serve(fake_router(cases)) as router_url:
                stop = asyncio.Event()
                demo = asyncio.create_task(
                    run_reply_demo(responder_url, router_url, DEV_TOKEN_SECRET, stop, interval=0.2)
                )
                async with httpx.AsyncClient(timeout=5) as client:

                    async def delivered():
                        r = await client.get(f"{sandbox_url}/sandbox/replies")
                        return r.json()["count"] == 2 and r.json()

                    got = await wait_for(delivered, timeout=30, what="two replies in the sandbox")
                    stop.set()
                    await asyncio.wait_for(demo, 10)
                    r = await client.get(
                        f"{responder_url}/v1/cases/{legal.case_id}/replies",
                        headers=agent("tom", "support"),
                    )
        reply = r.json()["replies"][0]
    assert {i["platform"] for i in got["replies"]} == {"x", "google_business"}
    x_text = next(i["text"] for i in got["replies"] if i["platform"] == "x")
    assert (
        x_text
        == f"Hi Ann, thanks for reaching out. The Chorus team is on it (case {legal.case_id})."
    )
    assert reply["author_id"] == "tom" and reply["status"] in ("sending", "sent")
    assert [a["by"] for a in reply["approvals"]] == ["marc"]


@pytest.mark.unit
async def test_stream_shows_drafting_and_sent_to_the_case_team_only(
    memory_broker, sqlite_url
) -> None:
    sandbox = create_sandbox_app()
    async with serve(sandbox) as sandbox_url:
        app = create_app(settings(sqlite_url, platform_base_url=sandbox_url), bus=memory_broker)
        async with serve(app) as url:
            post = make_post()
            case = await seed(memory_broker, app, post, make_case(post, team="support"))
            other = make_post()
            hidden = await seed(memory_broker, app, other, make_case(other, team="legal"))
            seen: list[dict[str, Any]] = []

            async def listen():
                async with (
                    httpx.AsyncClient(timeout=30) as c,
                    c.stream("GET", f"{url}/v1/stream", headers=agent("bob", "support")) as resp,
                ):
                    assert resp.headers["content-type"].startswith("text/event-stream")
                    async for line in resp.aiter_lines():
                        if line.startswith("data: "):
                            seen.append(orjson.loads(line[6:]))

            listener = asyncio.create_task(listen())
            await wait_for(
                lambda: _value(app.state.broadcaster.subscribers == 1), what="subscriber"
            )
            async with httpx.AsyncClient(base_url=url, timeout=5) as client:
                ann = agent("ann", "support")
                rid = (
                    await client.post(
                        f"/v1/cases/{case.case_id}/replies", json={"text": "Hi"}, headers=ann
                    )
                ).json()["reply_id"]
                await client.post(
                    f"/v1/cases/{hidden.case_id}/replies",
                    json={"text": "Hi"},
                    headers=agent("lea", "legal"),
                )
                await client.post(f"/v1/replies/{rid}/send", headers=ann)
                await wait_for(
                    lambda: _value(any(e["type"] == "reply.sent" for e in seen)),
                    what="sent on the stream",
                )
            listener.cancel()
    types = [e["type"] for e in seen]
    assert "reply.drafting" in types and "reply.sent" in types
    assert {e["case_id"] for e in seen} == {case.case_id}, "the legal case is not the caller's"
    assert all(e["member"] == "ann" for e in seen)
    assert all("text" not in e for e in seen)
