"""A service started with settings that cannot work stops at once with one line naming the
setting; with a broker or database it cannot reach, it waits DEPENDENCY_WAIT_SECONDS, then
says which and why, and SIGTERM/SIGINT stop the wait within a second."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from datetime import datetime
from pathlib import Path

import pytest
from chorus_cli.embedded import free_port

from tests.support.fixtures import _pg_exec, database_url
from tests.support.procs import Started, start
from tests.support.wait import wait_for_sync

pytestmark = pytest.mark.e2e

EX_CONFIG, EX_UNAVAILABLE = 78, 69
SERVICES = ("ingest", "router", "responder", "analytics")
NO_BROKER_HOST = "kafka-1.invalid"  # .invalid never resolves (RFC 2606)


def _service(name: str, env: dict[str, str], tmp_path: Path) -> Started:
    base = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/{name}.db",
        "PORT": str(free_port()),
        "ENVIRONMENT": "test",
        "LOG_JSON": "true",
    }
    return start(["-m", f"chorus_{name}"], {**base, **env}, tmp_path, name)


def _one_line(started: Started) -> str:
    lines = started.stderr_lines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize("service", SERVICES)
def test_a_database_url_that_is_not_one_stops_every_service_in_one_line(
    tmp_path: Path, service: str
) -> None:
    started = _service(service, {"DATABASE_URL": "garbage"}, tmp_path)
    assert started.wait(5) < 5
    assert started.proc.returncode == EX_CONFIG
    assert _one_line(started).startswith(
        f"{service}: invalid setting DATABASE_URL: not a database URL: expected "
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"DATABASE_URL": "postgresql://chorus:secret@db/chorus"},
            "router: invalid setting DATABASE_URL: no driver for postgresql",
        ),
        (
            {"KAFKA_BOOTSTRAP_SERVERS": "kafka-1"},
            "router: invalid setting KAFKA_BOOTSTRAP_SERVERS: 'kafka-1' is not host:port",
        ),
        (
            {"KAFKA_BOOTSTRAP_SERVERS": "kafka-1:9092;kafka-2:9092"},
            "router: invalid setting KAFKA_BOOTSTRAP_SERVERS:",
        ),
        (
            {"KAFKA_COMPRESSION": "brotli"},
            "router: invalid setting KAFKA_COMPRESSION='brotli': input should be 'none'",
        ),
        (
            {"ENVIRONMENT": "staging"},
            "router: invalid setting ENVIRONMENT='staging': input should be 'development'",
        ),
        (
            {"TOPIC_PARTITIONS": "-1"},
            "router: invalid setting TOPIC_PARTITIONS='-1': must be at least 1",
        ),
        (
            {"KAFKA_MAX_POLL_RECORDS": "-100"},
            "router: invalid setting KAFKA_MAX_POLL_RECORDS='-100': must be at least 1",
        ),
        ({"PORT": "-1"}, "router: invalid setting PORT='-1': must be at least 1"),
        (
            {"DEPENDENCY_WAIT_SECONDS": "-5"},
            "router: invalid setting DEPENDENCY_WAIT_SECONDS='-5': must be at least 0",
        ),
    ],
)
def test_a_bad_setting_stops_the_service_within_seconds_in_one_line(
    tmp_path: Path, env: dict[str, str], expected: str
) -> None:
    started = _service("router", env, tmp_path)
    assert started.wait(5) < 5
    assert started.proc.returncode == EX_CONFIG
    line = _one_line(started)
    assert line.startswith(expected), line
    assert "secret" not in line


def _first_retry_at(started: Started) -> float:
    """Wall-clock time of the service's first "not reachable; retrying" log record."""
    for line in started.stderr_lines():
        if line.startswith("{") and "not reachable" in line:
            return datetime.fromisoformat(json.loads(line)["ts"]).timestamp()
    raise AssertionError(f"no retry logged: {started.stderr_lines()[-5:]}")


@pytest.mark.parametrize(
    ("what", "env", "reason"),
    [
        pytest.param(
            "a broker host that does not resolve",
            {"KAFKA_BOOTSTRAP_SERVERS": f"{NO_BROKER_HOST}:9092"},
            "KAFKA_BOOTSTRAP_SERVERS: broker unreachable for 2 s: "
            f"broker host {NO_BROKER_HOST} does not resolve",
            id="broker-host-unresolved",
        ),
        pytest.param(
            "a broker port nothing listens on",
            {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:{port}"},
            "KAFKA_BOOTSTRAP_SERVERS: broker unreachable for 2 s: "
            "broker 127.0.0.1:{port} refuses connections",
            id="broker-port-closed",
        ),
        pytest.param(
            "a PostgreSQL port nothing listens on",
            {"DATABASE_URL": "postgresql+asyncpg://chorus:pw@127.0.0.1:{port}/chorus"},
            "DATABASE_URL: database unreachable for 2 s: "
            "database 127.0.0.1:{port} refuses connections",
            id="postgresql-port-closed",
        ),
    ],
)
def test_an_unreachable_dependency_is_waited_for_the_bound_then_named(
    tmp_path: Path, what: str, env: dict[str, str], reason: str
) -> None:
    port = str(free_port())
    env = {k: v.replace("{port}", port) for k, v in env.items()}
    started = _service("router", {**env, "DEPENDENCY_WAIT_SECONDS": "2"}, tmp_path)
    started.wait(30)
    ended = time.time()
    assert started.proc.returncode == EX_UNAVAILABLE, started.stderr_lines()[-3:]
    lines = started.stderr_lines()
    assert lines[-1].startswith("router: " + reason.replace("{port}", port)), lines[-1]
    assert not any("Traceback" in ln for ln in lines)
    waited = ended - _first_retry_at(started)
    assert 1.5 <= waited < 5, f"{what}: waited {waited:.1f} s for a 2 s bound"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_ends_the_wait_for_the_broker_within_a_second(
    tmp_path: Path, sig: signal.Signals
) -> None:
    started = _service(
        "router",
        {"KAFKA_BOOTSTRAP_SERVERS": f"{NO_BROKER_HOST}:9092", "DEPENDENCY_WAIT_SECONDS": "60"},
        tmp_path,
    )
    wait_for_sync(
        lambda: any("not reachable" in ln for ln in started.stderr_lines()),
        timeout=30,
        what="the router to wait for the broker",
    )
    sent = time.monotonic()
    started.proc.send_signal(sig)
    started.wait(5)
    assert time.monotonic() - sent < 1
    assert started.proc.returncode == 128 + sig
    assert not any("Traceback" in ln for ln in started.stderr_lines())


def test_a_database_that_does_not_exist_is_refused_at_once(
    tmp_path: Path, pg_admin_dsn: str
) -> None:
    url = database_url(pg_admin_dsn, "chorus_never_created")
    asyncio.run(_pg_exec(pg_admin_dsn, 'DROP DATABASE IF EXISTS "chorus_never_created"'))
    started = _service("router", {"DATABASE_URL": url, "DEPENDENCY_WAIT_SECONDS": "60"}, tmp_path)
    started.wait(30)
    assert started.proc.returncode == EX_CONFIG
    last = started.stderr_lines()[-1]
    assert last.startswith("router: DATABASE_URL: the database refused: "), last
    assert "chorus_never_created" in last
    assert not any("not reachable" in ln for ln in started.stderr_lines())
