"""The case list for the frontend: filters, sorting, cursor pagination, ETags, edits."""

from __future__ import annotations

import base64

import orjson
import pytest
from chorus_router.app import create_app
from chorus_router.settings import RouterSettings

from services.router.tests.router_support import encode, make_post, post_event
from tests.support.fixtures import FAST_KAFKA_ENV, auth, running
from tests.support.wait import wait_for

ADMIN = auth("admin")


@pytest.mark.unit
async def test_cursor_pages_cover_every_case_once_in_order(memory_broker, sqlite_url) -> None:
    app = create_app(RouterSettings(database_url=sqlite_url, **FAST_KAFKA_ENV), bus=memory_broker)
    async with running(app) as client:
        texts = ["Where is my parcel?", "I want a refund", "My lawyer will call", "Love it"]
        posts = [make_post(texts[i % 4], platform="x" if i % 3 else "facebook") for i in range(11)]
        await memory_broker.append(encode([post_event(p) for p in posts]))

        async def all_in():
            r = await client.get("/v1/cases", params={"limit": 200}, headers=ADMIN)
            return r.json()["items"] if len(r.json()["items"]) == 11 else None

        everything = await wait_for(all_in, what="11 cases")
        for sort in ("priority", "-sla_due_at", "-opened_at"):
            seen, cursor = [], None
            while True:
                params = {"sort": sort, "limit": 4, **({"cursor": cursor} if cursor else {})}
                page = (await client.get("/v1/cases", params=params, headers=ADMIN)).json()
                seen += page["items"]
                cursor = page["next_cursor"]
                if not cursor:
                    break
            assert len(seen) == 11 and len({c["id"] for c in seen}) == 11, sort
            key = sort.lstrip("-")
            values = [c[key] for c in seen]
            assert values == sorted(values, reverse=sort.startswith("-")), sort
        r = await client.get(
            "/v1/cases", params={"priority": "P1,P2", "platform": "x"}, headers=ADMIN
        )
        got = r.json()["items"]
        assert got and all(c["priority"] in ("P1", "P2") and c["platform"] == "x" for c in got)
        expected = [c for c in everything if c["priority"] in ("P1", "P2") and c["platform"] == "x"]
        assert len(got) == len(expected)
        r = await client.get("/v1/cases", params={"cursor": "garbage"}, headers=ADMIN)
        assert r.status_code == 422 and r.json()["field"] == "query.cursor"
        for sort, decoded in (
            ("-opened_at", ["-opened_at", 5, "c"]),
            ("-opened_at", ["-opened_at", "2026-13-45T99:00:00", "c"]),
            ("-opened_at", ["-opened_at", "2026-01-01T00:00:00+00:00", ["c"]]),
            ("-opened_at", ["-opened_at", "2026-01-01T00:00:00+00:00"]),
            ("priority", ["priority", {"p": 1}, "c"]),
            ("priority", ["priority", "P9", "c"]),
            ("priority", ["priority", "P1", "c\u0000"]),
        ):
            bad = base64.urlsafe_b64encode(orjson.dumps(decoded)).decode().rstrip("=")
            r = await client.get("/v1/cases", params={"cursor": bad, "sort": sort}, headers=ADMIN)
            assert r.status_code == 422, (decoded, r.text)
            assert (r.json()["code"], r.json()["field"]) == ("invalid_cursor", "query.cursor")

        case = everything[0]
        r = await client.get(f"/v1/cases/{case['id']}", headers=ADMIN)
        tag = r.headers["etag"]
        r = await client.get(f"/v1/cases/{case['id']}", headers={**ADMIN, "If-None-Match": tag})
        assert r.status_code == 304
        r = await client.patch(f"/v1/cases/{case['id']}", json={"tags": ["vip"]}, headers=ADMIN)
        assert r.status_code == 428
        r = await client.patch(
            f"/v1/cases/{case['id']}",
            json={"priority": "P1", "tags": ["vip"], "collaborators": ["pr"]},
            headers={**ADMIN, "If-Match": tag},
        )
        assert r.status_code == 200, r.text
        assert r.headers["etag"] != tag and r.json()["priority"] == "P1"
        pr_agent = auth("agent", member_id="quinn", teams=("pr",))
        r = await client.get(f"/v1/cases/{case['id']}", headers=pr_agent)
        assert r.status_code == 200, "a team added as collaborator can see the case"
        listed = (await client.get("/v1/cases", headers=pr_agent)).json()["items"]
        assert case["id"] in [c["id"] for c in listed]
        r = await client.patch(
            f"/v1/cases/{case['id']}", json={"tags": []}, headers={**ADMIN, "If-Match": tag}
        )
        assert r.status_code == 412
