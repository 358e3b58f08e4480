"""Helpers of the accountability tests: a clock the test moves, app settings, case actions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chorus_router.settings import RouterSettings

from tests.support.fixtures import FAST_KAFKA_ENV, auth
from tests.support.wait import wait_for

ADMIN = auth("admin")
# A Wednesday, 10:00 UTC: Paris office hours, Toronto/Montreal not yet at work.
T0 = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


class Clock:
    """Injected as ``RouterCore.clock``: time moves only when the test says so."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> datetime:
        self.now += timedelta(**kw)
        return self.now


def settings(url: str, policy: dict[str, Any] | None = None, **kw: Any) -> RouterSettings:
    env = {**FAST_KAFKA_ENV, "router_release_seconds": 0.2, **kw}
    if policy is not None:
        env["router_accountability"] = policy
    return RouterSettings(database_url=url, **env)


async def cases(client, **params) -> list[dict[str, Any]]:
    r = await client.get("/v1/cases", params={"limit": 200, **params}, headers=ADMIN)
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def wait_cases(client, n: int, what: str = "cases", **params) -> list[dict[str, Any]]:
    async def enough():
        items = await cases(client, **params)
        return items if len(items) >= n else None

    return await wait_for(enough, timeout=30, what=what)


async def act(
    client, case_id: str, action: str, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Any:
    r = await client.get(f"/v1/cases/{case_id}", headers=ADMIN)
    assert r.status_code == 200, r.text
    return await client.post(
        f"/v1/cases/{case_id}/{action}",
        json=body,
        headers={**(headers or ADMIN), "If-Match": r.headers["etag"]},
    )


async def availability(client, member: str, state: str, until: str | None = None) -> None:
    body: dict[str, Any] = {"availability": state}
    if until:
        body["until"] = until
    r = await client.put(f"/v1/members/{member}/availability", json=body, headers=ADMIN)
    assert r.status_code == 200, r.text


async def accountability(client, case_id: str) -> dict[str, Any]:
    r = await client.get(f"/v1/cases/{case_id}/accountability", headers=ADMIN)
    assert r.status_code == 200, r.text
    return r.json()
