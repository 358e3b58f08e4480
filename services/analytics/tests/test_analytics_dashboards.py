"""Grafana dashboards and Prometheus rules: valid files, and every query names a metric the
services really export (chorus_common's Metrics plus the analytics collector)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from chorus_analytics import prom_families
from chorus_common.metrics import Metrics

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
BUILTIN = {"up"}
KEYWORDS = {
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "offset",
    "and",
    "or",
    "unless",
    "le",
    "inf",
    "nan",
}
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_MATCHERS = re.compile(r"\{[^}]*\}")
_RANGES = re.compile(r"\[[^\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_IDENT = re.compile(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()")


def metric_names(expr: str) -> set[str]:
    """The metric names an expression selects (functions, keywords and labels removed)."""
    e = _STRINGS.sub('""', expr)
    e = _MATCHERS.sub("", e)
    e = _RANGES.sub("", e)
    e = _GROUPING.sub("", e)
    return {n for n in _IDENT.findall(e) if n.lower() not in KEYWORDS}


def exported() -> set[str]:
    names = set(prom_families.exported_names())
    for fam in Metrics("any").registry.collect():
        if fam.type == "counter":
            names.add(fam.name + "_total")
        elif fam.type == "histogram":
            names.update(fam.name + s for s in ("_bucket", "_sum", "_count"))
        else:
            names.add(fam.name)
    return names


def dashboards() -> list[Path]:
    return sorted((DEPLOY / "grafana" / "dashboards").glob("*.json"))


@pytest.mark.unit
def test_metric_name_extraction_ignores_functions_labels_and_grouping():
    expr = (
        'histogram_quantile(0.99, sum by (service, le) (rate(chorus_x_bucket{a="b(c)"}[5m])))'
        " / clamp_min(sum without (topic) (chorus_y_total), 1) and on (team) up"
    )
    assert metric_names(expr) == {"chorus_x_bucket", "chorus_y_total", "up"}


@pytest.mark.unit
def test_the_four_dashboards_are_valid_and_query_only_exported_metrics():
    files = dashboards()
    assert {f.stem for f in files} == {
        "overview",
        "responsiveness",
        "workload-fairness",
        "pipeline-health",
    }
    known = exported() | BUILTIN
    used: set[str] = set()
    for f in files:
        board = json.loads(f.read_text())
        assert board["uid"] and board["title"] and board["panels"]
        assert len({p["id"] for p in board["panels"]}) == len(board["panels"])
        for p in board["panels"]:
            assert p["targets"], f"{f.name}: panel {p['title']!r} has no query"
            for t in p["targets"]:
                names = metric_names(t["expr"])
                assert names, f"{f.name}: {t['expr']!r} selects no metric"
                assert names <= known, f"{f.name}: unknown metric(s) {names - known}"
                used |= names
    assert "chorus_post_to_assignment_seconds_bucket" in used
    assert {"chorus_consumer_lag", "chorus_analytics_workload_gini"} <= used


@pytest.mark.unit
def test_alert_rules_cover_lag_dlq_sla_and_buzz_with_exported_metrics():
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    known = exported() | BUILTIN
    by_name = {r["alert"]: r for g in rules["groups"] for r in g["rules"]}
    assert {
        "ChorusConsumerLagGrowing",
        "ChorusDeadLetterQueueNotEmpty",
        "ChorusSlaBreachRateHigh",
        "ChorusBadBuzz",
    } <= set(by_name)
    for name, rule in by_name.items():
        assert rule["labels"]["severity"] in ("warning", "critical")
        assert rule["annotations"]["summary"]
        names = metric_names(rule["expr"])
        assert names and names <= known, f"{name}: unknown metric(s) {names - known}"


@pytest.mark.unit
def test_prometheus_scrapes_the_four_services_and_grafana_is_provisioned():
    cfg = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    ports = sorted(
        t.rsplit(":", 1)[1]
        for job in cfg["scrape_configs"]
        for sc in job["static_configs"]
        for t in sc["targets"]
    )
    assert ports == ["8001", "8002", "8003", "8004"]
    assert any("alerts.yml" in f for f in cfg["rule_files"])
    ds = yaml.safe_load((DEPLOY / "grafana/provisioning/datasources/prometheus.yaml").read_text())
    uids = {d["uid"] for d in ds["datasources"]}
    for f in dashboards():
        for p in json.loads(f.read_text())["panels"]:
            assert p["datasource"]["uid"] in uids
    prov = yaml.safe_load((DEPLOY / "grafana/provisioning/dashboards/chorus.yaml").read_text())
    assert prov["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
