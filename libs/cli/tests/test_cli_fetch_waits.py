"""Fetch waits: the router polls fast, the consumers that gather anyway poll less often.

Tansu answers a fetch with no new data only when its wait ends, so every consumer costs the
embedded broker one request per wait at rest; the consumers off the routing path wait longer.
"""

from __future__ import annotations

import pytest
from chorus_analytics.settings import AnalyticsSettings
from chorus_cli.run import service_env
from chorus_common.settings import CommonSettings
from chorus_responder.settings import ResponderSettings
from chorus_router.settings import RouterSettings

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def _no_env_override(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KAFKA_FETCH_MAX_WAIT_MS", "KAFKA_CONSUME_GATHER_MS"):
        monkeypatch.delenv(name, raising=False)


def test_router_keeps_the_short_wait_of_the_routing_path() -> None:
    router = RouterSettings()
    assert router.kafka_fetch_max_wait_ms == CommonSettings().kafka_fetch_max_wait_ms == 20
    assert router.kafka_consume_gather_ms == 0


@pytest.mark.parametrize("settings_type", [ResponderSettings, AnalyticsSettings])
def test_gathering_consumers_wait_longer_but_within_their_gathering_window(
    settings_type: type[CommonSettings],
) -> None:
    s = settings_type()
    assert s.kafka_fetch_max_wait_ms > RouterSettings().kafka_fetch_max_wait_ms
    assert s.kafka_fetch_max_wait_ms <= s.kafka_consume_gather_ms


def test_chorus_run_leaves_each_service_its_own_wait() -> None:
    env = service_env("127.0.0.1:9092", {})
    assert "KAFKA_FETCH_MAX_WAIT_MS" not in env
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == "127.0.0.1:9092"


def test_a_wait_set_in_the_environment_applies_to_every_service() -> None:
    env = service_env("127.0.0.1:9092", {"KAFKA_FETCH_MAX_WAIT_MS": "50"})
    assert env["KAFKA_FETCH_MAX_WAIT_MS"] == "50"


def test_chorus_run_lets_the_console_call_the_services_unless_told_otherwise() -> None:
    assert service_env("127.0.0.1:9092", {})["CORS_ALLOW_ORIGINS"] == "http://127.0.0.1:8080"
    mine = {"CORS_ALLOW_ORIGINS": "https://console.example.com"}
    assert service_env("127.0.0.1:9092", mine)["CORS_ALLOW_ORIGINS"] == mine["CORS_ALLOW_ORIGINS"]
