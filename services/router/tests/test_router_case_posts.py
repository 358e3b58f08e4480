"""`GET /v1/cases/{case_id}/posts`: the conversation as routed, with the case's visibility."""

from __future__ import annotations

import pytest
from chorus_router.app import create_app
from chorus_router.settings import RouterSettings

from services.router.tests.router_support import encode, make_post, post_event
from tests.support.fixtures import FAST_KAFKA_ENV, auth, running
from tests.support.wait import wait_for

ADMIN = auth("admin")


@pytest.mark.unit
async def test_a_cases_posts_come_oldest_first_with_their_authors(
    memory_broker, sqlite_url
) -> None:
    app = create_app(RouterSettings(database_url=sqlite_url, **FAST_KAFKA_ENV), bus=memory_broker)
    first = make_post("Where is my parcel?", thread_id="t-1", followers=51_000, verified=True)
    second = make_post("Still nothing, it is late", thread_id="t-1", sentiment="negative")
    async with running(app) as client:
        await memory_broker.append(encode([post_event(first), post_event(second)]))

        async def both():
            r = await client.get("/v1/cases", params={"limit": 5}, headers=ADMIN)
            items = r.json()["items"]
            return items[0] if items and items[0]["post_count"] == 2 else None

        case = await wait_for(both, what="the case with both posts")
        path = f"/v1/cases/{case['id']}/posts"
        doc = (await client.get(path, headers=ADMIN)).json()
        newest = (await client.get(path, params={"limit": 1}, headers=ADMIN)).json()
        own_team = await client.get(path, headers=auth("agent", teams=(case["team"],)))
        other_team = await client.get(path, headers=auth("agent", teams=("nobody",)))
        unknown = await client.get("/v1/cases/none/posts", headers=ADMIN)
        anonymous = await client.get(path)
    assert [p["id"] for p in doc["posts"]] == [first.id, second.id] and doc["more"] is False
    author = doc["posts"][0]["author"]
    assert (author["followers"], author["verified"]) == (51_000, True)
    assert doc["posts"][1]["signals"]["sentiment_label"] == "negative"
    assert [p["id"] for p in newest["posts"]] == [second.id] and newest["more"] is True
    assert own_team.status_code == 200
    assert other_team.status_code == 404 and "case_not_found" in other_team.text
    assert unknown.status_code == 404 and anonymous.status_code == 401
