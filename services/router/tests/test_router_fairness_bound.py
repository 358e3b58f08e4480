"""Fairness as a guarantee: the guard refuses a member beyond the bound unless nobody else can
take the case (and says why); the figures are exported per team and served per shift."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from chorus_router.app import create_app
from chorus_router.casework.assignment import Need
from chorus_router.casework.fairness import gini, guarded_choose, ratio, shift_start
from chorus_router.casework.load import LoadBook
from chorus_router.directory.roster import Directory, Team, member_from_row

from services.router.tests.router_accountability_support import (
    ADMIN,
    T0,
    Clock,
    act,
    availability,
    cases,
    settings,
    wait_cases,
)
from services.router.tests.router_support import encode, make_post, member_row, post_event
from tests.support.fixtures import auth, running
from tests.support.wait import wait_for

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


def _team(*rows: dict[str, Any]) -> Directory:
    return Directory.of([Team("support", "Support")], [member_from_row(r) for r in rows])


def _book(**open_cases: int) -> LoadBook:
    book = LoadBook()
    for member, n in open_cases.items():
        for _ in range(n):
            book.add(member, 1.0, solid=True)
    return book


@pytest.mark.unit
def test_guard_refuses_an_owner_beyond_the_bound_and_gives_the_case_to_the_lightest() -> None:
    d = _team(member_row("ann"), member_row("bob"), member_row("cid"))
    book = _book(ann=6, bob=2, cid=3)
    need = Need(team="support")
    choice = guarded_choose(need, d, book, NOW, bound=1.5, prefer="ann")
    assert choice.member == "bob"
    assert choice.fairness is not None and choice.fairness["outcome"] == "refused"
    assert choice.fairness["refused"] == "ann" and "fairness bound" in choice.reason
    kept = guarded_choose(need, d, _book(ann=3, bob=2, cid=3), NOW, bound=1.5, prefer="ann")
    assert kept.member == "ann" and kept.continuity, "within 1.5x: continuity stands"
    assert kept.fairness is not None and kept.fairness["outcome"] == "within"


@pytest.mark.unit
def test_guard_lets_the_only_possible_member_take_it_and_records_why() -> None:
    d = _team(member_row("ann", langs=("en", "de")), member_row("bob", langs=("en",)))
    book = _book(ann=6, bob=1)
    choice = guarded_choose(Need(team="support", language="de"), d, book, NOW, bound=1.5)
    assert choice.member == "ann"
    assert choice.fairness is not None and choice.fairness["outcome"] == "beyond_bound"
    assert "nobody else who can take it" in choice.reason and "does not speak de" in choice.reason


@pytest.mark.unit
def test_not_enforced_records_but_never_refuses() -> None:
    d = _team(member_row("ann"), member_row("bob"))
    choice = guarded_choose(
        Need(team="support"), d, _book(ann=6, bob=1), NOW, bound=1.5, prefer="ann", enforced=False
    )
    assert choice.member == "ann"
    assert choice.fairness is not None and choice.fairness["outcome"] == "beyond_bound"


@pytest.mark.unit
def test_figures_ratio_gini_and_shifts() -> None:
    assert ratio([2.0, 1.0, 1.0]) == 2.0
    assert ratio([1.0, 0.0]) is None and ratio([0.0, 0.0]) == 1.0
    assert gini([1.0, 1.0, 1.0]) == 0.0
    assert gini([0.0, 0.0, 3.0]) == pytest.approx(0.6667, abs=1e-4)
    assert shift_start(NOW, 8) == NOW.replace(hour=8)
    assert shift_start(NOW.replace(hour=23, minute=59), 8) == NOW.replace(hour=16)


@pytest.mark.unit
async def test_reopen_to_an_overloaded_owner_is_refused_and_counted(
    memory_broker, sqlite_url
) -> None:
    clock = Clock()
    app = create_app(settings(sqlite_url), bus=memory_broker)
    app.state.core.clock = clock
    async with running(app) as client:
        for m in ("uma", "victor"):
            await availability(client, m, "out_of_office")
        await availability(client, "sam", "away")
        first = make_post("Where is my parcel?", received_at=T0)
        await memory_broker.append(encode([post_event(first)]))
        (a,) = await wait_cases(client, 1, what="first case")
        assert a["assignee"] == "tom"
        assert (await act(client, a["id"], "resolve", {"reason": "delivered"})).status_code == 200
        more = [make_post(f"My order {i} is late", received_at=T0) for i in range(4)]
        await memory_broker.append(encode([post_event(p) for p in more]))
        await wait_cases(client, 4, assignee="tom", what="four more on tom")
        await availability(client, "sam", "on_shift")

        r = await act(client, a["id"], "reopen", {"reason": "customer wrote again"})
        assert r.status_code == 200, r.text
        reopened = r.json()
        assert reopened["assignee"] == "sam", "tom already carries more than 1.5x sam"
        verdict = reopened["decision"]["assignment"]["fairness"]
        assert verdict["outcome"] == "refused" and verdict["refused"] == "tom"

        r = await client.get("/v1/teams/support/fairness", headers=ADMIN)
        assert r.status_code == 200, r.text
        fair = r.json()
        assert fair["shift"]["interventions"] == {"refused": 1}
        assert fair["shift"]["cases_received"]["tom"] == 5
        assert fair["bound"] == 1.5

        async def exported():
            text = (await client.get("/metrics")).text
            ok = 'chorus_router_fairness_gini{team="support"}' in text
            return text if ok else None

        text = await wait_for(exported, what="fairness gauges")
        assert (
            'chorus_router_fairness_interventions_total{outcome="refused",team="support"} 1.0'
            in text
        )
        assert 'chorus_router_fairness_shift_ratio{team="legal"}' in text

        r = await client.get("/v1/teams/support/fairness", headers=auth("agent", teams=("pr",)))
        assert r.status_code == 403
        r = await client.get("/v1/teams/nope/fairness", headers=ADMIN)
        assert r.status_code == 404
        assert len(await cases(client)) == 5
