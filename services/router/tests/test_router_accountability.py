"""The responsibility record: RACI, every hand-off with its reason, time in each team's and
member's hands per state; the figures ride on the case events for analytics."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from chorus_router.accountability.history import (
    Entry,
    by_member,
    by_team,
    chain,
    sla_clock,
    time_in_hands,
)
from chorus_router.app import create_app

from services.router.tests.router_accountability_support import (
    T0,
    Clock,
    accountability,
    act,
    settings,
    wait_cases,
)
from services.router.tests.router_support import (
    encode,
    make_post,
    post_event,
    relayed,
    reply_event,
)
from tests.support.fixtures import auth, running


@pytest.mark.unit
async def test_case_that_went_support_legal_pr_shows_every_handoff_and_time_per_team(
    memory_broker, sqlite_url
) -> None:
    clock = Clock()
    app = create_app(settings(sqlite_url), bus=memory_broker)
    app.state.core.clock = clock
    async with running(app) as client:
        post = make_post("Where is my parcel? Order 5521 never came", received_at=T0)
        await memory_broker.append(encode([post_event(post)]))
        (case,) = await wait_cases(client, 1, what="support case")
        assert case["team"] == "support" and case["assignee"]
        first = case["assignee"]

        clock.advance(minutes=10)
        r = await act(
            client, case["id"], "transfer", {"team": "legal", "reason": "threatens to sue"}
        )
        assert r.status_code == 200, r.text
        legal = r.json()
        assert legal["team"] == "legal" and legal["assignee"] in {"lena", "marc", "nora"}
        assert "support" in legal["collaborators"], "the old owner team stays informed"

        clock.advance(minutes=15)
        r = await act(
            client, case["id"], "transfer", {"team": "pr", "reason": "a journalist asked"}
        )
        assert r.status_code == 200, r.text
        pr = r.json()

        clock.advance(minutes=15)
        r = await act(client, case["id"], "resolve", {"reason": "statement published"})
        assert r.status_code == 200, r.text

        clock.advance(minutes=10)  # resolved: nobody's hands any more
        rec = await accountability(client, case["id"])

    hands = rec["time_in_hands"]["by_team"]
    assert hands["support"]["total"] == 600
    assert hands["legal"]["total"] == 900
    assert hands["pr"]["total"] == 900
    assert hands["legal"]["open"] == 900 and hands["legal"]["waiting_customer"] == 0
    people = rec["time_in_hands"]["by_member"]
    assert people[first]["total"] == 600
    assert people[legal["assignee"]]["total"] == 900
    assert people[pr["assignee"]]["total"] == 900
    chain_ = rec["handoffs"]
    assert [(h["from_team"], h["to_team"]) for h in chain_] == [
        (None, "support"),
        ("support", "legal"),
        ("legal", "pr"),
    ]
    assert "threatens to sue" in chain_[1]["reason"]
    assert "a journalist asked" in chain_[2]["reason"]
    assert chain_[1]["from_member"] == first and chain_[2]["to_member"] == pr["assignee"]
    assert rec["team_handoffs"] == 2
    raci = rec["raci"]
    assert raci["owner"]["team"] == "pr" and raci["owner"]["lead"] == "paul"
    assert {"sam", "lena"} <= set(raci["informed"]), "leads of the teams it passed through"
    assert first in raci["informed"] and legal["assignee"] in raci["informed"]
    assert rec["sla"]["clock"]["state"] == "stopped"
    assert rec["sla"]["clock"]["by_team"] == {"legal": 900, "pr": 900, "support": 600}

    # Analytics reads the same figures from the case events.
    resolved = (await relayed(memory_broker, case["id"], "case.resolved"))[-1]
    tih = {(r["team"], r["state"]): r["seconds"] for r in resolved.payload["time_in_hands"]}
    assert tih[("support", "open")] == 600 and tih[("legal", "open")] == 900
    assert tih[("pr", "open")] == 900
    assert len(resolved.payload["handoffs"]) == 3


@pytest.mark.unit
async def test_approvals_and_waiting_on_the_customer_are_separate_states(
    memory_broker, sqlite_url
) -> None:
    clock = Clock()
    app = create_app(settings(sqlite_url), bus=memory_broker)
    app.state.core.clock = clock
    async with running(app) as client:
        post = make_post("My lawyer will sue you for this", received_at=T0)
        await memory_broker.append(encode([post_event(post)]))
        (case,) = await wait_cases(client, 1, what="legal case")
        clock.advance(minutes=5)
        await memory_broker.append(encode([reply_event(case["id"], "reply.approval_requested")]))
        await wait_cases(client, 1, status="waiting_approval", what="waiting approval")
        clock.advance(minutes=20)
        await memory_broker.append(encode([reply_event(case["id"], "reply.approved")]))
        await wait_cases(client, 1, status="assigned", what="approved")
        await memory_broker.append(encode([reply_event(case["id"], "reply.sent", "r2")]))
        await wait_cases(client, 1, status="replied", what="replied")
        clock.advance(minutes=30)
        rec = await accountability(client, case["id"])
        r = await client.get(
            f"/v1/cases/{case['id']}/accountability", headers=auth("agent", teams=("brand",))
        )
        assert r.status_code == 404, "agents of uninvolved teams do not see it"
    legal = rec["time_in_hands"]["by_team"]["legal"]
    assert legal["open"] == 300
    assert legal["waiting_approval"] == 1200
    assert legal["waiting_customer"] == 1800
    approvers = rec["raci"]["approvers"]
    assert {"team": "legal", "lead": "lena"} in approvers
    clock_ = rec["sla"]["clock"]
    assert clock_["state"] == "paused", "waiting for the customer stops the clock"
    assert clock_["elapsed_seconds"] == 1500 and clock_["paused_seconds"] == 1800


E = datetime(2026, 1, 1, tzinfo=UTC)


def _e(seq: int, minute: int, status: str, team: str, member: str | None) -> Entry:
    return Entry(E.replace(minute=minute), seq, "case.x", status, team, member)


@pytest.mark.unit
def test_time_in_hands_counts_the_queue_for_the_team_and_stops_at_resolution() -> None:
    log = [
        _e(1, 0, "queued", "support", None),
        _e(2, 5, "assigned", "support", "tom"),
        _e(3, 20, "replied", "support", "tom"),
        _e(4, 30, "resolved", "support", "tom"),
    ]
    tih = time_in_hands(log, E.replace(minute=59))
    assert by_team(tih)["support"] == {
        "open": 1200.0,
        "waiting_approval": 0.0,
        "waiting_customer": 600.0,
        "total": 1800.0,
    }
    assert by_member(tih)["tom"]["total"] == 1500.0, "queue time is nobody's"
    assert [(h.from_member, h.to_member) for h in chain(log)] == [(None, None), (None, "tom")]
    clock = sla_clock(log, E.replace(minute=59), ["waiting_customer"])
    assert clock.stopped and clock.elapsed == 1200.0 and clock.paused == 600.0
