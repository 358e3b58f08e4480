"""Waiting for the broker and the database at start-up: bounded, with back-off, plainly said.

Each step (migrations, the producer, each consumer, topic provisioning) is retried with
jittered exponential back-off (tenacity) until it succeeds or ``DEPENDENCY_WAIT_SECONDS``
have passed; then ``DependencyUnavailable`` carries one line naming the setting and the
reason ("broker host kafka-1 does not resolve"). Before each attempt the address is resolved
and dialled, so the reason is the network's own, not a client library's time-out. Nothing
here blocks a cancellation: SIGTERM during the wait ends it at once.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import asyncpg
from sqlalchemy.exc import DBAPIError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_delay,
    wait_exponential_jitter,
)

from chorus_common.addresses import HostPort, database_address, parse_bootstrap
from chorus_common.persistence.db import sqlite_file

log = logging.getLogger(__name__)
T = TypeVar("T")

# Back-off between attempts: 0.25 s doubling to 2 s, each with up to 0.25 s of jitter.
FIRST_WAIT_S = 0.25
MAX_WAIT_S = 2.0
# An attempt is cut at the deadline, but never given less than this.
MIN_ATTEMPT_S = 2.0
DIAL_TIMEOUT_S = 3.0


class DependencyUnavailable(Exception):
    """A dependency could not be reached (yet): worth retrying, and said in one line."""

    def __init__(self, setting: str, reason: str) -> None:
        super().__init__(f"{setting}: {reason}")
        self.setting = setting
        self.reason = reason


class DependencyRefused(Exception):
    """A dependency answered and refused (bad password, no such database): no retry helps."""

    def __init__(self, setting: str, reason: str) -> None:
        super().__init__(f"{setting}: {reason}")
        self.setting = setting


async def check_reachable(setting: str, what: str, addresses: Sequence[HostPort]) -> None:
    """Return once one of ``addresses`` accepts a TCP connection; else DependencyUnavailable
    saying why for each (does not resolve, refuses connections, no answer)."""
    loop = asyncio.get_running_loop()
    reasons: list[str] = []
    for address in addresses:
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(address.host, address.port, type=socket.SOCK_STREAM),
                DIAL_TIMEOUT_S,
            )
        except (OSError, TimeoutError):
            reasons.append(f"{what} host {address.host} does not resolve")
            continue
        family, _, _, _, sockaddr = infos[0]
        try:
            _, writer = await asyncio.wait_for(
                asyncio.open_connection(str(sockaddr[0]), int(sockaddr[1]), family=family),
                DIAL_TIMEOUT_S,
            )
        except TimeoutError:
            reasons.append(f"no answer from {what} {address} within {DIAL_TIMEOUT_S:g} s")
            continue
        except OSError as exc:
            reasons.append(f"{what} {address} {_socket_reason(exc)}")
            continue
        writer.close()
        return
    raise DependencyUnavailable(setting, "; ".join(reasons))


def _socket_reason(exc: OSError) -> str:
    if exc.errno == errno.ECONNREFUSED:
        return "refuses connections (nothing listens on that port)"
    if exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return "is unreachable (no route)"
    return f"cannot be reached ({exc.strerror or exc})"


async def check_broker(bootstrap: str) -> None:
    """Return once a bootstrap broker accepts a connection."""
    await check_reachable("KAFKA_BOOTSTRAP_SERVERS", "broker", parse_bootstrap(bootstrap))


async def check_database(url: str) -> None:
    """Return once a PostgreSQL server accepts a connection (SQLite: at once)."""
    address = database_address(url)
    if address is not None:
        await check_reachable("DATABASE_URL", "database", [address])


# The server answered and said no: retrying the same credentials or name will not help.
_REFUSALS = (
    asyncpg.InvalidAuthorizationSpecificationError,  # unknown user, bad password, pg_hba
    asyncpg.InvalidCatalogNameError,  # no such database
)


def database_refusal(url: str) -> Callable[[BaseException], DependencyRefused | None]:
    """What of a database error is not worth a retry: the server's refusals, and any
    error on SQLite, which has no server to wait for."""

    def refusal(exc: BaseException) -> DependencyRefused | None:
        root = root_cause(exc)
        if isinstance(root, _REFUSALS):
            return DependencyRefused("DATABASE_URL", f"the database refused: {describe(root)}")
        path = sqlite_file(url)
        if path is not None and not isinstance(exc, TimeoutError):
            return DependencyRefused("DATABASE_URL", f"SQLite file {path}: {describe(root)}")
        return None

    return refusal


def root_cause(exc: BaseException) -> BaseException:
    """The driver's own error under SQLAlchemy's and the adapter's wrappers."""
    seen = {id(exc)}
    while True:
        inner = exc.orig if isinstance(exc, DBAPIError) else exc.__cause__
        if inner is None or id(inner) in seen:
            return exc
        seen.add(id(inner))
        exc = inner


def describe(exc: BaseException) -> str:
    """One line for an attempt's failure, without a traceback."""
    if isinstance(exc, DependencyUnavailable | DependencyRefused):
        return str(exc)
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:300]


async def wait_for_dependency(
    setting: str,
    what: str,
    attempt: Callable[[], Awaitable[T]],
    *,
    bound_s: float,
    check: Callable[[], Awaitable[None]] | None = None,
    permanent: Callable[[BaseException], DependencyRefused | None] = lambda _exc: None,
) -> T:
    """Run ``check`` then ``attempt`` until it succeeds, retrying for up to ``bound_s``.

    ``permanent`` turns an error that retrying will not fix into DependencyRefused (raised at
    once). At the bound, DependencyUnavailable names ``setting`` and the last reason."""
    deadline = time.monotonic() + bound_s
    last: list[str] = []

    async def once() -> T:
        timeout = max(deadline - time.monotonic(), MIN_ATTEMPT_S)
        try:
            async with asyncio.timeout(timeout):
                if check is not None:
                    await check()
                return await attempt()
        except Exception as exc:
            refused = permanent(exc)
            if refused is not None:
                raise refused from exc
            last[:] = [describe(exc)]
            raise

    def before_sleep(state: RetryCallState) -> None:
        left = max(deadline - time.monotonic(), 0.0)
        reason = (last[0] if last else "").removeprefix(f"{setting}: ")
        log.warning(
            f"{what} not reachable ({reason}); retrying for {left:.1f} s more",
            extra={"setting": setting, "reason": reason, "left_s": round(left, 1)},
        )

    try:
        return await _until(deadline, bound_s, before_sleep)(once)
    except DependencyRefused:
        raise
    except Exception as exc:
        reason = last[0] if last else describe(exc)
        reason = reason.removeprefix(f"{setting}: ")
        raise DependencyUnavailable(
            setting, f"{what} unreachable for {bound_s:g} s: {reason}"
        ) from exc


def _until(
    deadline: float, bound_s: float, before_sleep: Callable[[RetryCallState], None]
) -> AsyncRetrying:
    """Retry with back-off until ``bound_s`` has passed; a DependencyRefused ends it at once."""
    backoff = wait_exponential_jitter(multiplier=FIRST_WAIT_S, max=MAX_WAIT_S, jitter=FIRST_WAIT_S)

    def wait(state: RetryCallState) -> float:
        # the last attempt falls on the bound instead of a back-off step before it
        return min(backoff(state), max(deadline - time.monotonic(), 0.0))

    return AsyncRetrying(
        stop=stop_after_delay(bound_s),
        wait=wait,
        retry=retry_if_exception(lambda e: not isinstance(e, DependencyRefused)),
        before_sleep=before_sleep,
        reraise=True,
    )
