"""Case lifecycle through the app: queue and release, reassignment, hand-back, replies."""

from __future__ import annotations

from typing import Any

import pytest
from chorus_router import models
from chorus_router.app import create_app
from chorus_router.settings import RouterSettings
from chorus_router.snapshot import bump
from sqlalchemy import update

from services.router.tests.router_support import (
    always_working,
    case_events,
    encode,
    make_post,
    post_event,
    reply_event,
)
from tests.support.fixtures import FAST_KAFKA_ENV, auth, running
from tests.support.wait import wait_for

ADMIN = auth("admin")
SUPPORT = ("sam", "tom", "uma", "victor")


def _settings(url: str, **kw: Any) -> RouterSettings:
    env = {**FAST_KAFKA_ENV, "router_release_seconds": 0.2, **kw}
    return RouterSettings(database_url=url, **env)


async def _cases(client, **params) -> list[dict[str, Any]]:
    r = await client.get("/v1/cases", params=params, headers=ADMIN)
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def _only_tom_on_support(client, capacity: int) -> None:
    """Support down to one on-shift member (tom) with a small capacity."""
    for m in ("sam", "uma", "victor"):
        r = await client.put(
            f"/v1/members/{m}/availability", json={"availability": "away"}, headers=ADMIN
        )
        assert r.status_code == 200, r.text
    r = await client.patch("/v1/members/tom", json={"capacity": capacity}, headers=ADMIN)
    assert r.status_code == 200, r.text


async def _mutate(
    client, case_id: str, action: str, body: dict[str, Any], headers: dict[str, str]
) -> Any:
    r = await client.get(f"/v1/cases/{case_id}", headers=ADMIN)
    return await client.post(
        f"/v1/cases/{case_id}/{action}",
        json=body,
        headers={**headers, "If-Match": r.headers["etag"]},
    )


@pytest.mark.unit
async def test_queue_is_released_when_capacity_frees_or_someone_comes_on_shift(
    memory_broker, sqlite_url
) -> None:
    app = create_app(_settings(sqlite_url), bus=memory_broker)
    async with running(app) as client:
        await _only_tom_on_support(client, capacity=1)
        posts = [make_post(f"Where is my parcel number {i}?") for i in range(3)]
        await memory_broker.append(encode([post_event(p) for p in posts]))

        async def routed():
            items = await _cases(client, team="support")
            return items if len(items) == 3 else None

        items = await wait_for(routed, what="three support cases")
        assigned = [i for i in items if i["status"] == "assigned"]
        queued = [i for i in items if i["status"] == "queued"]
        assert len(assigned) == 1 and assigned[0]["assignee"] == "tom"
        assert len(queued) == 2, "never dumped over capacity: the rest waits in the queue"
        q = await client.get("/v1/teams/support/queue", headers=ADMIN)
        assert len(q.json()["items"]) == 2

        r = await _mutate(client, assigned[0]["id"], "resolve", {"reason": "done"}, ADMIN)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "resolved"

        async def one_released():
            items = await _cases(client, team="support", status="assigned")
            return items if len(items) == 1 else None

        released = await wait_for(one_released, what="a queued case released to tom")
        assert released[0]["assignee"] == "tom"
        await wait_for(
            lambda: _last_event_is(memory_broker, released[0]["id"], "case.assigned"),
            what="assigned event",
        )
        types = [e.type for e in case_events(memory_broker, released[0]["id"])]
        assert types == ["case.opened", "case.assigned"]
        assert case_events(memory_broker, released[0]["id"])[0].payload["status"] == "queued"

        r = await client.patch("/v1/members/uma", json={"working_hours": []}, headers=ADMIN)
        assert r.status_code == 200
        assert not await _assigned_to(client, "uma"), "uma is away: nothing for her yet"
        r = await client.put(
            "/v1/members/uma/availability", json={"availability": "on_shift"}, headers=ADMIN
        )
        assert r.status_code == 200
        both = await wait_for(
            lambda: _assigned_to(client, "uma"), what="uma takes the last queued case"
        )
        assert len(both) == 1


async def _last_event_is(broker, case_id: str, type_: str) -> bool:
    events = case_events(broker, case_id)
    return bool(events) and events[-1].type == type_


async def _assigned_to(client, member: str):
    items = await _cases(client, assignee=member)
    return items or None


