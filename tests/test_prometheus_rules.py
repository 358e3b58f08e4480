"""The shipped Prometheus config and alert rules pass promtool, and every alert has unit tests
(deploy/prometheus/alerts_test.yml) in which it fires and in which it stays quiet."""

from __future__ import annotations

import pytest
import yaml

from tests.support.prometheus import SHIPPED_CONFIG, SHIPPED_RULES, promtool

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

RULE_TESTS = SHIPPED_RULES.with_name("alerts_test.yml")


def test_shipped_config_passes_promtool_check_config() -> None:
    out = promtool("check", "config", SHIPPED_CONFIG)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 rule files found" in out.stdout


def test_shipped_rules_pass_promtool_check_rules() -> None:
    out = promtool("check", "rules", SHIPPED_RULES)
    assert out.returncode == 0, out.stdout + out.stderr


def test_alert_rule_unit_tests_pass() -> None:
    out = promtool("test", "rules", RULE_TESTS)
    assert out.returncode == 0, out.stdout + out.stderr


def test_every_alert_is_tested_firing_and_not_firing() -> None:
    rules = yaml.safe_load(SHIPPED_RULES.read_text())
    alerts = {r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r}
    cases = [
        c for t in yaml.safe_load(RULE_TESTS.read_text())["tests"] for c in t["alert_rule_test"]
    ]
    fires = {c["alertname"] for c in cases if c["exp_alerts"]}
    quiet = {c["alertname"] for c in cases if not c["exp_alerts"]}
    assert alerts - fires == set(), "alerts never tested firing"
    assert alerts - quiet == set(), "alerts never tested quiet"


def test_promtool_rule_tests_fail_when_an_alert_does_not_fire(tmp_path) -> None:
    """The unit tests can fail: with the dead-letter alert made blind, promtool says so."""
    rules = yaml.safe_load(SHIPPED_RULES.read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            if rule.get("alert") == "ChorusDeadLetterQueueNotEmpty":
                rule["expr"] = "vector(0) > 1"
    (tmp_path / "alerts.yml").write_text(yaml.safe_dump(rules))
    (tmp_path / "alerts_test.yml").write_text(RULE_TESTS.read_text())
    out = promtool("test", "rules", tmp_path / "alerts_test.yml")
    assert out.returncode != 0
    assert "ChorusDeadLetterQueueNotEmpty" in out.stdout + out.stderr
