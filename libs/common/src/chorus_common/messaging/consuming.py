"""The consumer contract: one handler signature, one dispatcher, the service's unit of work.

A handler takes a run of consecutive events of its type and the batch's unit of work::

    async def on_posts_received(events: list[Envelope], *, uow: Uow) -> None: ...

A service lists its handlers in one ``HANDLERS`` table (type → handler) and binds it once with
:func:`dispatcher` and a factory of its unit of work: one transaction per batch, whose commit
wakes the outbox relay when it staged events (:meth:`chorus_common.messaging.outbox.Outbox.add`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from itertools import groupby
from typing import Protocol, TypeVar

from sqlalchemy import Table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_common.messaging.bus.loop import BatchHandler
from chorus_common.messaging.envelope import Envelope
from chorus_common.persistence import bulk
from chorus_common.persistence.db import rows_with
from chorus_common.runtime import Runtime


class UnitOfWork(Protocol):
    """One transaction a batch is applied in; the service's own type says what else it holds."""

    @property
    def session(self) -> AsyncSession: ...

    @property
    def dialect(self) -> str: ...


U = TypeVar("U", bound=UnitOfWork)
U_contra = TypeVar("U_contra", bound=UnitOfWork, contravariant=True)


class Handler(Protocol[U_contra]):
    """Applies a run of fresh events of one type (ids not yet processed) in ``uow``."""

    def __call__(self, events: list[Envelope], /, *, uow: U_contra) -> Awaitable[None]: ...


@dataclass(frozen=True, slots=True)
class Transaction:
    """The plain unit of work: a session's transaction, for handlers that need nothing more."""

    session: AsyncSession
    dialect: str


def transactions(runtime: Runtime) -> Callable[[], AbstractAsyncContextManager[Transaction]]:
    """A factory of :class:`Transaction` units on ``runtime``'s database."""

    @asynccontextmanager
    async def open_unit() -> AsyncIterator[Transaction]:
        async with runtime.sessionmaker() as session, session.begin():
            yield Transaction(session, runtime.dialect)

    return open_unit


async def fresh_events(
    session: AsyncSession,
    dialect: str,
    processed: Table,
    events: list[Envelope],
    chunk: int = 500,
) -> list[Envelope]:
    """``events`` minus those already recorded in ``processed`` and minus repeats (the first
    copy is kept), in order."""
    ids: dict[str, Envelope] = {}
    for e in events:
        ids.setdefault(str(e.event_id), e)
    done: set[str] = set()
    seen = rows_with(dialect, processed, "event_id")
    keys = list(ids)
    for i in range(0, len(keys), chunk):
        done.update((await session.execute(seen, {"ids": keys[i : i + chunk]})).scalars())
    return [e for eid, e in ids.items() if eid not in done]


async def claim_processed(
    session: AsyncSession, dialect: str, processed: Table, events: list[Envelope]
) -> None:
    """Record the ids of ``events`` as applied, failing on one already recorded: a concurrent
    writer of the same events waits on the first one's uncommitted ids, then fails (and redoes).
    Sorted: one lock order for every writer."""
    ids = sorted((str(e.event_id),) for e in events)
    await bulk.run(session, bulk.insert_rows(dialect, processed, ("event_id",)), ids)


def dispatcher(
    handlers: Mapping[str, Handler[U]],
    unit_of_work: Callable[[], AbstractAsyncContextManager[U]],
    *,
    processed: Table | None,
    prepare: Callable[[U, list[Envelope]], Awaitable[None]] | None = None,
    attempts: int = 1,
) -> BatchHandler:
    """A batch handler: the batch's events of a handled type, applied in one unit of work.

    Events whose id ``processed`` already holds, and repeats, are skipped; the others' ids are
    claimed in the same transaction, after the handlers. ``processed=None`` is for handlers idempotent by
    themselves (versioned upserts: an event applied twice or late changes nothing).
    ``prepare`` runs first with every fresh event of the batch (e.g. to read the rows they
    need at once). Handlers get runs of consecutive events sharing a handler, in order.
    A claim that meets another writer's (``IntegrityError``) redoes the whole unit, up to
    ``attempts`` times. Events of other types are ignored (and not recorded)."""

    async def apply(wanted: list[Envelope]) -> None:
        async with unit_of_work() as uow:
            fresh = wanted
            if processed is not None:
                fresh = await fresh_events(uow.session, uow.dialect, processed, wanted)
            if prepare is not None and fresh:
                await prepare(uow, fresh)
            for handler, run in groupby(fresh, key=lambda e: handlers[e.type]):
                await handler(list(run), uow=uow)
            if processed is not None:
                # Claimed last: on SQLite the first write takes the database's write lock,
                # which the relay and the API then wait for while the handlers compute.
                await claim_processed(uow.session, uow.dialect, processed, fresh)

    async def handle(events: list[Envelope]) -> None:
        wanted = [e for e in events if e.type in handlers]
        if not wanted:
            return
        for attempt in range(1, attempts + 1):
            try:
                await apply(wanted)
                return
            except IntegrityError:
                if attempt == attempts:
                    raise

    return handle