@pytest.mark.unit
async def test_lead_reassigns_with_if_match_and_member_hands_back(
    memory_broker, sqlite_url
) -> None:
    app = create_app(_settings(sqlite_url), bus=memory_broker)
    async with running(app) as client:
        await always_working(client, SUPPORT, ADMIN)
        await memory_broker.append(encode([post_event(make_post("I want a refund"))]))
        (case,) = await wait_for(lambda: _cases(client), what="case")
        cid, owner = case["id"], case["assignee"]
        other = next(m for m in ("tom", "sam", "uma", "victor") if m != owner)
        lead = auth("lead", member_id="sam", teams=("support",))
        r = await client.post(f"/v1/cases/{cid}/assign", json={"member_id": other}, headers=lead)
        assert r.status_code == 428
        r = await client.post(
            f"/v1/cases/{cid}/assign",
            json={"member_id": other},
            headers={**lead, "If-Match": '"999"'},
        )
        assert r.status_code == 412
        agent = auth("agent", member_id=owner, teams=("support",))
        r = await _mutate(client, cid, "assign", {"member_id": other}, agent)
        assert r.status_code == 403, "agents cannot reassign"
        r = await _mutate(client, cid, "assign", {"member_id": "marc"}, lead)
        assert r.status_code == 422 and r.json()["field"] == "member_id"
        r = await _mutate(client, cid, "assign", {"member_id": other, "reason": "vip"}, lead)
        assert r.status_code == 200, r.text
        assert (r.json()["assignee"], r.json()["previous_assignee"]) == (other, owner)
        await wait_for(
            lambda: _last_event_is(memory_broker, cid, "case.reassigned"), what="reassigned event"
        )

        me = auth("agent", member_id=other, teams=("support",))
        r = await _mutate(client, cid, "handback", {"reason": "on leave"}, me)
        assert r.status_code == 200, r.text
        assert r.json()["assignee"] not in (other, None)
        assert r.json()["previous_assignee"] == other


@pytest.mark.unit
async def test_replies_move_the_case_and_new_posts_reopen_it(memory_broker, sqlite_url) -> None:
    app = create_app(_settings(sqlite_url), bus=memory_broker)
    async with running(app) as client:
        await always_working(client, SUPPORT, ADMIN)
        first = make_post("Mon compte est bloqué", lang="fr", thread_id="x:acc")
        await memory_broker.append(encode([post_event(first)]))
        (case,) = await wait_for(lambda: _cases(client), what="case")
        cid, owner = case["id"], case["assignee"]

        async def status_is(status: str):
            r = await client.get(f"/v1/cases/{cid}", headers=ADMIN)
            return r.json() if r.json()["status"] == status else None

        await memory_broker.append(encode([reply_event(cid, "reply.approval_requested")]))
        await wait_for(lambda: status_is("waiting_approval"), what="waiting approval")
        await memory_broker.append(encode([reply_event(cid, "reply.approved")]))
        await wait_for(lambda: status_is("assigned"), what="approved")
        await memory_broker.append(encode([reply_event(cid, "reply.sent")]))
        replied = await wait_for(lambda: status_is("replied"), what="replied")
        assert replied["first_response_at"] is not None

        r = await _mutate(client, cid, "resolve", {}, ADMIN)
        assert r.json()["status"] == "resolved"
        again = make_post("Toujours bloqué !", lang="fr", thread_id="x:acc")
        await memory_broker.append(encode([post_event(again)]))
        reopened = await wait_for(lambda: status_is("reopened"), what="reopened by a new post")
        assert reopened["assignee"] == owner, "thread continuity back to the owner"
        assert reopened["post_count"] == 2
        await wait_for(
            lambda: _last_event_is(memory_broker, cid, "case.reopened"), what="reopened event"
        )


@pytest.mark.unit
async def test_a_case_queued_because_nobody_has_room_does_not_wake_a_release(
    memory_broker, sqlite_url
) -> None:
    """A release pass after a unit that queued a case can only help if someone in the team
    has room: otherwise it would find the same full team (in a surge, after every unit)."""
    from chorus_common.messaging.envelope import Envelope
    from chorus_router.routing.batch import route_posts

    app = create_app(_settings(sqlite_url, router_release_seconds=3600), bus=memory_broker)
    async with running(app):
        core = app.state.core
        # Set up in the tables, not through the API: an API change asks for a release pass,
        # which could then run at any await below and serve the queue this test inspects.
        async with core.unit() as uow:
            members = models.members
            away = members.c.id.in_(("sam", "uma", "victor"))
            await uow.session.execute(update(members).where(away).values(availability="away"))
            await uow.session.execute(
                update(members).where(members.c.id == "tom").values(capacity=1)
            )
            await bump(uow.session, "directory")

        async def route(text: str) -> tuple[str, set[str]]:
            env = Envelope.from_bytes(post_event(make_post(text)).to_bytes())
            async with core.unit() as uow:
                await route_posts([env], uow=uow)
                teams = set(uow.release_teams)
            (case,) = [e.payload for e in uow.events if e.type == "case.opened"]
            return case["status"], teams

        assert await route("Where is my parcel number 1?") == ("new", set())  # tom takes it
        assert await route("Where is my parcel number 2?") == ("queued", set()), "tom is full"
        assert await route("Where is my parcel number 3?") == ("queued", set()), "still full"

        # Tom gets room as another instance would give it (the API would also wake this
        # process's release pass, which could serve the queue before the next post).
        assert not core.release_wanted.is_set(), "no release pass may serve the queue here"
        async with core.unit() as uow:
            await uow.session.execute(
                update(members).where(members.c.id == "tom").values(capacity=5)
            )
            await bump(uow.session, "directory")
        # support has cases waiting: a new one queues behind them, and since tom has room now
        # the unit asks for a release (which serves the queue by priority).
        assert await route("Where is my parcel number 4?") == ("queued", {"support"})
