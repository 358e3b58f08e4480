"""An approval policy must require a team that exists: the responder asks the router (which
owns the directory) when a policy is written, so no policy can strand its replies."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from chorus_cli.embedded import free_port
from chorus_common.messaging.bus.memory import MemoryBroker
from chorus_responder.app import create_app as responder_app
from chorus_responder.directory import RouterDirectory
from chorus_router.app import create_app as router_app
from chorus_router.settings import RouterSettings

from services.responder.tests.responder_helpers import settings
from tests.support.fixtures import FAST_KAFKA_ENV, auth, running

POLICY = {
    "id": "legal-on-x",
    "name": "X replies go through legal",
    "when": {"platforms": ["x"]},
    "require": {"team": "legal"},
}


def _error(r: httpx.Response) -> dict[str, Any]:
    """The problem a responder answered."""
    assert r.headers["content-type"] == "application/problem+json", r.text
    body: dict[str, Any] = r.json()
    return body


async def _policy_ids(client: httpx.AsyncClient) -> list[str]:
    r = await client.get("/v1/policies", headers=auth("admin"))
    return [p["id"] for p in r.json()["policies"]]


@pytest.mark.integration
@pytest.mark.timeout(90)
async def test_a_policy_requiring_a_team_the_router_does_not_know_is_refused(
    db_url: str, memory_broker: MemoryBroker
) -> None:
    router = router_app(RouterSettings(database_url=db_url, **FAST_KAFKA_ENV), bus=memory_broker)
    cfg = settings(db_url, sender_enabled=False, router_url="http://router")
    directory = RouterDirectory(cfg, transport=httpx.ASGITransport(app=router))
    responder = responder_app(cfg, bus=memory_broker, directory=directory)
    async with running(router) as routing, running(responder) as client:
        admin = auth("admin")
        ok = await client.post("/v1/policies", json=POLICY, headers=admin)
        assert ok.status_code == 201, ok.text

        typo = {**POLICY, "id": "typo", "require": {"team": "legl"}}
        r = await client.post("/v1/policies", json=typo, headers=admin)
        assert r.status_code == 422, r.text
        assert (_error(r)["code"], _error(r)["field"]) == ("unknown_team", "require.team")
        assert "legl" in _error(r)["detail"]
        assert "typo" not in await _policy_ids(client)

        r = await client.put(
            "/v1/policies/legal-on-x", json={**typo, "id": "legal-on-x"}, headers=admin
        )
        assert r.status_code == 422 and _error(r)["code"] == "unknown_team"
        listed = (await client.get("/v1/policies", headers=admin)).json()["policies"]
        assert next(p for p in listed if p["id"] == "legal-on-x")["require"]["team"] == "legal"

        # a team created in the router is known at once
        team = await routing.post(
            "/v1/teams", json={"id": "newsroom", "name": "Newsroom"}, headers=admin
        )
        assert team.status_code == 201, team.text
        newsroom = {**POLICY, "id": "newsroom-on-x", "require": {"team": "newsroom"}}
        assert (await client.post("/v1/policies", json=newsroom, headers=admin)).status_code == 201


@pytest.mark.integration
@pytest.mark.timeout(60)
async def test_without_the_router_a_policy_is_not_written_and_the_answer_says_retry(
    sqlite_url: str, memory_broker: MemoryBroker
) -> None:
    cfg = settings(
        sqlite_url,
        sender_enabled=False,
        router_url=f"http://127.0.0.1:{free_port()}",  # nothing listens there
        directory_timeout_seconds=2.0,
    )
    async with running(responder_app(cfg, bus=memory_broker)) as client:
        r = await client.post("/v1/policies", json=POLICY, headers=auth("admin"))
        assert r.status_code == 503, r.text
        assert _error(r)["code"] == "directory_unavailable"
        assert r.headers["Retry-After"] == "5"
        assert "legal-on-x" not in await _policy_ids(client)
