"""The benchmark's summary of repeated runs: the median run, every run's rate, median CPU."""

from __future__ import annotations

from typing import Any

import pytest

from bench.report import _rows
from bench.run import _median_run


def _run(rate: int, analytics: int, cpu: dict[str, int]) -> tuple[dict[str, Any], dict[str, int]]:
    res = {
        "posts": 100,
        "ingest_http_posts_per_s": rate * 2,
        "e2e_to_routed_posts_per_s": rate,
        "e2e_to_analytics_posts_per_s": analytics,
        "complete": True,
        "analytics_complete": True,
    }
    return res, cpu


@pytest.mark.unit
def test_repeated_runs_report_the_median_run_and_the_range() -> None:
    runs = [
        _run(900, 850, {"router": 700, "ingest": 300}),
        _run(1200, 1100, {"router": 600, "ingest": 280}),
        _run(1000, 990, {"router": 650, "ingest": 350}),
    ]
    res, cpu = _median_run(runs)
    assert res["e2e_to_routed_posts_per_s"] == 1000
    assert res["e2e_to_analytics_posts_per_s"] == 990, "fields of one run, not mixed"
    assert res["e2e_to_routed_posts_per_s_runs"] == [900, 1200, 1000]
    assert cpu == {"ingest": 300, "router": 650}, "each process's own median"
    rows = dict(_rows({"throughput": res, "args": {"repeat": 3}, "cpu_us_per_post": {"b": cpu}}))
    assert rows["[batches] end-to-end to case routed (posts/s)"].startswith(
        "1,000 (median of 3: 900 to 1,200)"
    )
    assert "[b] CPU µs per post (medians)" in rows


@pytest.mark.unit
def test_a_single_run_is_reported_as_it_is() -> None:
    res, cpu = _median_run([_run(800, 700, {"router": 500})])
    assert "e2e_to_routed_posts_per_s_runs" not in res
    assert cpu == {"router": 500}
    rows = dict(_rows({"throughput": res}))
    assert rows["[batches] end-to-end to case routed (posts/s)"] == "800 complete=True"


@pytest.mark.unit
def test_one_incomplete_run_marks_the_phase_incomplete() -> None:
    incomplete = _run(500, 400, {"router": 900})
    incomplete[0]["complete"] = False
    res, _ = _median_run([_run(800, 700, {"router": 500}), incomplete, _run(900, 800, {})])
    assert res["complete"] is False
