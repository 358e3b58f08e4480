"""`chorus routing retrain | what-if --model | promote | rollback | models` against a router
served over HTTP: the whole loop from a team's correction to a promoted model and back."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from chorus_cli import routing_models
from chorus_cli.embedded import free_port
from chorus_cli.main import main
from chorus_router.app import create_app
from fastapi import FastAPI

from services.router.tests.intent_fakes import FakeKit
from services.router.tests.router_accountability_support import (
    ADMIN,
    T0,
    Clock,
    act,
    settings,
    wait_cases,
)
from services.router.tests.router_support import encode, make_post, post_event, untrained
from tests.support.fixtures import auth, running, token
from tests.support.wait import wait_for

LEAD = token("lead", member_id="sam", teams=("support",))


@contextlib.asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    base = f"http://127.0.0.1:{port}"

    async def up() -> bool:
        try:
            async with httpx.AsyncClient() as c:
                return (await c.get(f"{base}/readyz")).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        await wait_for(up, what="router serving")
        yield base
    finally:
        server.should_exit = True
        await serving


async def chorus(capsys: Any, *argv: str) -> tuple[int, Any]:
    """Run the CLI in a thread (it is synchronous); its JSON answer."""
    capsys.readouterr()
    code = await asyncio.to_thread(main, list(argv))
    out = capsys.readouterr().out
    return code, json.loads(out) if code == 0 and out.startswith(("{", "[")) else out


@pytest.mark.integration
async def test_retrain_what_if_promote_rollback_through_the_cli(
    memory_broker, sqlite_url, capsys, monkeypatch
) -> None:
    monkeypatch.setattr(routing_models, "POLL_SECONDS", 0.05)
    clock = Clock(T0)
    app = create_app(settings(sqlite_url), bus=memory_broker, intent_kit=FakeKit())
    app.state.core.clock = clock
    text = "The trade dress of your new bottle copies ours exactly"
    async with served(app) as base, running(app) as client:
        await memory_broker.append(encode([post_event(make_post(text, received_at=T0))]))
        (case,) = await wait_cases(client, 1)
        assert case["team"] == "support"
        lead = auth("lead", member_id="sam", teams=("support",))
        r = await act(client, case["id"], "transfer", {"team": "legal"}, lead)
        assert r.status_code == 200, r.text
        clock.advance(hours=1)
        common = ("--url", base, "--token", LEAD)

        code, cand = await chorus(capsys, "routing", "retrain", *common, "--json")
        assert code == 0 and cand["corrections"] == 1 and cand["status"] == "ready"
        version = cand["version"]
        code, text_out = await chorus(capsys, "routing", "retrain", *common)
        assert code == 0 and "chorus routing promote retrain-2" in text_out
        code, started = await chorus(capsys, "routing", "retrain", "--no-wait", *common)
        assert code == 0 and started.startswith("training retrain-3")

        code, w = await chorus(
            capsys, "routing", "what-if", "--model", version, "--since", "1d", *common, "--json"
        )
        assert code == 0 and w["intent_model"]["moved"]["by_route"] == {"support→legal": 1}
        code, table = await chorus(
            capsys, "routing", "what-if", "--model", version, "--since", "1d", *common
        )
        assert code == 0
        assert f"intent model fake-1 → {version}: 1 cases would move" in table
        assert "support → legal" in table

        code, done = await chorus(capsys, "routing", "promote", version, *common)
        assert code == 0 and done.strip() == f"promoted {version} (was fake-1)"
        await untrained(app)
        code, listing = await chorus(capsys, "routing", "models", *common)
        assert code == 0 and f"* {version}" in listing and "retrain-3" in listing
        r = await client.get("/v1/intent/model", headers=ADMIN)
        assert r.json()["version"] == version

        code, done = await chorus(capsys, "routing", "rollback", *common)
        assert code == 0 and done.strip() == f"rolled back to fake-1 (was {version})"
        code, _ = await chorus(capsys, "routing", "rollback", *common)
        assert code == 1, "nothing left to roll back"
        agent = token("agent", member_id="tom", teams=("support",))
        code, _ = await chorus(capsys, "routing", "retrain", "--url", base, "--token", agent)
        assert code == 1, "agents may not retrain"
