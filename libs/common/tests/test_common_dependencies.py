"""Waiting for a dependency: bounded, with back-off, refusals at once, reasons said plainly."""

from __future__ import annotations

import asyncio
import itertools
import socket
import time

import pytest
from chorus_cli.embedded import free_port
from chorus_common.addresses import HostPort
from chorus_common.dependencies import (
    DependencyRefused,
    DependencyUnavailable,
    check_reachable,
    database_refusal,
    wait_for_dependency,
)


@pytest.mark.unit
async def test_an_outage_is_retried_with_back_off_until_the_bound() -> None:
    calls: list[float] = []

    async def attempt() -> None:
        calls.append(time.monotonic())
        raise ConnectionRefusedError(111, "Connection refused")

    started = time.monotonic()
    with pytest.raises(DependencyUnavailable) as caught:
        await wait_for_dependency("KAFKA_BOOTSTRAP_SERVERS", "broker", attempt, bound_s=3)
    took = time.monotonic() - started
    assert 3 <= took < 4
    assert str(caught.value).startswith(
        "KAFKA_BOOTSTRAP_SERVERS: broker unreachable for 3 s: ConnectionRefusedError"
    )
    gaps = [b - a for a, b in itertools.pairwise(calls)]
    assert len(calls) >= 4
    # 0.25-0.5 s, then 0.5-0.75 s, then 1-1.25 s: the waits grow
    assert gaps[2] >= 0.95
    assert gaps[0] < gaps[2]
    assert calls[-1] - started >= 2.9  # the last attempt falls on the bound


@pytest.mark.unit
async def test_a_dependency_that_comes_back_is_used() -> None:
    calls = 0

    async def attempt() -> str:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise OSError("not yet")
        return "ok"

    assert await wait_for_dependency("DATABASE_URL", "database", attempt, bound_s=10) == "ok"
    assert calls == 3


@pytest.mark.unit
async def test_a_refusal_ends_the_wait_at_once() -> None:
    calls = 0

    async def attempt() -> None:
        nonlocal calls
        calls += 1
        raise PermissionError("password authentication failed")

    def refusal(exc: BaseException) -> DependencyRefused | None:
        return DependencyRefused("DATABASE_URL", str(exc))

    started = time.monotonic()
    with pytest.raises(DependencyRefused, match="DATABASE_URL: password authentication"):
        await wait_for_dependency(
            "DATABASE_URL", "database", attempt, bound_s=30, permanent=refusal
        )
    assert calls == 1
    assert time.monotonic() - started < 1


@pytest.mark.unit
async def test_an_attempt_that_hangs_is_cut_at_the_bound() -> None:
    async def attempt() -> None:
        await asyncio.sleep(60)

    started = time.monotonic()
    with pytest.raises(DependencyUnavailable, match="no answer in time"):
        await wait_for_dependency("DATABASE_URL", "database", attempt, bound_s=0.5)
    assert time.monotonic() - started < 3  # an attempt gets at least MIN_ATTEMPT_S (2 s)


@pytest.mark.unit
async def test_cancelling_the_wait_ends_it_at_once() -> None:
    async def attempt() -> None:
        raise ConnectionRefusedError(111, "Connection refused")

    task = asyncio.create_task(wait_for_dependency("DATABASE_URL", "database", attempt, bound_s=60))
    await asyncio.sleep(0.6)  # let it reach a back-off sleep
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 0.1


@pytest.mark.unit
def test_sqlite_errors_are_not_waited_for() -> None:
    refusal = database_refusal("sqlite+aiosqlite:////nonexistent/dir/x.db")
    refused = refusal(PermissionError(13, "Permission denied"))
    assert refused is not None
    assert str(refused).startswith("DATABASE_URL: SQLite file /nonexistent/dir/x.db:")
    assert database_refusal("postgresql+asyncpg://u@db/x")(OSError("reset")) is None


@pytest.mark.integration
async def test_a_host_that_does_not_resolve_is_said_plainly() -> None:
    with pytest.raises(DependencyUnavailable) as caught:
        await check_reachable(
            "KAFKA_BOOTSTRAP_SERVERS", "broker", [HostPort("kafka-1.invalid", 9092)]
        )
    assert (
        str(caught.value) == "KAFKA_BOOTSTRAP_SERVERS: broker host kafka-1.invalid does not resolve"
    )


@pytest.mark.integration
async def test_a_closed_port_is_said_plainly_and_an_open_one_passes() -> None:
    closed = free_port()
    with pytest.raises(DependencyUnavailable) as caught:
        await check_reachable("DATABASE_URL", "database", [HostPort("127.0.0.1", closed)])
    assert str(caught.value) == (
        f"DATABASE_URL: database 127.0.0.1:{closed} refuses connections "
        "(nothing listens on that port)"
    )
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        brokers = [HostPort("kafka-1.invalid", 9092), HostPort("127.0.0.1", port)]
        await check_reachable("KAFKA_BOOTSTRAP_SERVERS", "broker", brokers)  # one is enough
