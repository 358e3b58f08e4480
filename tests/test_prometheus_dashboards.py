"""A real Prometheus against a running system with demo traffic: every panel expression of
the shipped Grafana dashboards returns data, except those listed in EMPTY_UNTIL_FAILURE
(empty until the failure they show happens) and EMPTY_UNLESS_CONFIGURED (empty in the shipped
configuration), both in docs/operations.md too. No alert fires under demo traffic; one dead
letter fires the dead-letter alert."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from chorus_common.messaging.bus.base import OutMessage
from chorus_common.messaging.bus.factory import KafkaBus
from chorus_common.settings import CommonSettings

from tests.support.demo import DemoTraffic, sandbox, sandbox_env
from tests.support.prometheus import Prometheus, panel_expressions, prometheus, scrape_config
from tests.support.system import system
from tests.support.wait import wait_for_sync

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(480)]

# Panel expressions that are empty while nothing has failed, and why (docs/operations.md).
EMPTY_UNTIL_FAILURE: dict[str, str] = {
    'sum by (service, route) (rate(chorus_http_requests_total{status=~"5.."}[5m]))': (
        "HTTP errors (5xx): a route's series for a status is born with its first answer of "
        "that status; there is none until a request fails on the server"
    ),
}
# Panel expressions that are empty in the shipped configuration, and why.
EMPTY_UNLESS_CONFIGURED: dict[str, str] = {
    f'chorus_analytics_member_cases{{state="{state}"}}': (
        "per-member panels: /metrics answers without a token, so no series names a person "
        "unless analytics runs with METRICS_MEMBER_SERIES=1"
    )
    for state in ("open", "handled")
}
EMPTY = {**EMPTY_UNTIL_FAILURE, **EMPTY_UNLESS_CONFIGURED}
PANELS_DEADLINE_S = 150.0


def _wait_for_panels(prom: Prometheus, exprs: list[str]) -> dict[str, int]:
    """Evaluate every expression until each has returned data once (a scrape that failed
    under load makes a target's series stale for a moment); what never did stays 0."""
    found: dict[str, int] = dict.fromkeys(exprs, 0)

    def all_found() -> bool:
        for expr in exprs:
            if not found[expr]:
                found[expr] = len(prom.query(expr))
        return all(found.values())

    try:
        wait_for_sync(all_found, timeout=PANELS_DEADLINE_S, interval=2.0, what="panel data")
    except AssertionError:
        pass  # the caller names what stayed empty
    return found


def _dead_letter(bootstrap: str) -> None:
    async def send() -> None:
        producer = KafkaBus(CommonSettings(kafka_bootstrap_servers=bootstrap)).producer()
        await producer.start()
        try:
            await producer.send_many([OutMessage("chorus.posts.v1", b"poison", b"not json")])
        finally:
            await producer.stop()

    asyncio.run(send())


def test_every_dashboard_panel_returns_data_under_demo_traffic(tmp_path: Path) -> None:
    started = time.monotonic()
    exprs = sorted({expr for _, _, expr in panel_expressions()})
    assert set(EMPTY) <= set(exprs), "a listed expression is not on a dashboard"
    with sandbox(tmp_path) as (platforms, smtp_port):
        env = {**sandbox_env(platforms, smtp_port), "METRICS_REFRESH_SECONDS": "1"}
        with system(tmp_path, env=env) as sysm:
            print(f"system up after {time.monotonic() - started:.0f} s")
            targets = {name: f"127.0.0.1:{svc.port}" for name, svc in sysm.services.items()}
            with prometheus(tmp_path / "prometheus", scrape_config(targets)) as prom:
                wait_for_sync(
                    lambda: (
                        prom.targets_up()
                        == dict.fromkeys(
                            (
                                "chorus-ingest",
                                "chorus-router",
                                "chorus-responder",
                                "chorus-analytics",
                            ),
                            True,
                        )
                    ),
                    timeout=30,
                    what="prometheus scraping the four services",
                )
                urls = {n: sysm.url(n) for n in ("ingest", "router", "responder")}
                with DemoTraffic(urls, rate_per_s=5.0, staff_interval=1.0):
                    found = _wait_for_panels(prom, [e for e in exprs if e not in EMPTY])
                    empty_listed = {e: len(prom.query(e)) for e in EMPTY}
                    firing = {a for a, state in prom.alerts().items() if state == "firing"}
                print(f"panels evaluated after {time.monotonic() - started:.0f} s")
                assert [e for e, n in found.items() if not n] == [], "panels without data"
                assert empty_listed == dict.fromkeys(EMPTY, 0)
                assert firing == set(), "no alert fires under demo traffic"

                _dead_letter(sysm.bootstrap)
                wait_for_sync(
                    lambda: prom.alerts().get("ChorusDeadLetterQueueNotEmpty") == "firing",
                    timeout=60,
                    interval=0.5,
                    what="the dead-letter alert firing on the first dead letter",
                )
    print(f"whole test {time.monotonic() - started:.0f} s")
