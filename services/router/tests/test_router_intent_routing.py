"""The classifier on the routing path (fake model): intent rules decide where no keyword rule
matched, and the decision record, the case events, the cases API and simulate explain it."""

from __future__ import annotations

from typing import Any

import pytest
from chorus_router.app import create_app
from chorus_router.routing.defaults import default_rules

from services.router.tests.intent_fakes import FakeKit
from services.router.tests.router_accountability_support import (
    ADMIN,
    T0,
    Clock,
    settings,
    wait_cases,
)
from services.router.tests.router_support import encode, make_post, post_event, relayed
from tests.support.fixtures import running


def _by_text(items: list[dict[str, Any]], posts: dict[str, Any]) -> dict[str, dict[str, Any]]:
    ids = {p.id: name for name, p in posts.items()}
    return {ids[c["latest_post_id"]]: c for c in items}


@pytest.mark.unit
async def test_intent_decides_where_no_keyword_matched_and_the_record_explains_it(
    memory_broker, sqlite_url
) -> None:
    kit = FakeKit()
    app = create_app(settings(sqlite_url), bus=memory_broker, intent_kit=kit)
    app.state.core.clock = Clock()
    posts = {
        "legal": make_post("They sell counterfeit copies and my son got a burn", received_at=T0),
        "keyword": make_post("Where is my parcel? Order 5521 never came", received_at=T0),
        "de": make_post("Fälschung! counterfeit, burn", lang="de", received_at=T0),
    }
    async with running(app) as client:
        await memory_broker.append(encode([post_event(p) for p in posts.values()]))
        got = _by_text(await wait_cases(client, 3, what="three cases"), posts)
        r = await client.get(f"/v1/cases/{got['legal']['id']}", headers=ADMIN)
        assert r.status_code == 200
        served = r.json()["decision"]["intent"]
        assigned = await relayed(memory_broker, got["legal"]["id"], "case.assigned")

    legal = got["legal"]
    assert (legal["team"], legal["priority"]) == ("legal", "P1")
    assert legal["approvals_required"] == ["legal"] and "legal-intent" in legal["tags"]
    d = legal["decision"]
    assert d["owner_rule"] == "intent-legal"
    assert d["intent"]["intent"] == "legal" and d["intent"]["decided"] is True
    assert d["intent"]["model_version"] == "fake-1"
    assert [e["term"] for e in d["intent"]["evidence"]] == ["counterfeit", "burn"]
    assert "(intent legal 0.85)" in legal["reason"]
    assert served == d["intent"], "the cases API serves the record"
    assert assigned[-1].payload["decision"]["intent"] == d["intent"], "and the case events"

    kw = got["keyword"]["decision"]
    assert got["keyword"]["team"] == "support" and kw["intent"] is None
    assert "intent not needed: a rule without an intent condition matched" in kw["notes"]

    de = got["de"]
    assert de["team"] == "support" and de["decision"]["owner_rule"] == "catch-all"
    assert any("language de is not one" in n for n in de["decision"]["notes"])


@pytest.mark.unit
async def test_simulate_shows_intent_confidence_evidence_and_the_near_miss_on_confidence(
    memory_broker, sqlite_url
) -> None:
    app = create_app(settings(sqlite_url), bus=memory_broker, intent_kit=FakeKit())
    strict = [r.model_dump(mode="json") for r in default_rules()]
    for rule in strict:
        if rule["id"] == "intent-legal":
            rule["when"]["min_confidence"] = 0.9
    post = make_post("This handbag is a counterfeit of ours", received_at=T0)
    async with running(app) as client:
        body = {"post": post.model_dump(mode="json"), "rules": strict}
        r = await client.post("/v1/rules/simulate", json=body, headers=ADMIN)
        assert r.status_code == 200, r.text
        res = r.json()
        r = await client.post(
            "/v1/rules/simulate",
            json={"post": make_post("refund my order please").model_dump(mode="json")},
            headers=ADMIN,
        )
        keyword = r.json()

    assert res["team"] == "support"
    intent = res["intent"]
    assert intent["intent"] == "legal" and intent["confidence"] == pytest.approx(0.65)
    assert intent["model_version"] == "fake-1" and intent["decided"] is False
    assert intent["evidence"] == [{"term": "counterfeit", "weight": 1.0}]
    assert res["explanation"]["intent"] == intent
    misses = {m["rule"]: m["missed"] for m in res["explanation"]["near_misses"]}
    assert misses["intent-legal"] == "intent: legal confidence 0.65 < 0.90"
    assert res["explanation"]["matched"][0]["rule"] == "catch-all"
    # A keyword rule decided: simulate still shows what the classifier thought.
    assert keyword["team"] == "support" and keyword["intent"]["decided"] is False
    assert keyword["explanation"]["owner_rule"] == "support-refund"


@pytest.mark.unit
async def test_intent_off_routes_by_rules_alone(memory_broker, sqlite_url) -> None:
    kit = FakeKit()
    app = create_app(settings(sqlite_url, router_intent="off"), bus=memory_broker, intent_kit=kit)
    post = make_post("They sell counterfeit copies and my son got a burn", received_at=T0)
    async with running(app) as client:
        await memory_broker.append(encode([post_event(post)]))
        (case,) = await wait_cases(client, 1)
    assert case["team"] == "support" and case["decision"]["owner_rule"] == "catch-all"
    assert case["decision"]["intent"] is None and kit.base.calls == 0
    assert any("intent classification is off" in n for n in case["decision"]["notes"])


@pytest.mark.unit
@pytest.mark.parametrize(
    ("when", "field", "message"),
    [
        ({"intent": "lawsuit"}, "when.intent.0", "'legal', 'pr', 'brand', 'support' or 'spam'"),
        ({"min_confidence": 0.5}, "when", "min_confidence needs intent"),
        ({"intent": ["legal"], "min_confidence": 2}, "when.min_confidence", "less than or equal"),
    ],
)
async def test_intent_conditions_are_validated_with_the_field(
    memory_broker, sqlite_url, when: dict[str, Any], field: str, message: str
) -> None:
    app = create_app(settings(sqlite_url), bus=memory_broker, intent_kit=FakeKit())
    rule = {"id": "x", "name": "x", "when": when, "then": {"team": "legal"}}
    async with running(app) as client:
        r = await client.post("/v1/rules", json=rule, headers=ADMIN)
        ok = {**rule, "when": {"intent": ["legal", "pr"], "min_confidence": 0.8}}
        created = await client.post("/v1/rules", json=ok, headers=ADMIN)
    assert r.status_code == 422
    assert r.json()["field"] == field and message in r.json()["detail"]
    assert created.status_code == 201, created.text
    stored = next(x for x in created.json()["rules"] if x["id"] == "x")
    assert stored["when"]["intent"] == ["legal", "pr"] and stored["when"]["min_confidence"] == 0.8
