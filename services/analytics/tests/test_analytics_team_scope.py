"""Reports are scoped to the caller's teams: agents and leads read only their teams' figures in
every report and format; admins and services read everything, posts not routed yet included."""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from chorus_analytics import models, prom
from chorus_analytics.api.reports import REPORTS
from chorus_analytics.app import MIGRATIONS, create_app
from chorus_analytics.settings import AnalyticsSettings
from chorus_common.bus.memory import MemoryBroker
from chorus_common.db import alembic_config, make_engine
from sqlalchemy import insert, select, text

from services.analytics.tests.analytics_kit import at, case_event, post_event, reply_event
from tests.support.fixtures import FAST_KAFKA_ENV, auth, running

RANGE = {"from": at(-60).isoformat(), "to": at(120).isoformat()}
DAY = {"date": at(0).date().isoformat()}
# What only legal's, pr's and nobody's (not routed) data contain.
LEGAL = ("legal", "lawsuit", "lawyer9", "m-leg")
PR = ("interview", "journo", "m-pr")
UNROUTED = ("stranger", "mystery")
SUPPORT = ("refund", "cust1", "m-sup")


def _app(url: str, **kw: Any) -> Any:
    settings = AnalyticsSettings(
        database_url=url,
        spike_check_seconds=0,
        metrics_refresh_seconds=0,
        consumer_enabled=False,
        router_url="",  # no router: the members tokens name are not looked up
        **FAST_KAFKA_ENV,
        **kw,
    )
    return create_app(settings, bus=MemoryBroker(partitions=4))


def _case(team: str, case_id: str, post: str, member: str, minute: float, version: int = 2):
    return case_event(
        "case.assigned",
        case_id,
        at(minute),
        version,
        team=team,
        assignee=member,
        platform="x",
        channel="@brand",
        priority="P2",
        post_ids=(f"x:{post}",),
        opened_at=at(minute - 1),
        sla_due_at=at(minute + 30),
    )


def _posts() -> list[Any]:
    return [
        post_event("s1", author="cust1", keywords=("refund",), created=at(1), sentiment="negative"),
        post_event("s2", author="cust1", keywords=("refund",), created=at(2)),
        post_event("l1", author="lawyer9", keywords=("lawsuit",), created=at(3), followers=9000),
        post_event("p1", author="journo", keywords=("interview",), created=at(4)),
        post_event("u1", author="stranger", keywords=("mystery",), created=at(5)),
    ]


def _routing() -> list[Any]:
    return [
        _case("support", "cs1", "s1", "m-sup", 6),
        _case("support", "cs2", "s2", "m-sup", 6),
        _case("legal", "cl1", "l1", "m-leg", 7),
        _case("pr", "cp1", "p1", "m-pr", 8),
        reply_event("reply.sent", "rs1", "cs1", at(9), team="support", author_member_id="m-sup"),
        reply_event(
            "reply.failed",
            "rl1",
            "cl1",
            at(10),
            team="legal",
            author_member_id="m-leg",
            error_code="lawsuit_pending",
        ),
    ]


async def _everything(app) -> None:
    """Posts first (not routed yet: their terms are stored without a team), then the cases
    that route them, in a later batch (the stored terms follow their posts)."""
    await app.state.batch_handler(_posts())
    await app.state.batch_handler(_routing())


async def _texts(client, headers: dict[str, str]) -> dict[str, str]:
    """Every report in every format the API serves, by name."""
    out: dict[str, str] = {}
    for name in REPORTS:
        for fmt in ("json", "csv"):
            r = await client.get(
                f"/v1/reports/{name}", params={**RANGE, "format": fmt}, headers=headers
            )
            assert r.status_code == 200, (name, r.text)
            out[f"{name}.{fmt}"] = r.text
    r = await client.get("/v1/reports/summary", headers=headers)
    assert r.status_code == 200, r.text
    out["summary"] = r.text
    for fmt in ("json", "markdown"):
        r = await client.get("/v1/reports/digest", params={**DAY, "format": fmt}, headers=headers)
        assert r.status_code == 200, r.text
        out[f"digest.{fmt}"] = r.text
    return out


