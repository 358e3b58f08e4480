"""`make bench --kafka --postgres`: the engines a run measures and the side-by-side table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.engines import EMBEDDED, Engine, engines
from bench.report import engine_rows, print_table
from bench.run import RESULTS, _args, main


@pytest.mark.unit
@pytest.mark.parametrize(
    ("argv", "names"),
    [
        ([], [EMBEDDED]),
        (["--kafka"], [EMBEDDED, "kafka"]),
        (["--postgres"], [EMBEDDED, "postgres"]),
        (["--kafka", "--postgres"], [EMBEDDED, "kafka+postgres"]),
    ],
)
def test_the_embedded_default_runs_first_then_the_real_engines_asked_for(
    argv: list[str], names: list[str]
) -> None:
    assert [e.name for e in engines(_args(argv))] == names


@pytest.mark.unit
def test_services_on_apache_kafka_get_the_idempotent_producer_and_acks_all() -> None:
    assert Engine(kafka=True).service_env() == {
        "KAFKA_ENABLE_IDEMPOTENCE": "true",
        "KAFKA_ACKS": "all",
    }
    assert Engine(postgres=True).service_env() == {}


def _engine(rate: int, raw: int, rss: float, *, webhooks: bool = True) -> dict[str, Any]:
    res: dict[str, Any] = {
        "baseline": {"produce_consume_per_s": raw, "bytes": 700},
        "throughput": {
            "ingest_http_posts_per_s": rate * 2,
            "e2e_to_routed_posts_per_s": rate,
            "complete": True,
        },
        "peak_rss_mb": {"router": rss},
    }
    if webhooks:
        res["webhooks"] = {
            "ingest_http_posts_per_s": 90,
            "e2e_to_routed_posts_per_s": 80,
            "complete": True,
        }
    return res


@pytest.mark.unit
def test_the_table_gives_each_engines_figure_on_the_same_row(
    capsys: pytest.CaptureFixture[str],
) -> None:
    embedded, real = _engine(1234, 20000, 150.5), _engine(987, 45000, 160.0, webhooks=False)
    results = {**embedded, "engines": {EMBEDDED: embedded, "kafka+postgres": real}}
    names, rows = engine_rows(results)
    assert names == [EMBEDDED, "kafka+postgres"]
    by_label = dict(rows)
    assert by_label["raw aiokafka produce→consume (msg/s)"] == ["20,000 (700 B)", "45,000 (700 B)"]
    assert by_label["[batches] end-to-end to case routed (posts/s)"] == [
        "1,234 complete=True",
        "987 complete=True",
    ]
    assert by_label["peak RSS router (MiB)"] == ["150.5", "160.0"]
    # A phase one engine did not run is shown as missing, not dropped.
    assert by_label["[webhooks] end-to-end to case routed (posts/s)"] == ["80 complete=True", "—"]
    print_table(results)
    out = capsys.readouterr().out
    assert "engines side by side: embedded | kafka+postgres" in out
    assert "1,234 complete=True | 987 complete=True" in out


@pytest.mark.unit
def test_a_run_on_the_embedded_default_alone_has_no_side_by_side_table(
    capsys: pytest.CaptureFixture[str],
) -> None:
    print_table(_engine(1234, 20000, 150.5))
    assert "side by side" not in capsys.readouterr().out


def _figure(res: dict[str, Any], *keys: str) -> float:
    value: Any = res
    for k in keys:
        value = value[k]
    return float(value)


@pytest.mark.e2e
@pytest.mark.kafka
@pytest.mark.timeout(600)
async def test_a_tiny_bench_reports_the_embedded_default_beside_kafka_and_postgres(
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = set(RESULTS.glob("bench-*-engines-e2e.json"))
    argv = ["--kafka", "--postgres", "--phases", "baseline,batches", "--posts", "200"]
    argv += ["--baseline-messages", "2000", "--senders", "2", "--batch", "50"]
    assert await main([*argv, "--tag", "engines-e2e"]) == 0
    out = capsys.readouterr().out
    assert "engines side by side: embedded | kafka+postgres" in out
    written = sorted(set(RESULTS.glob("bench-*-engines-e2e.json")) - before)
    assert len(written) == 1
    results = json.loads(Path(written[0]).read_text())
    written[0].unlink()
    assert set(results["engines"]) == {EMBEDDED, "kafka+postgres"}
    for res in results["engines"].values():
        assert _figure(res, "baseline", "produce_consume_per_s") > 0
        assert _figure(res, "throughput", "e2e_to_routed_posts_per_s") > 0
        assert res["throughput"]["complete"] is True
        assert all(v > 0 for v in res["cpu_us_per_post"]["batches"].values())
    # The real engines' own processes were measured: the JVM broker and the PostgreSQL server.
    real = results["engines"]["kafka+postgres"]["cpu_us_per_post"]["batches"]
    assert {"broker", "postgres"} <= set(real)
