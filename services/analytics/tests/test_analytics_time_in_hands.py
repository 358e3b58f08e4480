"""Time in hands from case events: the newest version of each case's cumulative figures is
kept (a redelivery, an older version arriving late and a same-version older count change
nothing), summed per team, member and state in the report, the summary and the metrics."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import pytest
from chorus_analytics import prom
from chorus_analytics.app import create_app
from chorus_analytics.domain.hands import handoff_counts, is_newer
from chorus_analytics.settings import AnalyticsSettings
from chorus_common.contracts.events import HandOff, TimeInHands
from chorus_common.messaging.envelope import Envelope
from prometheus_client.parser import text_string_to_metric_families

from services.analytics.tests.analytics_kit import at, case_event
from tests.support.fixtures import FAST_KAFKA_ENV, auth, running

H = auth("admin")  # every team, and what belongs to none
ALL = {"from": at(-60).isoformat(), "to": at(600).isoformat()}


def _held(*rows: tuple[str, str | None, str, float]) -> tuple[TimeInHands, ...]:
    return tuple(TimeInHands(team=t, member=m, state=s, seconds=v) for t, m, s, v in rows)


def _hop(
    when: datetime, event: str, frm: tuple[str | None, str | None], to: tuple[str, str | None]
) -> HandOff:
    return HandOff(
        at=when, event=event, from_team=frm[0], from_member=frm[1], to_team=to[0], to_member=to[1]
    )


def _case(type_: str, case_id: str, minute: float, version: int, **kw: Any) -> Envelope:
    event = case_event(type_, case_id, at(minute), version, priority="P2", platform="x", **kw)
    return Envelope.from_bytes(event.to_bytes())


def sequence() -> tuple[list[Envelope], list[Envelope]]:
    """Two batches. c1: support (queue, then sam) → legal (lea), resolved at v4; its v3
    arrives after v4 and v4 is redelivered. c2: support queue → tom; two counts of v3, the
    later one first."""
    c1 = {"team": "support", "opened_at": at(0)}
    chain1 = (
        _hop(at(1), "case.assigned", (None, None), ("support", "sam")),
        _hop(at(6), "case.reassigned", ("support", "sam"), ("legal", "lea")),
    )
    e1 = _case("case.opened", "c1", 0, 1, **c1)
    e2 = _case(
        "case.assigned",
        "c1",
        1,
        2,
        **c1,
        assignee="sam",
        handoffs=chain1[:1],
        time_in_hands=_held(("support", None, "open", 60)),
        time_in_hands_at=at(1),
    )
    e3 = _case(
        "case.reassigned",
        "c1",
        6,
        3,
        **{**c1, "team": "legal"},
        assignee="lea",
        handoffs=chain1,
        time_in_hands=_held(("support", None, "open", 60), ("support", "sam", "open", 300)),
        time_in_hands_at=at(6),
    )
    e4 = _case(
        "case.resolved",
        "c1",
        16,
        4,
        **{**c1, "team": "legal", "status": "resolved"},
        assignee="lea",
        handoffs=chain1,
        time_in_hands=_held(
            ("support", None, "open", 60),
            ("support", "sam", "open", 300),
            ("support", "sam", "waiting_customer", 120),
            ("legal", "lea", "open", 200),
            ("legal", "lea", "waiting_approval", 100),
        ),
        time_in_hands_at=at(16),
    )
    c2 = {"team": "support", "opened_at": at(60)}
    chain2 = (
        _hop(at(60), "case.opened", (None, None), ("support", None)),
        _hop(at(61), "case.assigned", ("support", None), ("support", "tom")),
    )
    f1 = _case("case.opened", "c2", 60, 1, **c2)
    f2 = _case(
        "case.assigned",
        "c2",
        61,
        2,
        **c2,
        assignee="tom",
        handoffs=chain2,
        time_in_hands=_held(("support", None, "open", 20)),
        time_in_hands_at=at(61),
    )
    older = _case(
        "case.updated",
        "c2",
        62,
        3,
        **c2,
        assignee="tom",
        handoffs=chain2,
        time_in_hands=_held(("support", None, "open", 20), ("support", "tom", "open", 80)),
        time_in_hands_at=at(62.5),
    )
    newer = _case(
        "case.sla_breached",
        "c2",
        63,
        3,
        **c2,
        assignee="tom",
        handoffs=chain2,
        time_in_hands=_held(
            ("support", None, "open", 20),
            ("support", "tom", "open", 90),
            ("support", "tom", "waiting_approval", 30),
        ),
        time_in_hands_at=at(63),
    )
    return [e1, e2, e4, f1], [e3, e4, newer, f2, older]


def test_newest_figures_win_by_version_then_count_time() -> None:
    assert is_newer(2, at(1), None, None)
    assert is_newer(3, at(0), 2, at(9)), "a higher version wins whatever its count time"
    assert not is_newer(2, at(9), 3, at(0))
    assert is_newer(3, at(2), 3, at(1)) and not is_newer(3, at(1), 3, at(1))
    hops = sequence()[0][2].parsed().handoffs
    assert handoff_counts(hops) == (1, 1) and handoff_counts(None) == (None, None)


async def _report(client, **params: str) -> dict[str, Any]:
    r = await client.get("/v1/reports/time-in-hands", params={**ALL, **params}, headers=H)
    assert r.status_code == 200, r.text
    return r.json()


SUPPORT = {"open": 470.0, "waiting_approval": 30.0, "waiting_customer": 120.0, "total": 620.0}
LEGAL = {"open": 200.0, "waiting_approval": 100.0, "waiting_customer": 0.0, "total": 300.0}


async def check_report(client) -> None:
    rep = await _report(client)
    assert (rep["cases"], rep["handoffs"], rep["team_handoffs"]) == (2, 2, 1)
    assert rep["handoffs_per_case"] == 1.0
    assert rep["teams"] == {"legal": {**LEGAL, "cases": 1}, "support": {**SUPPORT, "cases": 2}}
    assert rep["members"]["sam"] == {
        "open": 300.0,
        "waiting_approval": 0.0,
        "waiting_customer": 120.0,
        "total": 420.0,
        "cases": 1,
    }
    assert rep["members"]["tom"]["total"] == 120.0, "v3 counted at 63 min, not the one at 62.5"
    assert rep["members"]["lea"]["total"] == 300.0 and set(rep["members"]) == {"sam", "tom", "lea"}
    legal = await _report(client, team="legal")
    assert legal["teams"] == {"legal": {**LEGAL, "cases": 1}} and legal["cases"] == 1
    assert (legal["handoffs"], legal["team_handoffs"]) == (1, 1)
    late = await _report(client, **{"from": at(30).isoformat()})
    assert late["cases"] == 1 and late["teams"]["support"]["total"] == 140.0, "only c2 opened"
    r = await client.get("/v1/reports/time-in-hands", params={**ALL, "format": "csv"}, headers=H)
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert r.headers["content-type"].startswith("text/csv")
    queue = [row for row in rows if row["team"] == "support" and row["member"] == ""]
    assert len(rows) == 4 and queue[0]["open"] == "80.0" and queue[0]["cases"] == "2"


async def check_summary_and_metrics(app, client) -> None:
    r = await client.get("/v1/reports/summary", headers=H)
    held = r.json()["time_in_hands"]
    assert held["by_team"]["support"] == {**SUPPORT, "cases": 2}
    assert (held["cases"], held["handoffs"], held["by_member"]["lea"]["total"]) == (2, 2, 300.0)
    await prom.refresh(app.state.runtime, app.state.settings, app.state.collector)
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for m in text_string_to_metric_families((await client.get("/metrics")).text)
        for s in m.samples
    }
    p = "chorus_analytics_"
    assert samples[(p + "time_in_hands_seconds", (("state", "open"), ("team", "support")))] == 470
    assert samples[(p + "case_handoffs", (("team", "legal"),))] == 1
    members = {k[1]: v for k, v in samples.items() if k[0] == p + "member_time_in_hands_seconds"}
    assert members == {
        (("member", "sam"), ("team", "support")): 420,
        (("member", "lea"), ("team", "legal")): 300,
    }, "only the top 2 members get a series"


@pytest.mark.integration
async def test_time_in_hands_keeps_newest_figures_per_case(db_url, memory_broker) -> None:
    settings = AnalyticsSettings(
        database_url=db_url,
        spike_check_seconds=0,
        metrics_refresh_seconds=0,
        metrics_member_series=True,
        metrics_top_members=2,
        consumer_enabled=False,
        **FAST_KAFKA_ENV,
    )
    app = create_app(settings, bus=memory_broker)  # the batch handler is driven directly
    first, second = sequence()
    async with running(app) as client:
        await app.state.batch_handler(first)
        await app.state.batch_handler(second)
        await check_report(client)
        await check_summary_and_metrics(app, client)
        await app.state.batch_handler([*first, *second])  # all of it again: no change
        await check_report(client)