def _leaks(texts: dict[str, str], markers: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(name, m) for name, t in texts.items() for m in markers if m in t]


async def _report(client, name: str, headers: dict[str, str], **params: str) -> dict[str, Any]:
    r = await client.get(f"/v1/reports/{name}", params={**RANGE, **params}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.unit
async def test_support_agent_sees_no_other_teams_figures_in_any_report_or_format(
    sqlite_url,
) -> None:
    app = _app(sqlite_url)
    agent = auth("agent", member_id="m-sup", teams=("support",))
    async with running(app) as client:
        await _everything(app)
        texts = await _texts(client, agent)
        assert _leaks(texts, LEGAL + PR + UNROUTED) == []
        assert _leaks(texts, SUPPORT), "the agent's own team's figures are there"
        vol = await _report(client, "volume", agent)
        assert vol["total"] == 2 and vol["totals"]["team"] == {"support": 2}
        assert vol["scope"] == {"teams": ["support"]}
        kw = await _report(client, "keywords", agent)
        assert [(k["term"], k["posts"]) for k in kw["keywords"]] == [("refund", 2)]
        authors = await _report(client, "top-authors", agent)
        assert [a["author_id"] for a in authors["rows"]] == ["cust1"]
        summary = (await client.get("/v1/reports/summary", headers=agent)).json()
        assert summary["posts_total"] == 2 and summary["cases_open_by_team"] == {"support": 2}
        assert summary["dead_letters_total"] == 0 and summary["alerts"]["watch"] == {}


@pytest.mark.unit
async def test_a_team_filter_outside_the_callers_teams_is_refused(sqlite_url) -> None:
    app = _app(sqlite_url)
    agent = auth("agent", member_id="m-sup", teams=("support",))
    async with running(app) as client:
        for name in ("volume", "keywords", "top-authors", "workload"):
            r = await client.get(
                f"/v1/reports/{name}", params={**RANGE, "team": "legal"}, headers=agent
            )
            assert r.status_code == 403, r.text
            assert r.json()["code"] == "team_not_visible"
            assert r.json()["field"] == "query.team"
        own = await client.get("/v1/reports/volume", params={"team": "support"}, headers=agent)
        assert own.status_code == 200
        admin = await client.get("/v1/reports/volume", params={"team": "legal"}, headers=auth())
        assert admin.status_code == 200


@pytest.mark.unit
async def test_lead_sees_their_teams_and_admin_and_services_see_all(sqlite_url) -> None:
    app = _app(sqlite_url)
    lead = auth("lead", member_id="m-lead", teams=("support", "pr"))
    async with running(app) as client:
        await _everything(app)
        texts = await _texts(client, lead)
        assert _leaks(texts, LEGAL + UNROUTED) == []
        assert {m for _, m in _leaks(texts, PR + SUPPORT)} == set(PR + SUPPORT)
        vol = await _report(client, "volume", lead)
        assert vol["totals"]["team"] == {"support": 2, "pr": 1}
        for who in (auth("admin"), auth("service")):
            vol = await _report(client, "volume", who)
            assert vol["totals"]["team"] == {"support": 2, "legal": 1, "pr": 1, "": 1}
            assert vol["scope"] == "all"
            texts = await _texts(client, who)
            assert {m for _, m in _leaks(texts, LEGAL + PR + UNROUTED + SUPPORT)} == set(
                LEGAL + PR + UNROUTED + SUPPORT
            )


@pytest.mark.unit
async def test_buzz_subjects_are_shown_to_admins_only(sqlite_url) -> None:
    app = _app(sqlite_url)
    async with running(app) as client:
        async with app.state.runtime.sessionmaker() as session, session.begin():
            await session.execute(
                insert(models.alert_state).values(
                    subject="buzz:keyword:lawsuit",
                    kind="keyword",
                    target="lawsuit",
                    state="raised",
                    alert_id="a1",
                    rate=9.0,
                    baseline=1.0,
                    zscore=8.0,
                    changed_at=at(0),
                )
            )
        agent = auth("agent", teams=("support",))
        alerts = (await client.get("/v1/reports/summary", headers=agent)).json()["alerts"]
        assert alerts["buzz_active"] == [] and alerts["subjects_tracked"] == 0
        alerts = (await client.get("/v1/reports/summary", headers=auth())).json()["alerts"]
        assert [a["target"] for a in alerts["buzz_active"]] == ["lawsuit"]


@pytest.mark.unit
async def test_stored_terms_follow_their_post_to_its_new_team(sqlite_url) -> None:
    app = _app(sqlite_url)
    support = auth("agent", teams=("support",))
    legal = auth("agent", teams=("legal",))
    async with running(app) as client:
        await _everything(app)
        await app.state.batch_handler([_case("legal", "cs1", "s1", "m-leg", 20, version=3)])
        sup = await _report(client, "keywords", support)
        assert [(k["term"], k["posts"]) for k in sup["keywords"]] == [("refund", 1)]
        leg = await _report(client, "keywords", legal)
        assert sorted((k["term"], k["posts"]) for k in leg["keywords"]) == [
            ("lawsuit", 1),
            ("refund", 1),
        ]
        t = models.post_terms
        async with app.state.runtime.sessionmaker() as session:
            rows = (await session.execute(select(t.c.post_id, t.c.team))).all()
        assert sorted(rows) == [
            ("x:l1", "legal"),
            ("x:p1", "pr"),
            ("x:s1", "legal"),
            ("x:s2", "support"),
            ("x:u1", ""),
        ]


async def _metrics(app, client) -> str:
    await prom.refresh(app.state.runtime, app.state.settings, app.state.collector)
    r = await client.get("/metrics")
    assert r.status_code == 200
    return r.text


@pytest.mark.unit
async def test_metrics_name_no_member_unless_member_series_are_turned_on(sqlite_url) -> None:
    app = _app(sqlite_url)
    async with running(app) as client:
        await _everything(app)
        text = await _metrics(app, client)
    assert not [m for m in ("m-sup", "m-leg", "m-pr") if m in text]
    assert 'chorus_analytics_workload_gini{state="open",team="support"}' in text
    assert 'chorus_analytics_cases_open{priority="P2",team="legal"}' in text

    app = _app(sqlite_url, metrics_member_series=True)
    async with running(app) as client:
        text = await _metrics(app, client)
    assert all(m in text for m in ("m-sup", "m-leg", "m-pr")), "the setting turns them on"


@pytest.mark.integration
async def test_migration_gives_stored_terms_their_posts_team(db_url) -> None:
    engine = make_engine(db_url)
    cfg = alembic_config(MIGRATIONS, "alembic_version_analytics")

    def _to(revision: str):
        def run(conn) -> None:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)

        return run

    try:
        async with engine.begin() as conn:
            await conn.run_sync(_to("0002"))
            await conn.execute(
                text(
                    "INSERT INTO analytics_posts VALUES ('x:1', 't', 'x', '@b', 'post', 'en', '',"
                    " NULL, 'legal', 'a', NULL, 0, false, '2026-03-10 10:00:00', 0, 0, 0, 0,"
                    " '[\"lawsuit\"]', 1)"
                )
            )
            await conn.execute(
                text(
                    "INSERT INTO analytics_post_terms VALUES"
                    " ('x:1', 'lawsuit', '@b', false, '2026-03-10 10:00:00'),"
                    " ('x:gone', 'orphan', '@b', false, '2026-03-10 10:00:00')"
                )
            )
            await conn.run_sync(_to("head"))
            rows = (
                await conn.execute(text("SELECT post_id, team FROM analytics_post_terms"))
            ).all()
    finally:
        await engine.dispose()
    assert sorted(tuple(r) for r in rows) == [("x:1", "legal"), ("x:gone", "")]
