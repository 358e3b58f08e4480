"""Input the database cannot hold is a 422 naming the field, never a 500."""

from __future__ import annotations

import pytest
from chorus_router.app import create_app
from chorus_router.settings import RouterSettings

from tests.support.fixtures import FAST_KAFKA_ENV, auth, running

ADMIN = auth("admin")
HUGE = 2**63


def _problem(r, field: str) -> None:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["field"] == field


@pytest.mark.unit
async def test_null_for_a_required_field_and_integers_too_large_are_refused(
    memory_broker, sqlite_url
) -> None:
    app = create_app(RouterSettings(database_url=sqlite_url, **FAST_KAFKA_ENV), bus=memory_broker)
    async with running(app) as client:
        team = (await client.get("/v1/teams", headers=ADMIN)).json()["items"][0]
        r = await client.get(f"/v1/teams/{team['id']}", headers=ADMIN)
        tag = r.headers["etag"]
        for field in ("name", "description"):
            r = await client.patch(
                f"/v1/teams/{team['id']}", json={field: None}, headers={**ADMIN, "If-Match": tag}
            )
            _problem(r, field)
        r = await client.patch(
            f"/v1/teams/{team['id']}", json={"lead": None}, headers={**ADMIN, "If-Match": tag}
        )
        assert r.status_code == 200, "a team may have no lead"
        members = (await client.get("/v1/members", headers=ADMIN)).json()["items"]
        m = members[0]["id"]
        tag = (await client.get(f"/v1/members/{m}", headers=ADMIN)).headers["etag"]
        r = await client.patch(
            f"/v1/members/{m}", json={"capacity": None}, headers={**ADMIN, "If-Match": tag}
        )
        _problem(r, "capacity")
        r = await client.patch(
            f"/v1/members/{m}", json={"timezone": "Z" * 300}, headers={**ADMIN, "If-Match": tag}
        )
        _problem(r, "timezone")
        _problem(
            await client.get("/v1/audit", params={"before": HUGE}, headers=ADMIN), "query.before"
        )
        _problem(
            await client.post(f"/v1/rules/versions/{HUGE}/restore", headers=ADMIN), "path.version"
        )
        _problem(await client.get(f"/v1/rules/versions/{HUGE}", headers=ADMIN), "path.version")
        r = await client.post(
            "/v1/rules/what-if", json={"rules": [], "since": "999999w"}, headers=ADMIN
        )
        assert (r.status_code, r.json()["code"]) == (422, "invalid_period"), r.text
        r = await client.post(
            "/v1/rules/what-if", json={"rules": [], "since": "9999999999999d"}, headers=ADMIN
        )
        _problem(r, "since")
        rules = (await client.get("/v1/rules", headers=ADMIN)).json()["rules"]
        rule = {**rules[0], "when": {"followers": {"min": "NaN"}}}
        r = await client.put(f"/v1/rules/{rule['id']}", json=rule, headers=ADMIN)
        assert r.status_code == 422, r.text
        r = await client.post("/v1/rules/versions/999999/restore", headers=ADMIN)
        assert (r.status_code, r.json()["code"]) == (404, "rules_version_not_found")


@pytest.mark.integration
async def test_a_nul_character_is_refused_not_a_server_error(memory_broker, db_url) -> None:
    app = create_app(RouterSettings(database_url=db_url, **FAST_KAFKA_ENV), bus=memory_broker)
    async with running(app) as client:
        r = await client.get("/v1/teams/a%00b", headers=ADMIN)
        assert r.status_code in (404, 422), r.text
        r = await client.get("/v1/cases", params={"team": "a\x00b"}, headers=ADMIN)
        assert r.status_code in (200, 422), r.text
        r = await client.post("/v1/teams", json={"id": "nul", "name": "a\x00b"}, headers=ADMIN)
        assert r.status_code in (201, 422), r.text
        assert r.headers["content-type"] in ("application/json", "application/problem+json")
