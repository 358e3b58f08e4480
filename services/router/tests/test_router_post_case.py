"""`GET /v1/posts/{post_id}`: the case a post belongs to, with the cases' visibility rules."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from chorus_router.app import create_app
from chorus_router.settings import RouterSettings

from services.router.tests.router_support import encode, make_post, post_event
from tests.support.fixtures import FAST_KAFKA_ENV, auth, running
from tests.support.wait import wait_for

ADMIN = auth("admin")


@pytest.mark.unit
async def test_a_routed_post_leads_to_its_case_for_those_who_may_see_it(
    memory_broker, sqlite_url
) -> None:
    app = create_app(RouterSettings(database_url=sqlite_url, **FAST_KAFKA_ENV), bus=memory_broker)
    post = make_post("Where is my parcel?", native_id="a/b#1")
    path = f"/v1/posts/{quote(post.id, safe='')}"
    async with running(app) as client:
        await memory_broker.append(encode([post_event(post)]))

        async def routed():
            r = await client.get(path, headers=ADMIN)
            return r if r.status_code == 200 else None

        doc = (await wait_for(routed, what="the post's case")).json()
        case = (await client.get(f"/v1/cases/{doc['case_id']}", headers=ADMIN)).json()
        own_team = await client.get(path, headers=auth("agent", teams=(case["team"],)))
        other_team = await client.get(path, headers=auth("agent", teams=("nobody",)))
        unknown = await client.get("/v1/posts/x:never-seen", headers=ADMIN)
        anonymous = await client.get(path)
    assert (doc["post_id"], doc["revision"]) == (post.id, 1)
    assert doc["case"]["id"] == case["id"] and doc["case"]["team"] == case["team"]
    assert doc["case"]["assignee"] == case["assignee"]
    assert doc["received_at"].startswith(post.received_at.date().isoformat())
    assert own_team.status_code == 200
    assert other_team.status_code == 404 and "post_not_found" in other_team.text
    assert unknown.status_code == 404 and anonymous.status_code == 401
