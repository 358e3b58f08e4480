"""Who sees and changes what: agents and leads their teams' cases, admins all; directory rights."""

from __future__ import annotations

import pytest
from chorus_router.app import create_app
from chorus_router.settings import RouterSettings

from services.router.tests.router_support import encode, make_post, post_event
from tests.support.fixtures import FAST_KAFKA_ENV, auth, running
from tests.support.wait import wait_for

ADMIN = auth("admin")


@pytest.mark.unit
async def test_case_visibility_and_directory_rights(memory_broker, sqlite_url) -> None:
    app = create_app(RouterSettings(database_url=sqlite_url, **FAST_KAFKA_ENV), bus=memory_broker)
    async with running(app) as client:
        legal_post = make_post("My attorney will contact you")
        support_post = make_post("Where is my parcel?")
        both_post = make_post("Refund me or I call my lawyer")  # legal owner, support collaborates
        await memory_broker.append(
            encode([post_event(p) for p in (legal_post, support_post, both_post)])
        )

        async def three():
            r = await client.get("/v1/cases", headers=ADMIN)
            items = r.json()["items"]
            return {i["latest_post_id"]: i for i in items} if len(items) == 3 else None

        cases = await wait_for(three, what="three cases")
        support_agent = auth("agent", member_id="tom", teams=("support",))
        r = await client.get("/v1/cases", headers=support_agent)
        seen = {i["latest_post_id"] for i in r.json()["items"]}
        assert seen == {support_post.id, both_post.id}, "own team's cases, incl. as collaborator"
        legal_case = cases[legal_post.id]["id"]
        r = await client.get(f"/v1/cases/{legal_case}", headers=support_agent)
        assert r.status_code == 404
        assert (await client.get("/v1/cases")).status_code == 401

        support_lead = auth("lead", member_id="sam", teams=("support",))
        etag = (await client.get(f"/v1/cases/{cases[both_post.id]['id']}", headers=ADMIN)).headers[
            "etag"
        ]
        r = await client.post(
            f"/v1/cases/{cases[both_post.id]['id']}/assign",
            json={"member_id": "tom"},
            headers={**support_lead, "If-Match": etag},
        )
        assert r.status_code == 403, "only the owner team's lead assigns"

        # Directory: agents read, leads manage their own team, admins everything.
        r = await client.post(
            "/v1/members",
            json={"id": "zoe", "name": "Zoé", "teams": ["support"], "capacity": 5},
            headers=support_agent,
        )
        assert r.status_code == 403
        r = await client.post(
            "/v1/members",
            json={"id": "zoe", "name": "Zoé", "teams": ["legal"], "capacity": 5},
            headers=support_lead,
        )
        assert r.status_code == 403
        r = await client.post(
            "/v1/members",
            json={"id": "zoe", "name": "Zoé", "teams": ["support"], "capacity": 5,
                  "timezone": "Europe/Paris", "languages": ["fr"]},
            headers=support_lead,
        )  # fmt: skip
        assert r.status_code == 201, r.text
        r = await client.post(
            "/v1/members",
            json={"id": "bad", "name": "B", "teams": ["support"], "timezone": "Mars/Base"},
            headers=ADMIN,
        )
        assert r.status_code == 422 and r.json()["field"] == "timezone"

        zoe = auth("agent", member_id="zoe", teams=("support",))
        r = await client.put(
            "/v1/members/zoe/availability",
            json={"availability": "out_of_office", "until": "2030-01-01T00:00:00Z"},
            headers=zoe,
        )
        assert r.status_code == 200 and r.json()["effective_availability"] == "out_of_office"
        r = await client.put(
            "/v1/members/tom/availability", json={"availability": "away"}, headers=zoe
        )
        assert r.status_code == 403, "agents set only their own availability"
        r = await client.post("/v1/teams", json={"id": "x", "name": "X"}, headers=support_lead)
        assert r.status_code == 403

        assert (await client.get("/v1/audit", headers=zoe)).status_code == 403
        audit = (await client.get("/v1/audit", params={"entity_id": "zoe"}, headers=ADMIN)).json()
        assert [a["action"] for a in audit["items"]] == ["availability", "create"]
        assert audit["items"][0]["actor"] == "zoe"
        assert audit["items"][0]["after"]["availability"] == "out_of_office"
