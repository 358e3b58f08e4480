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


@pytest.mark.unit
def test_floor_rows_give_chorus_as_multiples_of_the_floor() -> None:
    floor = {
        "throughput": {
            "e2e_to_routed_posts_per_s": 12_000,
            "complete": True,
            "cpu_us_per_post": {"ingest": 30, "router": 50, "broker": 20},
        },
        "latency": [
            {
                "offered_per_s": 1000,
                "p50_ms": 15.0,
                "p95_ms": 25.0,
                "p99_ms": 31.5,
                "complete": True,
                "cores": {"ingest": 0.2},
            },
        ],
    }
    rows = dict(
        _rows(
            {
                "floor": floor,
                "throughput": _run(1_500, 1_400, {})[0],
                "cpu_us_per_post": {
                    "batches": {"ingest": 300, "router": 500, "broker": 200, "analytics": 400}
                },
            }
        )
    )
    assert rows["[floor] end-to-end to case routed (posts/s)"] == "12,000 complete=True"
    assert rows["[floor] CPU µs per post"].endswith("total 100")
    assert rows["[floor] Chorus end-to-end / floor"] == "0.125"
    assert rows["[floor] Chorus CPU per post / floor (ingest+router+broker)"] == (
        "10.0x (1,000 µs)"
    ), "the processes the floor has, not analytics"
    assert rows["[floor] latency @ 1000/s p50/p95/p99 (ms)"].startswith("15.0 / 25.0 / 31.5")
    assert "[floor] latency @ 1000/s p50/p95/p99 (ms)" not in dict(_rows({"floor": {}}))


@pytest.mark.unit
def test_each_floor_ladder_rung_gets_a_row_with_its_rate_cpu_and_p99() -> None:
    rung = {
        "steps": "post,enrich",
        "throughput": {"e2e_to_routed_posts_per_s": 3_254, "cpu_us_per_post": {"ingest": 282}},
        "latency": [{"offered_per_s": 1000, "p99_ms": 70.6, "cores": {"ingest": 0.56}}],
    }
    bare = {"steps": "", "latency": []}
    rows = dict(_rows({"floor": bare, "floor_ladder": [bare, rung]}))
    assert rows["[floor +post,enrich]"] == (
        "3,254 posts/s, CPU µs ingest 282; p99 @ 1000/s 70.6 ms (cores ingest 0.56)"
    )
    assert rows["[floor +nothing]"] == ""


@pytest.mark.unit
def test_targets_are_given_against_chorus_and_the_rung_of_required_steps() -> None:
    required = {
        "steps": "post,enrich,decode,route",
        "throughput": {
            "e2e_to_routed_posts_per_s": 6_000,
            "cpu_us_per_post": {"ingest": 150, "router": 120, "broker": 40},
        },
        "latency": [{"offered_per_s": 1000, "p99_ms": 120.5}],
    }
    partial = {
        "steps": "post,enrich",
        "throughput": {"e2e_to_routed_posts_per_s": 9_999, "cpu_us_per_post": {"ingest": 1}},
        "latency": [{"offered_per_s": 1000, "p99_ms": 1.0}],
    }
    run = {
        "machine": {"cpus": 2},
        "baseline": {"produce_consume_per_s": 12_000, "bytes": 800},
        "throughput": _run(1_500, 1_400, {})[0],
        "ratio_e2e_to_transport": 0.125,
        "latency": [
            {"offered_per_s": 100, "p50_ms": 9, "p95_ms": 9, "p99_ms": 9.0, "complete": True},
            {"offered_per_s": 1000, "p50_ms": 50, "p95_ms": 80, "p99_ms": 95.5, "complete": True},
        ],
        "cpu_us_per_post": {"batches": {"ingest": 300, "router": 500, "broker": 200}},
        "floor": {"steps": "", "latency": []},
        "floor_ladder": [{"steps": "", "latency": []}, partial, required],
    }
    rows = dict(_rows(run))
    assert rows["target: ≥ 5,000 posts/s end to end"] == (
        "Chorus 1,500 posts/s (not met); required steps alone 6,000 posts/s (met)"
    ), "the rung with every step, not the partial one"
    assert rows["target: p99 < 100 ms at 1,000 posts/s"] == (
        "Chorus 95.5 ms (met); required steps alone 120.5 ms (not met)"
    ), "the load the target names, not the 100/s one"
    assert rows["target: ≥ 0.25 of the raw transport rate"] == (
        "Chorus 0.125 (not met); required steps alone 0.500 (met)"
    ), "the rung's rate over the same run's raw transport"
    assert rows["CPU per post that 5,000 posts/s leaves on 2 CPUs"] == (
        "400 µs for every process together; Chorus 1,000 µs (ingest+router+broker); "
        "required steps alone 310 µs (ingest+router+broker)"
    )
    without = dict(_rows({**run, "floor_ladder": [{"steps": "", "latency": []}, partial]}))
    assert without["target: ≥ 5,000 posts/s end to end"] == "Chorus 1,500 posts/s (not met)"
    assert not any(k.startswith("target") for k in dict(_rows({"floor": {}})))
    raw_only = {"baseline": {"produce_consume_per_s": 12_000, "bytes": 800}}
    assert not any(k.startswith("target") for k in dict(_rows(raw_only))), "nothing to compare"
