"""The router app on the in-memory bus: posts become cases, once, with their decision."""

from __future__ import annotations

import pytest
from chorus_router.app import create_app
from chorus_router.settings import RouterSettings

from services.router.tests.router_support import case_events, encode, make_post, post_event
from tests.support.fixtures import FAST_KAFKA_ENV, auth, running
from tests.support.wait import wait_for


def _settings(url: str, **kw) -> RouterSettings:
    return RouterSettings(
        database_url=url, **{**FAST_KAFKA_ENV, "router_release_seconds": 0.2, **kw}
    )


@pytest.mark.unit
async def test_posts_become_one_assigned_case_per_conversation(memory_broker, sqlite_url) -> None:
    app = create_app(_settings(sqlite_url), bus=memory_broker)
    async with running(app) as client:
        first = make_post("My lawyers will contact you", thread_id="x:t1", native_id="t1")
        follow = make_post("and I want my money back", thread_id="x:t1")
        other = make_post("Where is my parcel?")
        ev = post_event(first)
        await memory_broker.append(encode([ev, post_event(follow), post_event(other), ev]))

        async def two_cases():
            r = await client.get("/v1/cases", headers=auth("admin"))
            items = r.json()["items"]
            return items if len(items) == 2 and all(i["post_count"] for i in items) else None

        items = await wait_for(two_cases, timeout=20, what="two cases")
        by_team = {i["team"]: i for i in items}
        legal = by_team["legal"]
        assert legal["post_count"] == 2
        assert legal["status"] == "assigned"
        assert legal["assignee"] in {"lena", "marc", "nora"}
        assert "support" in legal["collaborators"]
        r = await client.get(f"/v1/cases/{legal['id']}", headers=auth("admin"))
        assert r.headers["etag"] == f'"{legal["version"]}"'
        decision = r.json()["decision"]
        assert decision["matched"][0]["rule"] == "legal-litigation"
        assert decision["assignment"]["candidates"]

        # The events are relayed after the commit that made the case visible: wait for them.
        async def relayed() -> list[str]:
            types = [e.type for e in case_events(memory_broker, legal["id"])]
            return types if len(types) >= 2 else []

        types = await wait_for(relayed, what="the case's first two events")
        assert types[:2] == ["case.opened", "case.assigned"]
        assert types.count("case.opened") == 1
