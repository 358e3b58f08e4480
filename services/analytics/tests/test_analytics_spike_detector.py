"""The EWMA/z-score detector: detection delay and false alarms on synthetic traffic."""

from __future__ import annotations

import pytest
from chorus_analytics.domain.spikes import SpikeParams, evaluate
from chorus_analytics.domain.spikesim import Surge, simulate

P = SpikeParams()


@pytest.mark.unit
@pytest.mark.parametrize(("base", "extra"), [(0.5, 10.0), (2.0, 20.0), (10.0, 40.0)])
def test_injected_surge_is_detected_within_90_seconds_and_cleared_within_2_minutes(base, extra):
    for seed in (0, 1):
        r = simulate(
            360, base, surge=Surge(start_minute=180, minutes=15, rate_per_minute=extra), seed=seed
        )
        assert r.detection_delay_s is not None, f"surge missed (seed {seed})"
        assert r.detection_delay_s <= 90
        assert r.false_alarms == 0
        assert r.clear_delay_s is not None and r.clear_delay_s <= 120


@pytest.mark.unit
@pytest.mark.parametrize("base", [0.5, 2.0, 10.0])
def test_flat_series_raises_no_alarm_over_a_day(base):
    assert simulate(1440, base, seed=1000).false_alarms == 0


@pytest.mark.unit
def test_partial_minute_raises_before_the_minute_closes():
    v = evaluate([2.0] * 20, 15, P)
    assert v.raised and v.from_partial
    assert v.score.baseline == pytest.approx(2.0)
    assert v.score.zscore == pytest.approx((15 - 2) / 2**0.5)


@pytest.mark.unit
def test_hysteresis_keeps_alert_until_rate_falls_back_to_z_clear():
    history = [2.0] * 20 + [30.0]
    assert evaluate(history, 0, P).raised
    # 5/min is z=2.1 over the frozen baseline of 2: still raised (above z_clear=2)
    assert evaluate([*history, 5.0], 0, P).raised
    assert not evaluate([*history, 5.0, 2.0], 0, P).raised


@pytest.mark.unit
def test_small_counts_and_cold_start_never_raise():
    assert not evaluate([0.0] * 3, 50, P).raised, "no baseline yet (warm-up)"
    assert not evaluate([0.0] * 60, 4, P).raised, "below min_count even at a huge z-score"
