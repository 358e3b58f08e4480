"""Settings that can never work are refused in one line naming the environment variable."""

from __future__ import annotations

import importlib

import pytest
from chorus_common.settings import CommonSettings
from chorus_common.settings_errors import ConfigError, load_settings
from pydantic_settings import BaseSettings

pytestmark = pytest.mark.unit

SERVICES = ("ingest", "router", "responder", "analytics")


def _settings_class(service: str) -> type[BaseSettings]:
    module = importlib.import_module(f"chorus_{service}.settings")
    cls: type[BaseSettings] = type(module.get_settings())
    return cls


def _refused(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], cls: type = CommonSettings
) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings(cls)
    line = str(caught.value)
    assert "\n" not in line
    return line


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DATABASE_URL": "garbage"}, "invalid setting DATABASE_URL: not a database URL"),
        (
            {"DATABASE_URL": "postgresql://chorus@db/chorus"},
            "DATABASE_URL: no driver for postgresql",
        ),
        ({"DATABASE_URL": "sqlite:///var/x.db"}, "Chorus needs sqlite+aiosqlite://"),
        (
            {"DATABASE_URL": "mysql+aiomysql://u@db/x"},
            "DATABASE_URL: database 'mysql' is not supported",
        ),
        ({"DATABASE_URL": "postgresql+asyncpg://u@/x"}, "DATABASE_URL: no host"),
        ({"DATABASE_URL": "postgresql+asyncpg://u@db:0/x"}, "DATABASE_URL: the port must be"),
        ({"DATABASE_URL": "postgresql+asyncpg://u@db/"}, "DATABASE_URL: no database name"),
        (
            {"KAFKA_BOOTSTRAP_SERVERS": "kafka-1"},
            "KAFKA_BOOTSTRAP_SERVERS: 'kafka-1' is not host:port",
        ),
        (
            {"KAFKA_BOOTSTRAP_SERVERS": "kafka-1:99999"},
            "KAFKA_BOOTSTRAP_SERVERS: 'kafka-1:99999': the port",
        ),
        (
            {"KAFKA_BOOTSTRAP_SERVERS": "PLAINTEXT://k:9092"},
            "KAFKA_BOOTSTRAP_SERVERS: 'PLAINTEXT://k:9092': no scheme",
        ),
        ({"KAFKA_BOOTSTRAP_SERVERS": "a:1,,b:2"}, "KAFKA_BOOTSTRAP_SERVERS: an empty entry"),
        ({"KAFKA_BOOTSTRAP_SERVERS": "bad host:9092"}, "'bad host' is not a host name"),
        ({"KAFKA_BOOTSTRAP_SERVERS": ""}, "KAFKA_BOOTSTRAP_SERVERS: empty"),
        ({"KAFKA_COMPRESSION": "brotli"}, "KAFKA_COMPRESSION='brotli': input should be 'none'"),
        ({"ENVIRONMENT": "staging"}, "ENVIRONMENT='staging': input should be 'development'"),
        (
            {"KAFKA_ENABLE_IDEMPOTENCE": "maybe"},
            "KAFKA_ENABLE_IDEMPOTENCE='maybe': input should be 'auto' or a valid boolean",
        ),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL: expected one of DEBUG, INFO"),
        ({"TOPIC_PARTITIONS": "-1"}, "invalid setting TOPIC_PARTITIONS='-1': must be at least 1"),
        ({"KAFKA_LINGER_MS": "-5"}, "KAFKA_LINGER_MS='-5': must be at least 0"),
        ({"PORT": "70000"}, "PORT='70000': must be at most 65535"),
        ({"PORT": "eighty"}, "PORT='eighty': input should be a valid integer"),
        ({"DEPENDENCY_WAIT_SECONDS": "-1"}, "DEPENDENCY_WAIT_SECONDS='-1': must be at least 0"),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    assert expected in _refused(monkeypatch, env)


