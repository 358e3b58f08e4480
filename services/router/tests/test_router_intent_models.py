"""Learning from the team (fake model): corrections are stored when a case moves team, a
retrained candidate is compared with the current model on recorded traffic, promoted (every
instance picks it up), audited, and rolled back."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from chorus_common.messaging.bus.memory import MemoryBroker
from chorus_router.app import create_app

from services.router.tests.intent_fakes import FakeKit
from services.router.tests.router_accountability_support import (
    ADMIN,
    T0,
    Clock,
    act,
    settings,
    wait_cases,
)
from services.router.tests.router_support import (
    encode,
    make_post,
    post_event,
    trained,
    untrained,
)
from tests.support.fixtures import auth, running

SAM = auth("lead", member_id="sam", teams=("support",))
LEAD = auth("lead", member_id="lena", teams=("legal",))
AGENT = auth("agent", member_id="tom", teams=("support",))
TRADE_DRESS = "The trade dress of your new bottle copies ours exactly"
PHOTO = "Our photographer's picture is on your billboard without any licence"


async def _simulate(client: Any, text: str) -> dict[str, Any]:
    body = {"post": make_post(text, received_at=T0).model_dump(mode="json")}
    r = await client.post("/v1/rules/simulate", json=body, headers=ADMIN)
    assert r.status_code == 200, r.text
    return dict(r.json())


@pytest.mark.unit
async def test_corrections_retrain_what_if_promote_everywhere_and_roll_back(
    memory_broker, sqlite_url
) -> None:
    clock = Clock(T0)
    kit = FakeKit()
    app = create_app(settings(sqlite_url), bus=memory_broker, intent_kit=kit)
    app.state.core.clock = clock
    # A second instance on the same database (its own bus: it consumes nothing here).
    other = create_app(settings(sqlite_url), bus=MemoryBroker(), intent_kit=FakeKit())
    other.state.core.clock = clock  # its background passes see the same time
    async with running(app) as client, running(other) as client2:
        posts = [make_post(t, received_at=T0) for t in (TRADE_DRESS, PHOTO)]
        await memory_broker.append(encode([post_event(p) for p in posts]))
        cases = await wait_cases(client, 2, what="two support cases")
        assert {c["team"] for c in cases} == {"support"}, "no keyword, no intent: support"
        # The one its lead does not hold is handed back; the lead moves the other directly.
        photo, dress = sorted(cases, key=lambda c: c["assignee"] == "sam")
        assert photo["assignee"] != "sam"
        texts = {p.id: p.text for p in posts}

        clock.advance(minutes=5)
        r = await act(client, dress["id"], "transfer", {"team": "legal", "reason": "IP"}, SAM)
        assert r.status_code == 200, r.text

        # "Not for us": the member hands it back, the lead gets it and moves it.
        member = photo["assignee"]
        mine = auth("agent", member_id=member, teams=("support",))
        r = await act(client, photo["id"], "handback", {"reason": "image rights", "not_for_us": True}, mine)  # fmt: skip
        assert r.status_code == 200, r.text
        assert r.json()["assignee"] == "sam" and "as not for support" in r.json()["reason"]
        r = await client.get("/v1/notifications", headers=SAM)
        assert any(n["kind"] == "not_for_us" for n in r.json()["items"])
        r = await act(client, photo["id"], "transfer", {"team": "legal"}, SAM)
        assert r.status_code == 200, r.text

        r = await client.get("/v1/intent/corrections", headers=SAM)
        assert r.status_code == 200, r.text
        corr = r.json()
        assert corr["by_intent"] == {"legal": 2}
        rows = {c["case_id"]: c for c in corr["items"]}
        assert rows[dress["id"]]["source"] == "transfer"
        assert rows[photo["id"]]["source"] == "handback"
        assert rows[photo["id"]]["text"] == texts[photo["latest_post_id"]]
        assert rows[photo["id"]]["lang"] == "en"
        assert rows[dress["id"]]["predicted"] == "support"
        assert (await client.get("/v1/intent/corrections", headers=AGENT)).status_code == 403

        # Retrain: a candidate, trained in the background, stored, routing nothing yet.
        assert (await client.post("/v1/intent/models", headers=AGENT)).status_code == 403
        r = await client.post("/v1/intent/models", headers=SAM)
        assert r.status_code == 202, r.text
        assert r.json()["status"] == "training" and r.json()["version"] == "retrain-1"
        cand = await trained(client, r.headers["location"])
        assert cand["corrections"] == 2 and cand["current"] is False
        assert cand["metadata"]["corrections_by_intent"] == {"legal": 2}
        assert cand["metadata"]["examples"]["correction"] == 2
        listing = (await client.get("/v1/intent/models", headers=ADMIN)).json()
        assert listing["current"] == "fake-1"
        assert {m["version"] for m in listing["items"]} == {"fake-1", cand["version"]}

        # What-if: the candidate against the current model on the recorded posts.
        clock.advance(hours=1)
        body = {"model": cand["version"], "since": "1d"}
        r = await client.post("/v1/rules/what-if", json=body, headers=SAM)
        assert r.status_code == 200, r.text
        w = r.json()
        assert w["intent_model"]["current"] == "fake-1"
        assert w["intent_model"]["proposed"] == cand["version"]
        moved = w["intent_model"]["moved"]
        assert moved["cases"] == 2 and moved["by_route"] == {"support→legal": 2}
        assert {i["text"] for i in moved["items"]} == {TRADE_DRESS, PHOTO}
        assert all(i["candidate"]["rule"] == "intent-legal" for i in moved["items"])
        assert w["proposed"]["cases_per_team"] == {"legal": 2}
        r = await client.post(
            "/v1/rules/what-if", json={"model": "nope", "since": "1d"}, headers=SAM
        )
        assert (r.status_code, r.json()["code"]) == (422, "unknown_model")

        # Promote (a lead); every instance routes with it.
        before = await _simulate(client2, "Again the trade dress of that bottle")
        assert before["team"] == "support"
        r = await client.post(f"/v1/intent/models/{cand['version']}/promote", headers=LEAD)
        assert r.status_code == 200, r.text
        assert (r.json()["previous"], r.headers["etag"]) == ("fake-1", '"1"')
        after = await _simulate(client2, "Again the trade dress of that bottle")
        assert after["team"] == "legal" and after["intent"]["model_version"] == cand["version"]
        live = make_post("That bottle is a trade dress copy", received_at=clock.now)
        await memory_broker.append(encode([post_event(live)]))
        routed = {c["latest_post_id"]: c for c in await wait_cases(client, 3)}[live.id]
        assert routed["team"] == "legal"
        assert routed["decision"]["intent"]["model_version"] == cand["version"]
        current = (await client.get("/v1/intent/model", headers=AGENT)).json()
        assert current["version"] == cand["version"] and current["shipped"] is False

        r = await client.post(f"/v1/intent/models/{cand['version']}/promote", headers=LEAD)
        assert (r.status_code, r.json()["code"]) == (409, "already_current")
        r = await client.post("/v1/intent/rollback", headers={**LEAD, "If-Match": '"0"'})
        assert r.status_code == 412, "If-Match with a stale promotion is refused"

        # Roll back: the shipped model again, everywhere.
        r = await client.post("/v1/intent/rollback", headers=LEAD)
        assert r.status_code == 200, r.text
        assert (r.json()["version"], r.json()["previous"]) == ("fake-1", cand["version"])
        again = await _simulate(client2, "Again the trade dress of that bottle")
        assert again["team"] == "support" and again["intent"]["model_version"] == "fake-1"
        r = await client.post("/v1/intent/rollback", headers=LEAD)
        assert (r.status_code, r.json()["code"]) == (409, "nothing_to_roll_back")

        history = (await client.get("/v1/intent/promotions", headers=AGENT)).json()["items"]
        assert [(h["action"], h["version"]) for h in history] == [
            ("rollback", "fake-1"),
            ("promote", cand["version"]),
        ]
        r = await client.get("/v1/audit", params={"entity": "intent_model"}, headers=ADMIN)
        audit = [(a["action"], a["entity_id"], a["actor"]) for a in r.json()["items"]]
    assert audit == [
        ("rollback", "fake-1", "lena"),
        ("promote", cand["version"], "lena"),
        ("train", cand["version"], "sam"),
    ]
    assert kit.trained == 1


@pytest.mark.unit
async def test_a_team_teaches_its_own_intent_or_none(memory_broker, sqlite_url) -> None:
    app = create_app(settings(sqlite_url), bus=memory_broker, intent_kit=FakeKit())
    app.state.core.clock = Clock(T0)
    async with running(app) as client:
        for body in ({"id": "vip", "name": "VIP", "intent": "pr"}, {"id": "ops", "name": "Ops"}):
            r = await client.post("/v1/teams", json=body, headers=ADMIN)
            assert r.status_code == 201, r.text
        r = await client.patch("/v1/teams/support", json={"intent": "pr"}, headers=SAM)
        assert r.status_code == 403, "only admins change what a team teaches"
        posts = [make_post(f"Nothing listed here, number {i}", received_at=T0) for i in (1, 2)]
        await memory_broker.append(encode([post_event(p) for p in posts]))
        first, second = await wait_cases(client, 2)
        for case, team in ((first, "vip"), (second, "ops")):
            r = await act(client, case["id"], "transfer", {"team": team}, SAM)
            assert r.status_code == 200, r.text
        items = (await client.get("/v1/intent/corrections", headers=ADMIN)).json()["items"]
    assert [(c["case_id"], c["intent"], c["team"]) for c in items] == [
        (first["id"], "pr", "vip")
    ], "vip teaches pr; ops has no intent and teaches nothing"


@pytest.mark.unit
async def test_a_case_moved_twice_keeps_one_example_labelled_by_its_last_team(
    memory_broker, sqlite_url
) -> None:
    clock = Clock(T0)
    app = create_app(settings(sqlite_url), bus=memory_broker, intent_kit=FakeKit())
    app.state.core.clock = clock
    async with running(app) as client:
        await memory_broker.append(encode([post_event(make_post(PHOTO, received_at=T0))]))
        (case,) = await wait_cases(client, 1)
        r = await act(client, case["id"], "transfer", {"team": "brand"}, SAM)
        assert r.status_code == 200, r.text
        clock.advance(minutes=3)
        bea = auth("lead", member_id="bea", teams=("brand",))
        r = await act(client, case["id"], "transfer", {"team": "legal"}, bea)
        assert r.status_code == 200, r.text
        items = (await client.get("/v1/intent/corrections", headers=ADMIN)).json()["items"]
    assert [(c["intent"], c["from_team"], c["actor"]) for c in items] == [("legal", "brand", "bea")]


class SlowKit(FakeKit):
    """Training waits until the test lets it finish (or fails when told to)."""

    def __init__(self) -> None:
        super().__init__()
        self.go = threading.Event()
        self.fail = False

    def train(self, corrections: Any, *, version: str) -> Any:
        self.go.wait(timeout=30)
        if self.fail:
            raise RuntimeError("no convergence")
        return super().train(corrections, version=version)


@pytest.mark.unit
async def test_one_training_at_a_time_bounded_in_time_and_failures_reported(
    memory_broker, sqlite_url
) -> None:
    kit = SlowKit()
    app = create_app(
        settings(sqlite_url, router_intent_train_timeout_seconds=0.5),
        bus=memory_broker,
        intent_kit=kit,
    )
    async with running(app) as client:
        r = await client.post("/v1/intent/models", headers=SAM)
        assert r.status_code == 202, r.text
        busy = await client.post("/v1/intent/models", headers=SAM)
        assert (busy.status_code, busy.json()["code"]) == (409, "training_in_progress")
        late = await trained(client, r.headers["location"])
        assert late["status"] == "failed" and late["error"] == "not trained within 0.5 s"
        r = await client.post(f"/v1/intent/models/{late['version']}/promote", headers=LEAD)
        assert (r.status_code, r.json()["code"]) == (404, "intent_model_not_found")
        again = await client.post("/v1/intent/models", headers=SAM)
        assert again.status_code == 409, "the thread still runs: still one at a time"
        kit.go.set()
        await untrained(app)
        kit.go.clear()
        kit.fail = True
        r = await client.post("/v1/intent/models", headers=SAM)
        assert r.status_code == 202, r.text
        kit.go.set()
        failed = await trained(client, r.headers["location"])
    assert failed["status"] == "failed" and failed["error"] == "RuntimeError: no convergence"
    assert failed["version"] == "retrain-2"
