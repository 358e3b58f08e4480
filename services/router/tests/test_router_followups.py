"""Follow-ups in a conversation: edits escalate, an absent owner's thread moves on."""

from __future__ import annotations

import pytest
from chorus_router.app import create_app
from chorus_router.settings import RouterSettings

from services.router.tests.router_support import (
    always_working,
    case_events,
    encode,
    make_post,
    post_event,
)
from tests.support.fixtures import FAST_KAFKA_ENV, auth, running
from tests.support.wait import wait_for

ADMIN = auth("admin")


async def _case(client):
    r = await client.get("/v1/cases", headers=ADMIN)
    items = r.json()["items"]
    return items[0] if items else None


@pytest.mark.unit
async def test_edited_post_that_turns_legal_escalates_its_case(memory_broker, sqlite_url) -> None:
    app = create_app(RouterSettings(database_url=sqlite_url, **FAST_KAFKA_ENV), bus=memory_broker)
    async with running(app) as client:
        post = make_post("Where is my parcel?", native_id="edit1")
        await memory_broker.append(encode([post_event(post)]))
        case = await wait_for(lambda: _case(client), what="case")
        assert (case["team"], case["priority"]) == ("support", "P3")
        edited = post.model_copy(update={"text": "Where is my parcel? My lawyer is asking."})
        await memory_broker.append(encode([post_event(edited, is_update=True, revision=2)]))

        async def escalated():
            c = await _case(client)
            return c if c["priority"] == "P1" else None

        after = await wait_for(escalated, what="escalation after the edit")
        assert after["team"] == "support", "the owner team stays; legal joins"
        assert "legal" in after["collaborators"] and "legal" in after["approvals_required"]
        assert after["post_count"] == 1, "an edit is not a new post"
        assert after["decision"]["escalations"][0]["why"][0].startswith("priority P3")
        await wait_for(
            lambda: _has(memory_broker, case["id"], "case.escalated"), what="case.escalated"
        )


@pytest.mark.unit
async def test_follow_up_stays_with_owner_unless_out_of_office(memory_broker, sqlite_url) -> None:
    app = create_app(RouterSettings(database_url=sqlite_url, **FAST_KAFKA_ENV), bus=memory_broker)
    async with running(app) as client:
        await always_working(client, ("sam", "tom", "uma", "victor"), ADMIN)
        first = make_post("My order never came", thread_id="x:conv")
        await memory_broker.append(encode([post_event(first)]))
        case = await wait_for(lambda: _case(client), what="case")
        owner = case["assignee"]
        await memory_broker.append(encode([post_event(make_post("Any news?", thread_id="x:conv"))]))

        async def two_posts():
            c = await _case(client)
            return c if c["post_count"] == 2 else None

        assert (await wait_for(two_posts, what="follow-up"))["assignee"] == owner
        r = await client.put(
            f"/v1/members/{owner}/availability",
            json={"availability": "out_of_office", "until": "2031-01-01T00:00:00Z"},
            headers=ADMIN,
        )
        assert r.status_code == 200
        await memory_broker.append(encode([post_event(make_post("Hello??", thread_id="x:conv"))]))

        async def moved():
            c = await _case(client)
            return c if c["post_count"] == 3 else None

        moved_case = await wait_for(moved, what="third post")
        assert moved_case["assignee"] not in (owner, None)
        assert moved_case["previous_assignee"] == owner
        await wait_for(
            lambda: _has(memory_broker, case["id"], "case.reassigned"), what="case.reassigned"
        )


async def _has(broker, case_id: str, type_: str) -> bool:
    return type_ in [e.type for e in case_events(broker, case_id)]


@pytest.mark.integration
async def test_an_edit_applies_once_and_an_older_one_never(memory_broker, db_url) -> None:
    """A redelivered or replayed edit (``chorus replay`` republishes every revision) and an
    older revision after a newer one leave the case as it is: no case event, no new version."""
    app = create_app(RouterSettings(database_url=db_url, **FAST_KAFKA_ENV), bus=memory_broker)
    async with running(app) as client:
        post = make_post("Where is my parcel?", native_id="replayed1")
        await memory_broker.append(encode([post_event(post)]))
        case = await wait_for(lambda: _case(client), what="case")
        v2 = post.model_copy(update={"text": "Where is my parcel? Still nothing."})
        v3 = post.model_copy(update={"text": "Where is my parcel? Day three."})
        await memory_broker.append(encode([post_event(v2, is_update=True, revision=2)]))
        await memory_broker.append(encode([post_event(v3, is_update=True, revision=3)]))

        def edits() -> list[str]:
            return [e.type for e in case_events(memory_broker, case["id"])][2:]

        async def applied():
            return len(edits()) == 2

        await wait_for(applied, what="both edits applied")
        after = await _case(client)
        before = len(case_events(memory_broker, case["id"]))
        replays = [
            post_event(v2, is_update=True, revision=2),
            post_event(v3, is_update=True, revision=3),
            post_event(v2, is_update=True, revision=2),
            post_event(post),
        ]
        await memory_broker.append(encode(replays))
        # A new post in the same conversation (same partition) comes after the replays.
        follow = make_post("Any news?", native_id="after-replays", thread_id=post.thread_id)
        await memory_broker.append(encode([post_event(follow)]))

        async def follow_up_routed():
            c = await _case(client)
            return c if c["post_count"] == 2 else None

        final = await wait_for(follow_up_routed, what="the post after the replays routed")
        await wait_for(
            lambda: _has_count(memory_broker, case["id"], before + 1), what="its case event"
        )
        added = case_events(memory_broker, case["id"])[before:]
        assert [e.payload.get("reason") for e in added] == ["new post"], edits()
        assert final["version"] == after["version"] + 1


async def _has_count(broker, case_id: str, n: int) -> bool:
    return len(case_events(broker, case_id)) >= n
