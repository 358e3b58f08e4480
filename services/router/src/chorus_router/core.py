"""The router's process-wide state and its unit of work (one transaction, events via outbox)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chorus_common.contracts.events import CaseEvent, utcnow
from chorus_common.messaging.envelope import Envelope, make_event
from chorus_common.persistence import bulk
from chorus_common.runtime import Runtime
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_router import models
from chorus_router.casework.assignment import has_room
from chorus_router.casework.load import LoadBook
from chorus_router.directory.roster import Directory
from chorus_router.hub import Hub
from chorus_router.intent.kit import ModelKit
from chorus_router.routing.decision_log import log_unit
from chorus_router.settings import RouterSettings
from chorus_router.snapshot import SnapshotCache

# Serialises assignment across router instances on PostgreSQL (capacity stays exact).
_PG_LOCK_KEY = 0x43_48_52_54


NOTE_COLUMNS = ("member_id", "kind", "case_id", "message", "data", "created_at")


@dataclass(slots=True)
class Uow:
    """One transaction: stage case events and notifications; published after commit."""

    session: AsyncSession
    core: RouterCore
    now: datetime
    events: list[Envelope] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    pending_notes: list[dict[str, Any]] = field(default_factory=list)
    assigned_from: list[datetime] = field(default_factory=list)
    release_teams: set[str] = field(default_factory=set)
    # post id -> its case, for every post routing saw in this unit (new, follow-up or known)
    post_cases: dict[str, str] = field(default_factory=dict)
    # one log line's fields per post routed, written after the commit (decision_log)
    routed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def dialect(self) -> str:
        return self.core.runtime.dialect

    def release_if_room(self, team: str, directory: Directory, book: LoadBook) -> None:
        """Ask for a queue release after commit, but only if someone in ``team`` could take a
        case now: a case queued because nobody could take it must not wake a release pass
        that can only find the same (in a surge, that doubled the units of work)."""
        if has_room(directory, book, team, self.now):
            self.release_teams.add(team)

    def emit(self, type_: str, payload: CaseEvent, trace_id: str | None = None) -> None:
        self.events.append(make_event(type_, payload, producer="router", trace_id=trace_id))
        if type_ in ("case.assigned", "case.reassigned") and payload.post_received_at:
            self.assigned_from.append(payload.post_received_at)

    def emit_raw(
        self,
        type_: str,
        payload: dict[str, Any],
        *,
        post_received_at: datetime | None,
        trace_id: str | None = None,
    ) -> None:
        """Stage an event whose payload is already a JSON-ready ``CaseEvent`` dict.

        The hot path: it skips re-validating what :func:`casework.store.payload_dict` built (its
        shape is checked against ``CaseEvent`` in the tests)."""
        self.events.append(
            Envelope.trusted(
                type=type_,
                occurred_at=self.now,
                producer="router",
                trace_id=trace_id or uuid.uuid4().hex,
                payload=payload,
            )
        )
        if type_ in ("case.assigned", "case.reassigned") and post_received_at:
            self.assigned_from.append(post_received_at)


class RouterCore:
    """What handlers, background tasks and routes share: runtime, caches, hub, the lock."""

    def __init__(
        self, runtime: Runtime, settings: RouterSettings, kit: ModelKit | None = None
    ) -> None:
        self.runtime = runtime
        self.settings = settings
        self.kit = kit  # intent models: shipped, stored, trained (None: no classifier at all)
        self.cache = SnapshotCache(settings, kit)
        self.hub = Hub()
        self.lock = asyncio.Lock()
        self.training = asyncio.Lock()  # one intent model trained at a time per instance
        self.training_task: asyncio.Task[None] | None = None
        self.release_wanted = asyncio.Event()
        # Set by the app: runs once, inside the first unit of work (seeding).
        self.first_unit: Callable[[Uow], Awaitable[None]] | None = None
        # Set by the app (accountability): a clock tests can move, hooks run inside every
        # unit just before commit, and passes run on each background tick before release.
        self.clock: Callable[[], datetime] = utcnow
        self.before_commit: list[Callable[[Uow], Awaitable[None]]] = []
        self.background_passes: list[Callable[[], Awaitable[None]]] = []
        # The latency histogram exists at zero from start-up (panels read its buckets).
        self.assignment_latency = runtime.metrics.e2e_latency.labels(runtime.metrics.service)

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[Uow]:
        """A locked write transaction; staged events go to the outbox in the same commit."""
        async with self.lock:
            async with self.runtime.sessionmaker() as session, session.begin():
                if self.runtime.dialect == "postgresql":
                    await session.execute(
                        text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY}
                    )
                uow = Uow(session=session, core=self, now=self.clock())
                if self.first_unit is not None:
                    await self.first_unit(uow)
                    self.first_unit = None
                yield uow
                for hook in self.before_commit:
                    await hook(uow)
                await bulk.run_dicts(
                    session,
                    bulk.insert_rows(self.runtime.dialect, models.notifications, NOTE_COLUMNS),
                    uow.pending_notes,
                )
                if uow.events:
                    await self.runtime.publish(session, uow.events)
            self._after_commit(uow)

    def _after_commit(self, uow: Uow) -> None:
        now = utcnow()
        for received in uow.assigned_from:
            self.assignment_latency.observe(max(0.0, (now - received).total_seconds()))
        log_unit(uow.routed, uow.events)
        self.hub.publish(uow.events, uow.notes)
        if uow.release_teams:
            self.release_wanted.set()
