"""The Prometheus snapshot refresh keeps to its share of the time when it gets expensive."""

from __future__ import annotations

import pytest
from chorus_analytics import prom, prom_families
from chorus_analytics.settings import AnalyticsSettings


def _settings(period: float, share: float) -> AnalyticsSettings:
    return AnalyticsSettings(
        database_url="sqlite+aiosqlite:///:memory:",
        metrics_refresh_seconds=period,
        metrics_refresh_max_share=share,
    )


@pytest.mark.unit
def test_a_cheap_refresh_runs_at_the_configured_period() -> None:
    s = _settings(10, 0.05)
    assert prom.next_refresh_in(s, 0.1) == 10
    assert prom.next_refresh_in(s, 0.0) == 10


@pytest.mark.unit
def test_an_expensive_refresh_waits_long_enough_to_stay_within_its_share() -> None:
    s = _settings(10, 0.05)
    wait = prom.next_refresh_in(s, 2.0)
    assert wait == pytest.approx(38.0)
    assert 2.0 / (2.0 + wait) == pytest.approx(0.05), "the refresh's share of the cycle"


@pytest.mark.unit
@pytest.mark.parametrize("share", [0.0, 1.0])
def test_the_budget_can_be_switched_off(share: float) -> None:
    s = _settings(10, share)
    assert prom.next_refresh_in(s, 30.0) == 10


@pytest.mark.unit
async def test_refresh_reports_its_duration_in_the_snapshot(sqlite_url) -> None:
    from chorus_analytics.app import create_app
    from chorus_common.messaging.bus.memory import MemoryBroker

    from tests.support.fixtures import running

    settings = AnalyticsSettings(
        database_url=sqlite_url, metrics_refresh_seconds=0, spike_check_seconds=0
    )
    app = create_app(settings, bus=MemoryBroker(partitions=4))
    async with running(app):
        collector = prom_families.AnalyticsCollector()
        took = await prom.refresh(app.state.runtime, settings, collector)
        assert took > 0
        samples = {m.name: [s.value for s in m.samples] for m in collector.collect() if m.samples}
        assert samples[prom_families.P + "refresh_duration_seconds"] == [took]