def test_every_bad_setting_is_named_in_the_same_line(monkeypatch: pytest.MonkeyPatch) -> None:
    line = _refused(monkeypatch, {"PORT": "0", "KAFKA_ACKS": "2"})
    assert line.startswith("invalid settings: ")
    assert "PORT='0': must be at least 1" in line
    assert "KAFKA_ACKS='2': input should be 'all', '1' or '0'" in line


@pytest.mark.parametrize("service", SERVICES)
def test_bounds_hold_where_a_service_gives_a_field_its_own_default(
    monkeypatch: pytest.MonkeyPatch, service: str
) -> None:
    # the router, responder and analytics redeclare KAFKA_MAX_POLL_RECORDS or PORT
    line = _refused(
        monkeypatch, {"KAFKA_MAX_POLL_RECORDS": "0", "PORT": "-1"}, _settings_class(service)
    )
    assert "KAFKA_MAX_POLL_RECORDS='0': must be at least 1" in line
    assert "PORT='-1': must be at least 1" in line


def test_a_service_variable_is_named_as_it_was_set(monkeypatch: pytest.MonkeyPatch) -> None:
    cls = _settings_class("responder")
    line = _refused(monkeypatch, {"SEND_MAX_ATTEMPTS": "0"}, cls)
    assert line.startswith("invalid setting SEND_MAX_ATTEMPTS='0': ")
    monkeypatch.delenv("SEND_MAX_ATTEMPTS")
    line = _refused(monkeypatch, {"RESPONDER_SEND_MAX_ATTEMPTS": "many"}, cls)
    assert line.startswith("invalid setting RESPONDER_SEND_MAX_ATTEMPTS='many': ")


def test_a_json_setting_that_does_not_parse_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    line = _refused(monkeypatch, {"ROUTER_LOAD_WEIGHTS": "{oops"}, _settings_class("router"))
    assert line.startswith("invalid setting ROUTER_LOAD_WEIGHTS: not valid JSON")


def test_a_check_across_settings_keeps_its_own_words(monkeypatch: pytest.MonkeyPatch) -> None:
    line = _refused(monkeypatch, {"ENVIRONMENT": "production", "TOKEN_SECRET": "short"})
    assert line == (
        "invalid setting TOKEN_SECRET: TOKEN_SECRET is shorter than 32 characters: set at "
        "least 32 random characters (openssl rand -hex 32) when ENVIRONMENT=production"
    )


def test_secrets_and_urls_are_never_repeated(monkeypatch: pytest.MonkeyPatch) -> None:
    line = _refused(
        monkeypatch,
        {"DATABASE_URL": "postgres://chorus:hunter2@db/chorus", "TOKEN_ISSUER": "x"},
    )
    assert "hunter2" not in line
    assert "DATABASE_URL: database 'postgres' is not supported" in line


@pytest.mark.parametrize(
    "env",
    [
        {"DATABASE_URL": "postgresql+asyncpg://chorus:p%40ss@postgres:5432/chorus_router"},
        {"DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:5432/x?ssl=require"},
        {"DATABASE_URL": "postgresql+asyncpg://chorus@/chorus?host=/var/run/postgresql"},
        {"DATABASE_URL": "sqlite+aiosqlite:///var/router.db"},
        {"DATABASE_URL": "sqlite+aiosqlite:////tmp/x/router.db"},
        {"DATABASE_URL": "sqlite+aiosqlite:///:memory:"},
        {"KAFKA_BOOTSTRAP_SERVERS": "kafka-0.kafka:9092,kafka-1.kafka:9092,kafka-2.kafka:9092"},
        {"KAFKA_BOOTSTRAP_SERVERS": "[::1]:9092, 127.0.0.1:9093"},
        {"KAFKA_ENABLE_IDEMPOTENCE": "true", "LOG_LEVEL": "debug", "HOST": "0.0.0.0"},
    ],
)
def test_working_settings_are_accepted(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(CommonSettings)
    assert settings.database_url == env.get("DATABASE_URL", "")
