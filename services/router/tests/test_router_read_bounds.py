"""The worst request each of the router's read endpoints allows stays within a time and
memory budget: pages of at most 200 cases / 500 members, versions, audit entries and
notifications, a team queue of at most 500, one case's whole log, a stream replay of at most
2,000 events; an id in Last-Event-ID the router never sent replays nothing (not a 500)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from functools import partial
from typing import Any

import httpx
import pytest
import uvicorn
from chorus_common.bus.memory import MemoryBroker
from chorus_common.embedded import free_port
from chorus_common.events import CaseEvent, make_event, utcnow
from chorus_common.resume import resume_after
from chorus_router import models
from chorus_router.app import create_app
from chorus_router.domain.fairness import within_bound
from chorus_router.fairness_report import all_within_bound
from chorus_router.settings import RouterSettings
from hypothesis import given
from hypothesis import strategies as st

from services.router.tests.router_seed import seed, seed_directory
from tests.support.budget import cost_of
from tests.support.fixtures import FAST_KAFKA_ENV, auth, running
from tests.support.wait import wait_for

CASES = 20_000
LOG_ENTRIES = 5_000
MEMBERS = 5_000
ROWS = 20_000  # audit entries, notifications
SECONDS, MIB = 10.0, 64  # per request, SQLite or PostgreSQL
# A member the seeded directory has: tokens naming a member are checked against it.
AGENT = auth("agent", member_id="zz-member-000001", teams=("support", "pr"))
ADMIN = auth("admin")


def _settings(url: str) -> RouterSettings:
    # No consumer and no background pass during the test: reads are measured alone.
    return RouterSettings(
        database_url=url,
        consumer_enabled=False,
        router_release_seconds=3600,
        router_sla_check_seconds=3600,
        **FAST_KAFKA_ENV,
    )


WORST: list[tuple[str, dict[str, Any], dict[str, str]]] = [
    ("/v1/cases", {"limit": 200, "sort": "priority"}, AGENT),
    ("/v1/cases", {"limit": 200, "sort": "-sla_due_at", "status": "assigned,queued"}, AGENT),
    ("/v1/cases", {"limit": 200, "sort": "-updated_at", "team": "support,pr,legal"}, ADMIN),
    ("/v1/cases/case-000001", {}, ADMIN),
    ("/v1/cases/case-000001/accountability", {}, ADMIN),
    ("/v1/teams", {}, ADMIN),
    ("/v1/teams/support", {}, ADMIN),
    ("/v1/teams/support/queue", {}, ADMIN),
    ("/v1/teams/support/fairness", {}, ADMIN),
    ("/v1/members", {"limit": 500}, ADMIN),
    ("/v1/members", {"limit": 500, "team": "legal"}, ADMIN),  # 1 in 100: scans the directory
    ("/v1/members/zz-member-000001", {}, ADMIN),
    ("/v1/rules", {}, ADMIN),
    ("/v1/rules/versions", {"limit": 500}, ADMIN),
    ("/v1/audit", {"limit": 500}, ADMIN),
    ("/v1/notifications", {"limit": 500}, AGENT),
    ("/v1/posts/x:worst", {}, ADMIN),  # the case of the post, whose log is 5,000 entries long
]


@pytest.mark.integration
async def test_the_worst_allowed_read_requests_stay_within_budget(db_url) -> None:
    app = create_app(_settings(db_url), bus=MemoryBroker(partitions=4))
    now = utcnow()
    async with running(app) as client:
        async with app.state.runtime.sessionmaker() as session, session.begin():
            await seed(session, now, cases=CASES, log_entries=LOG_ENTRIES)
            await seed_directory(session, now, members=MEMBERS, versions=2_000, audit=ROWS)
            row = {
                "post_id": "x:worst",
                "case_id": "case-000001",
                "received_at": now,
                "revision": 1,
            }
            await session.execute(models.case_posts.insert().values(**row))
        for path, params, headers in WORST:
            get = partial(client.get, path, params=params, headers=headers)
            r, cost = await cost_of(get)
            assert r.status_code == 200, (path, r.text[:300])
            cost.within(SECONDS, MIB, f"GET {path} {params}")
        pages = {
            "/v1/cases": ({"limit": 200}, 200),
            "/v1/members": ({"limit": 500}, 500),
            "/v1/rules/versions": ({"limit": 500}, 500),
            "/v1/audit": ({"limit": 500}, 500),
        }
        for path, (params, n) in pages.items():
            assert len((await client.get(path, params=params, headers=ADMIN)).json()["items"]) == n
        queue = (await client.get("/v1/teams/support/queue", headers=ADMIN)).json()["items"]
        assert len(queue) == 500, "1,000 support cases are queued: the queue stops at 500"
        for path, params in (("/v1/cases", {"limit": 201}), ("/v1/members", {"limit": 501})):
            r = await client.get(path, params=params, headers=ADMIN)
            assert r.status_code == 422, (path, r.text)


@pytest.mark.unit
async def test_member_and_version_pages_cover_everything_once(sqlite_url) -> None:
    app = create_app(_settings(sqlite_url), bus=MemoryBroker(partitions=4))
    async with running(app) as client:
        async with app.state.runtime.sessionmaker() as session, session.begin():
            await seed_directory(session, utcnow(), members=250, versions=30, audit=0)
        for team, expected in ((None, None), ("legal", 3)):
            seen: list[str] = []
            params: dict[str, Any] = {"limit": 7, **({"team": team} if team else {})}
            while True:
                page = (await client.get("/v1/members", params=params, headers=ADMIN)).json()
                assert len(page["items"]) <= 7
                seen += [m["id"] for m in page["items"]]
                if page["next_after"] is None:
                    break
                params["after"] = page["next_after"]
            assert seen == sorted(set(seen))
            ours = [s for s in seen if s.startswith("zz-")]  # the rest is the seeded directory
            assert len(ours) == (expected or 250), team
        versions: list[int] = []
        params = {"limit": 8}
        while True:
            page = (await client.get("/v1/rules/versions", params=params, headers=ADMIN)).json()
            versions += [v["version"] for v in page["items"]]
            if page["next_before"] is None:
                break
            params["before"] = page["next_before"]
        assert versions == sorted(set(versions), reverse=True) and len(versions) >= 30


@pytest.mark.unit
def test_last_event_id_replays_only_ids_the_router_could_have_sent() -> None:
    assert resume_after("41") == 41 and resume_after(" 7 ") == 7
    for bogus in ("", "abc", "-3", "9" * 20, "9" * 5000, "٣", "1e9"):
        assert resume_after(bogus) is None, bogus


def _case_event(i: int) -> Any:
    payload = CaseEvent(
        case_id=uuid.uuid4().hex, thread_id=f"th-{i}", status="assigned", team="support",
        version=1, platform="x", channel="@brand", latest_post_id=f"x:{i}",
        opened_at=datetime(2026, 3, 1, tzinfo=UTC),
    )  # fmt: skip
    return make_event("case.assigned", payload, producer="test")


@pytest.mark.unit
async def test_a_stream_replay_is_at_most_the_kept_history(sqlite_url) -> None:
    app = create_app(_settings(sqlite_url), bus=MemoryBroker(partitions=4))
    async with running(app):
        hub = app.state.core.hub
        hub.publish([_case_event(i) for i in range(5_000)])

        async def replay() -> int:
            sub = hub.subscribe(lambda _item: True, 0)
            hub.unsubscribe(sub)
            return sub.queue.qsize()

        replayed, cost = await cost_of(replay)
        assert replayed == 2_000, "the last 2,000 events, not all 5,000"
        cost.within(SECONDS, MIB, "a replay of the whole history")


@pytest.mark.integration
async def test_a_last_event_id_we_never_sent_opens_the_stream_without_replay(sqlite_url) -> None:
    app = create_app(_settings(sqlite_url), bus=MemoryBroker(partitions=4))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_for(lambda: _up(base), what="router up")
        headers = {**ADMIN, "Last-Event-ID": "9" * 5000}
        async with (
            httpx.AsyncClient(timeout=10) as client,
            client.stream("GET", f"{base}/v1/stream", headers=headers) as resp,
        ):
            assert resp.status_code == 200
            assert resp.headers["content-type"].startswith("text/event-stream")
    finally:
        server.should_exit = True
        await serving


async def _up(base: str) -> bool:
    try:
        async with httpx.AsyncClient() as c:
            return (await c.get(f"{base}/healthz")).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.unit
@given(
    st.dictionaries(
        st.sampled_from("abcdefgh"), st.floats(0, 5, allow_nan=False), min_size=0, max_size=8
    ),
    st.sampled_from([1.0, 1.5, 2.0]),
)
def test_all_within_bound_agrees_with_asking_each_member(loads, bound) -> None:
    expected = all(within_bound(loads, m, bound) for m in loads)
    assert all_within_bound(loads, bound) == expected
