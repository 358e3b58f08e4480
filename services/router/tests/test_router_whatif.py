"""What-if routing over a recorded week of demo-like traffic: both columns, and the proposal
differs from what happened exactly where the changed rule applies."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from chorus_cli.demo_feed import PEOPLE, SCENARIOS
from chorus_router.app import create_app
from chorus_router.directory.demo import MEMBERS
from chorus_router.routing.defaults import default_rules

from services.router.tests.router_accountability_support import (
    ADMIN,
    T0,
    Clock,
    cases,
    settings,
    wait_cases,
)
from services.router.tests.router_support import encode, make_post, post_event
from tests.support.fixtures import auth, running

PER_DAY = 12


def _week(seed: int = 11) -> list[list[Any]]:
    """Seven days of demo-feed texts and authors, one post every two hours."""
    rng = random.Random(seed)
    start = T0 - timedelta(days=7)
    days = []
    for d in range(7):
        posts = []
        for k in range(PER_DAY):
            s = rng.choice(SCENARIOS)
            who = PEOPLE[s.person]
            review = s.intent in ("support", "brand") and rng.random() < 0.2
            posts.append(
                make_post(
                    s.text,
                    lang=s.lang,
                    kind="review" if review else rng.choice(["post", "comment", "dm"]),
                    rating=s.stars if review else None,
                    followers=who.followers,
                    verified=who.verified,
                    sentiment=None,  # computed as ingest would
                    received_at=start + timedelta(days=d, hours=2 * k),
                )
            )
        days.append(posts)
    return days


def _rules(change: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    out = [r.model_dump(mode="json") for r in default_rules()]
    if change:
        for r in out:
            if r["id"] == change["id"]:
                r["then"] = {**r["then"], **change["then"]}
    return out


async def _what_if(client, rules: list[dict[str, Any]], **extra) -> dict[str, Any]:
    body = {"rules": rules, "since": "7d", **extra}
    r = await client.post("/v1/rules/what-if", json=body, headers=ADMIN)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.unit
async def test_what_if_on_a_recorded_week_differs_exactly_where_the_changed_rule_applies(
    memory_broker, sqlite_url
) -> None:
    clock = Clock(T0 - timedelta(days=7))
    app = create_app(settings(sqlite_url), bus=memory_broker)
    app.state.core.clock = clock
    async with running(app) as client:
        for d, posts in enumerate(_week()):
            clock.now = posts[-1].received_at
            await memory_broker.append(encode([post_event(p) for p in posts]))
            await wait_cases(client, PER_DAY * (d + 1), what=f"day {d} routed")
        clock.now = T0
        live = {c["id"]: c for c in await cases(client)}
        assert len(live) == 7 * PER_DAY

        same = await _what_if(client, _rules())
        assert same["cases"] == 7 * PER_DAY and same["posts"] == 7 * PER_DAY
        assert same["changed"]["cases"] == 0, "today's rules reproduce what happened"
        assert same["actual"]["cases_per_team"] == same["proposed"]["cases_per_team"]

        change = {"id": "support-refund", "then": {"approvals": ["legal"]}}
        res = await _what_if(client, _rules(change))
        r = await client.post(
            "/v1/rules/what-if",
            json={"rules": _rules(), "since": "7d"},
            headers=auth("agent", teams=("support",)),
        )
        assert r.status_code == 200, "agents may try rules: nothing changes"
        after = {c["id"]: c for c in await cases(client)}

    applies = {
        cid
        for cid, c in live.items()
        if any(m["rule"] == "support-refund" for m in c["decision"]["matched"])
        and "legal" not in c["decision"]["approvals"]
    }
    assert applies, "the demo week has refund requests"
    got = {i["case_id"] for i in res["changed"]["items"]}
    assert res["changed"]["cases"] == len(applies)
    assert got == applies
    for item in res["changed"]["items"]:
        assert item["proposed"]["approvals"] == [*item["actual"]["approvals"], "legal"]
    for col in ("actual", "proposed"):
        assert set(res[col]) == {
            "cases_per_team",
            "cases_per_member",
            "fairness",
            "approvals_needed",
            "sla",
        }
    legal_before = res["actual"]["approvals_needed"]["by_team"].get("legal", 0)
    assert res["proposed"]["approvals_needed"]["by_team"]["legal"] == legal_before + len(applies)
    assert res["actual"]["cases_per_team"] == res["proposed"]["cases_per_team"]
    assert after == live, "a what-if never touches live cases"


@pytest.mark.unit
async def test_what_if_with_a_proposed_roster_and_bad_input(memory_broker, sqlite_url) -> None:
    clock = Clock(T0 - timedelta(hours=6))
    app = create_app(settings(sqlite_url), bus=memory_broker)
    app.state.core.clock = clock
    async with running(app) as client:
        posts = [
            make_post(
                f"Where is my parcel? order {i}", received_at=clock.now + timedelta(minutes=i)
            )
            for i in range(8)
        ]
        clock.now = posts[-1].received_at
        await memory_broker.append(encode([post_event(p) for p in posts]))
        await wait_cases(client, 8, what="support cases")
        clock.now = T0
        roster = [
            {k: v for k, v in m.items() if k != "availability"}
            for m in MEMBERS
            if "support" not in m["teams"]
        ]
        roster.append({"id": "solo", "name": "Solo", "teams": ["support"], "capacity": 100})
        res = await _what_if(client, _rules(), roster=roster, since="1d")
        assert res["roster"] == "proposed"
        assert res["proposed"]["cases_per_member"] == {"solo": 8}
        assert res["proposed"]["fairness"]["support"]["ratio"] == 1.0
        assert sum(res["actual"]["cases_per_member"].values()) == 8

        bad = _rules({"id": "support-refund", "then": {"team": "nowhere"}})
        r = await client.post("/v1/rules/what-if", json={"rules": bad}, headers=ADMIN)
        assert r.status_code == 422 and r.json()["code"] == "invalid_rule"
        r = await client.post(
            "/v1/rules/what-if", json={"rules": _rules(), "since": "soon"}, headers=ADMIN
        )
        assert r.status_code == 422
