"""`chorus` commands that cannot do their work say why in one line and exit non-zero."""

from __future__ import annotations

from pathlib import Path

import pytest
from chorus_cli.embedded import free_port

from tests.support.procs import Started, start

pytestmark = pytest.mark.e2e

EX_CONFIG, EX_UNAVAILABLE = 78, 69
NO_BROKER = "kafka-1.invalid:9092"


def _chorus(args: list[str], env: dict[str, str], tmp_path: Path) -> Started:
    return start(["-m", "chorus_cli.main", *args], env, tmp_path, args[0])


def _fails(started: Started, code: int) -> str:
    started.wait(60)
    lines = started.stderr_lines()
    assert started.proc.returncode == code, lines
    assert not any("Traceback" in ln for ln in lines)
    return lines[-1]


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (
            ["migrate", "--service", "router"],
            {"DATABASE_URL": "garbage"},
            "chorus migrate: invalid setting DATABASE_URL: not a database URL",
        ),
        (
            ["topics"],
            {"KAFKA_BOOTSTRAP_SERVERS": "kafka-1"},
            "chorus topics: invalid setting KAFKA_BOOTSTRAP_SERVERS: 'kafka-1' is not host:port",
        ),
        (
            ["topics"],
            {"TOPIC_PARTITIONS": "0"},
            "chorus topics: invalid setting TOPIC_PARTITIONS='0': must be at least 1",
        ),
        (
            ["lag", "--bootstrap", "kafka-1"],
            {},
            "chorus lag: invalid --bootstrap: 'kafka-1' is not host:port",
        ),
        (
            ["run", "--no-demo"],
            {"ROUTER_DATABASE_URL": "postgresql://chorus@db/chorus_router"},
            "chorus run: invalid setting ROUTER_DATABASE_URL: no driver for postgresql",
        ),
        (
            ["run", "--no-demo"],
            {"KAFKA_COMPRESSION": "brotli"},
            "chorus run: invalid setting KAFKA_COMPRESSION='brotli'",
        ),
    ],
    ids=["migrate-url", "topics-bootstrap", "topics-partitions", "lag", "run-url", "run-enum"],
)
def test_a_bad_setting_is_one_line_and_exit_78(
    tmp_path: Path, args: list[str], env: dict[str, str], expected: str
) -> None:
    started = _chorus(args, env, tmp_path)
    started.wait(60)  # no time bound here: the command imports every sub-command first
    lines = started.stderr_lines()
    assert started.proc.returncode == EX_CONFIG, lines
    assert len(lines) == 1, lines
    assert lines[0].startswith(expected), lines[0]


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (
            ["topics"],
            {"KAFKA_BOOTSTRAP_SERVERS": NO_BROKER},
            "chorus topics: KAFKA_BOOTSTRAP_SERVERS: broker unreachable for 1 s: "
            "broker host kafka-1.invalid does not resolve",
        ),
        (
            ["lag"],
            {"KAFKA_BOOTSTRAP_SERVERS": NO_BROKER},
            "chorus lag: KAFKA_BOOTSTRAP_SERVERS: broker unreachable for 1 s: "
            "broker host kafka-1.invalid does not resolve",
        ),
        (
            ["migrate", "--service", "analytics"],
            {"DATABASE_URL": "postgresql+asyncpg://chorus@127.0.0.1:{port}/chorus"},
            "chorus migrate: DATABASE_URL: database unreachable for 1 s: "
            "database 127.0.0.1:{port} refuses connections",
        ),
    ],
    ids=["topics", "lag", "migrate"],
)
def test_an_unreachable_dependency_is_one_line_and_exit_69(
    tmp_path: Path, args: list[str], env: dict[str, str], expected: str
) -> None:
    port = str(free_port())
    env = {k: v.replace("{port}", port) for k, v in env.items()}
    started = _chorus(args, {**env, "DEPENDENCY_WAIT_SECONDS": "1"}, tmp_path)
    last = _fails(started, EX_UNAVAILABLE)
    assert last.startswith(expected.replace("{port}", port)), last


def test_migrate_and_topics_succeed_on_what_they_can_reach(tmp_path: Path, broker: str) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/router.db"}
    migrated = _chorus(["migrate", "--service", "router"], env, tmp_path)
    migrated.wait(60)
    assert migrated.proc.returncode == 0, migrated.stderr_lines()[-3:]
    topics = _chorus(["topics"], {"KAFKA_BOOTSTRAP_SERVERS": broker}, tmp_path)
    topics.wait(60)
    assert topics.proc.returncode == 0, topics.stderr_lines()[-3:]
