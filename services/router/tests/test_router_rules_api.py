"""Rules as data over HTTP: validation with the reason, versions, and simulation."""

from __future__ import annotations

from typing import Any

import pytest
from chorus_router.app import create_app
from chorus_router.settings import RouterSettings

from services.router.tests.router_support import make_post
from tests.support.fixtures import FAST_KAFKA_ENV, auth, running

ADMIN = auth("admin")
VIP: dict[str, Any] = {
    "id": "vip-customers",
    "name": "VIP customers",
    "when": {"authors": ["@bigclient"], "keywords": ["invoice"]},
    "then": {"team": "support", "priority": "P1", "sla_minutes": 30, "tags": ["vip"]},
}


@pytest.mark.unit
async def test_rules_are_validated_versioned_and_simulated(memory_broker, sqlite_url) -> None:
    app = create_app(RouterSettings(database_url=sqlite_url, **FAST_KAFKA_ENV), bus=memory_broker)
    async with running(app) as client:
        r = await client.get("/v1/rules", headers=ADMIN)
        assert r.json()["version"] == 1 and len(r.json()["rules"]) > 10

        bad = {**VIP, "then": {**VIP["then"], "priority": "P9"}}
        r = await client.post("/v1/rules", json=bad, headers=ADMIN)
        assert r.status_code == 422 and r.json()["field"] == "then.priority"
        bad = {**VIP, "then": {**VIP["then"], "team": "marketing"}}
        r = await client.post("/v1/rules", json=bad, headers=ADMIN)
        assert r.status_code == 422
        assert r.json()["field"].endswith("then.team")
        assert "unknown team 'marketing'" in r.json()["detail"]
        bad = {**VIP, "when": {"hours": {"start": "25:00", "end": "06:00"}}}
        r = await client.post("/v1/rules", json=bad, headers=ADMIN)
        assert r.status_code == 422 and r.json()["field"] == "when.hours.start"

        lead = auth("lead", member_id="lena", teams=("legal",))
        assert (await client.post("/v1/rules", json=VIP, headers=lead)).status_code == 403
        r = await client.post("/v1/rules", json=VIP, headers=ADMIN, params={"position": 0})
        assert r.status_code == 201 and r.json()["version"] == 2
        r = await client.put(
            "/v1/rules/vip-customers", json=VIP, headers={**ADMIN, "If-Match": '"1"'}
        )
        assert r.status_code == 412
        versions = (await client.get("/v1/rules/versions", headers=ADMIN)).json()["items"]
        assert [v["version"] for v in versions] == [2, 1]

        post = make_post("Please resend my invoice", author_id="bigclient")
        body = {"post": post.model_dump(mode="json")}
        sim = (await client.post("/v1/rules/simulate", json=body, headers=ADMIN)).json()
        assert (sim["team"], sim["priority"], sim["sla_minutes"]) == ("support", "P1", 30)
        assert sim["member"] in {"sam", "tom", "uma", "victor"}
        exp = sim["explanation"]
        assert exp["matched"][0]["rule"] == "vip-customers"
        assert exp["assignment"]["candidates"] and exp["rules_version"] == 2
        assert (await client.get("/v1/cases", headers=ADMIN)).json()["items"] == [], "no effect"

        # Signals missing from the post are computed like ingest does.
        raw = make_post(
            "Vous êtes des escrocs, c'est honteux et scandaleux", lang=None, sentiment=None
        )
        sim = (
            await client.post(
                "/v1/rules/simulate", json={"post": raw.model_dump(mode="json")}, headers=ADMIN
            )
        ).json()
        assert sim["signals"]["computed"] and sim["signals"]["lang"] == "fr"
        assert sim["team"] == "pr"
        # Near misses explain what almost happened.
        viral = make_post("ok", likes=5000, sentiment="neutral")
        sim = (
            await client.post(
                "/v1/rules/simulate", json={"post": viral.model_dump(mode="json")}, headers=ADMIN
            )
        ).json()
        near = {n["rule"]: n["missed"] for n in sim["explanation"]["near_misses"]}
        assert "sentiment" in near["pr-viral-negative"]

        r = await client.delete("/v1/rules/vip-customers", headers=ADMIN)
        assert r.json()["version"] == 3
        r = await client.post("/v1/rules/versions/2/restore", headers=ADMIN)
        assert r.json()["version"] == 4 and r.json()["rules"][0]["id"] == "vip-customers"
