"""The one way posts enter Chorus: dedup, enrich, archive and publish in one transaction.

``Intake.submit`` takes normalized posts and rejected items of one request (or one poll
page) and, in a single database transaction, records the durable dedup state, archives the
raw body and the canonical posts, and stages ``post.received`` / ``dead_letter`` events in
the outbox. A crash before commit publishes nothing; after commit the relay delivers it.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, TypeVar

import orjson
from chorus_common.db import insert_ignore_stmt, rows_with
from chorus_common.events import (
    SCHEMA_VERSION,
    DeadLetter,
    Envelope,
    Post,
    make_event,
    utcnow,
)
from chorus_common.runtime import Runtime
from chorus_signals import compute_signals, detect_language
from sqlalchemy import bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_ingest import models
from chorus_ingest.dedup import Seen, content_hash, decide
from chorus_ingest.metrics import IngestMetrics

log = logging.getLogger(__name__)

Status = Literal["accepted", "duplicate", "updated", "rejected"]
Hook = Callable[[AsyncSession], Awaitable[None]]
CHUNK = 500
T = TypeVar("T")


@dataclass(frozen=True)
class Rejected:
    """An item that could not be normalized; ``original`` goes to the dead-letter topic."""

    code: str
    message: str
    original: bytes
    field: str | None = None
    index: int | None = None
    native_id: str | None = None


@dataclass(frozen=True)
class ItemResult:
    index: int | None
    status: Status
    post_id: str | None = None
    revision: int | None = None
    code: str | None = None
    message: str | None = None
    field: str | None = None

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"index": self.index, "status": self.status}
        if self.post_id is not None:
            doc["post_id"] = self.post_id
            doc["revision"] = self.revision
        if self.status == "rejected":
            doc["error"] = {"code": self.code, "message": self.message, "field": self.field}
        return doc


@dataclass
class Batch:
    """What one request or poll page brought in."""

    source: str  # platform slug
    posts: list[tuple[int | None, Post]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    raw_body: bytes | None = None
    content_type: str | None = None
    trace_id: str = field(default_factory=lambda: uuid.uuid4().hex)


def _chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _slot(index: int | None, taken: dict[int, ItemResult]) -> int:
    """Where an item's result sorts: its index in the request, else after all indexed ones."""
    return index if index is not None else 1_000_000_000 + len(taken)


def enrich_for_publish(post: Post, now: datetime) -> Post:
    """Language (if missing), signals and the reception time, in one copy."""
    lang = post.lang or detect_language(post.text)
    signals = compute_signals(post.text, lang)
    return post.model_copy(update={"lang": lang, "signals": signals, "received_at": now})


class StagedEnvelope(Envelope):
    """An envelope whose payload is already JSON-native: serialized by orjson directly.

    Same document as ``Envelope.to_bytes`` (``occurred_at`` as ISO 8601 with offset); it
    skips pydantic's walk over an untyped payload, the single largest cost of the hot path.
    """

    def to_bytes(self) -> bytes:
        return orjson.dumps(
            {
                "event_id": str(self.event_id),
                "type": self.type,
                "schema_version": self.schema_version,
                "occurred_at": self.occurred_at.isoformat(),
                "producer": self.producer,
                "trace_id": self.trace_id,
                "payload": self.payload,
            }
        )


def post_event(post_json: dict[str, Any], *, update: bool, revision: int, now: datetime,
               trace_id: str) -> Envelope:  # fmt: skip
    """A ``post.received`` envelope built without re-validating the already valid post."""
    return StagedEnvelope.model_construct(
        event_id=uuid.uuid4(),
        type="post.received",
        schema_version=SCHEMA_VERSION,
        occurred_at=now,
        producer="ingest",
        trace_id=trace_id,
        payload={"post": post_json, "is_update": update, "revision": revision},
    )


def dead_letter_event(item: Rejected, *, source: str, trace_id: str) -> Envelope:
    letter = DeadLetter.of(
        error=item.message,
        error_code=item.code,
        source=f"ingest.{source}",
        original=item.original,
        field=item.field,
    )
    return make_event("dead_letter", letter, producer="ingest", trace_id=trace_id)


class Intake:
    """Dedup + enrich + archive + outbox; idempotent by post id and content hash."""

    def __init__(
        self,
        runtime: Runtime,
        metrics: IngestMetrics,
        *,
        keep_raw: bool = True,
        group_window_s: float = 0.0,
        group_max_posts: int = 2000,
    ) -> None:
        self.runtime = runtime
        self.metrics = metrics
        self.keep_raw = keep_raw
        self.group_window_s = group_window_s
        self.group_max_posts = group_max_posts
        self._queue: list[tuple[Batch, asyncio.Future[list[ItemResult]]]] = []
        self._queued_posts = 0
        self._full = asyncio.Event()
        self._drainer: asyncio.Task[None] | None = None
        self.groups = 0  # transactions committed by the group path (tests, metrics)
        # Built once: building a statement cost more than running it on SQLite.
        self._seen_upsert: Any = None  # needs the dialect: built on first use
        raw = models.raw_payloads
        self._insert_raw = insert(raw).returning(raw.c.id, sort_by_parameter_order=True)
        self._insert_archive = insert(models.archive)

    async def submit_grouped(self, batch: Batch) -> list[ItemResult]:
        """Like :meth:`submit`, but concurrent requests share one transaction (group commit).

        The first request of a group waits at most ``group_window_s`` (or until
        ``group_max_posts`` are queued) for others; all are applied in one transaction, in
        arrival order, and the relay is woken once. If that transaction fails, each batch is
        retried alone, so one bad request cannot fail the others. Nothing is answered before
        its batch is committed.
        """
        if self.group_window_s <= 0:
            return await self.submit(batch)
        fut: asyncio.Future[list[ItemResult]] = asyncio.get_running_loop().create_future()
        self._queue.append((batch, fut))
        self._queued_posts += len(batch.posts) + len(batch.rejected)
        if self._queued_posts >= self.group_max_posts:
            self._full.set()
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain(), name="ingest-group-commit")
        return await fut

    async def _drain(self) -> None:
        while self._queue:
            if not self._full.is_set():
                try:
                    await asyncio.wait_for(self._full.wait(), self.group_window_s)
                except TimeoutError:
                    pass
            group, self._queue = self._queue, []
            self._queued_posts = 0
            self._full.clear()
            try:
                results = await self._submit_many([b for b, _ in group])
                self.groups += 1
            except asyncio.CancelledError:
                for _batch, fut in [*group, *self._queue]:
                    if not fut.done():
                        fut.cancel()
                raise
            except Exception:
                log.warning("group commit failed; retrying its %d requests one by one", len(group))
                for batch, fut in group:
                    try:
                        one = await self.submit(batch)
                    except Exception as exc:
                        if not fut.done():
                            fut.set_exception(exc)
                    else:
                        if not fut.done():
                            fut.set_result(one)
                continue
            for (_batch, fut), res in zip(group, results, strict=True):
                if not fut.done():  # the client may have gone: its batch is committed anyway
                    fut.set_result(res)

    async def submit(self, batch: Batch, *, hook: Hook | None = None) -> list[ItemResult]:
        """Persist and publish one batch in one transaction; ``hook`` runs inside it too."""
        return (await self._submit_many([batch], hook=hook))[0]

    async def _submit_many(
        self, batches: list[Batch], *, hook: Hook | None = None
    ) -> list[list[ItemResult]]:
        """Apply ``batches`` in order in one transaction (then ``hook``); wake the relay once."""
        now = utcnow()
        async with self.runtime.sessionmaker() as session, session.begin():
            results = await self._apply(session, batches, now)
            if hook is not None:
                await hook(session)
        self.runtime.kick()
        for b, r in zip(batches, results, strict=True):
            self._count(b.source, r)
        return results

    async def dead_letter(self, item: Rejected, *, source: str, trace_id: str) -> None:
        """Stage one dead letter (a payload rejected as a whole) and wake the relay."""
        async with self.runtime.sessionmaker() as session, session.begin():
            await self.runtime.publish(
                session, [dead_letter_event(item, source=source, trace_id=trace_id)]
            )
        self.runtime.kick()
        self.metrics.posts.labels(source, "rejected").inc()

    def _count(self, source: str, results: list[ItemResult]) -> None:
        tally: dict[str, int] = {}
        for r in results:
            tally[r.status] = tally.get(r.status, 0) + 1
        for status, n in tally.items():
            self.metrics.posts.labels(source, status).inc(n)

    async def _load_seen(self, session: AsyncSession, ids: list[str]) -> dict[str, Seen]:
        seen: dict[str, Seen] = {}
        select_seen = rows_with(models.seen_posts, "post_id", "content_hash", "revision")
        for chunk in _chunks(ids):
            rows = await session.execute(select_seen, {"ids": list(chunk)})
            for post_id, digest, revision in rows:
                seen[post_id] = Seen(digest, revision)
        return seen

    async def _apply(
        self, session: AsyncSession, batches: list[Batch], now: datetime
    ) -> list[list[ItemResult]]:
        """Apply ``batches`` in order, each statement once for all of them.

        The outcome is that of applying them one after the other: the dedup state is read
        once for every id and updated in memory in arrival order. (A group of one-post
        webhooks ran five statements per request; it now runs five per group.)
        """
        ids = list(dict.fromkeys(p.id for b in batches for _, p in b.posts))
        state = await self._load_seen(session, ids)
        known = set(state)
        inserts: dict[str, dict[str, Any]] = {}
        updates: dict[str, dict[str, Any]] = {}
        # per batch: the posts to publish (index, post, is_update, revision) and the results
        chosen: list[list[tuple[int | None, Post, bool, int]]] = []
        results: list[dict[int, ItemResult]] = []
        for batch in batches:
            picked: list[tuple[int | None, Post, bool, int]] = []
            done: dict[int, ItemResult] = {}
            for index, post in batch.posts:
                digest = content_hash(post)
                outcome, revision = decide(state.get(post.id), digest)
                if outcome == "duplicate":
                    done[_slot(index, done)] = ItemResult(index, "duplicate", post.id, revision)
                    continue
                state[post.id] = Seen(digest, revision)
                row = {"content_hash": digest, "revision": revision}
                if post.id in known:
                    updates[post.id] = row
                elif post.id in inserts:
                    inserts[post.id].update(row)
                else:
                    inserts[post.id] = {
                        "post_id": post.id,
                        "platform": post.platform,
                        "first_seen_at": now,
                        "last_seen_at": now,
                        **row,
                    }
                picked.append((index, post, outcome == "updated", revision))
            chosen.append(picked)
            results.append(done)

        lost = await self._insert_seen(session, list(inserts.values()))
        await self._update_seen(session, updates, now)
        raw_ids = await self._store_raw(session, batches, chosen, now)

        archive_rows: list[dict[str, Any]] = []
        events: list[Envelope] = []
        for batch, picked, done, raw_id in zip(batches, chosen, results, raw_ids, strict=True):
            for index, post, is_update, revision in picked:
                if post.id in lost:  # a concurrent request recorded it first
                    done[_slot(index, done)] = ItemResult(index, "duplicate", post.id, revision)
                    continue
                enriched = enrich_for_publish(post, now)
                post_json = enriched.model_dump(mode="json")
                archive_rows.append(
                    {
                        "post_id": post.id,
                        "platform": post.platform,
                        "channel": post.channel,
                        "revision": revision,
                        "received_at": now,
                        "raw_id": raw_id,
                        "post": orjson.dumps(post_json),
                    }
                )
                events.append(
                    post_event(
                        post_json,
                        update=is_update,
                        revision=revision,
                        now=now,
                        trace_id=batch.trace_id,
                    )
                )
                status: Status = "updated" if is_update else "accepted"
                done[_slot(index, done)] = ItemResult(index, status, post.id, revision)
            for item in batch.rejected:
                events.append(dead_letter_event(item, source=batch.source, trace_id=batch.trace_id))
                done[_slot(item.index, done)] = ItemResult(
                    item.index, "rejected", code=item.code, message=item.message, field=item.field
                )
        for chunk in _chunks(archive_rows):
            await session.execute(self._insert_archive, list(chunk))
        await self.runtime.publish(session, events)
        return [[done[k] for k in sorted(done)] for done in results]

    async def _insert_seen(self, session: AsyncSession, rows: list[dict[str, Any]]) -> set[str]:
        """Insert first-seen rows; returns the ids another transaction inserted first."""
        if not rows:
            return set()
        if self._seen_upsert is None:
            t = models.seen_posts
            ignore = insert_ignore_stmt(self.runtime.dialect, t, ["post_id"])
            self._seen_upsert = ignore.returning(t.c.post_id)
        # One statement run as executemany (insertmanyvalues batches it with RETURNING).
        won = set((await session.execute(self._seen_upsert, rows)).scalars())
        return {r["post_id"] for r in rows} - won

    async def _update_seen(
        self, session: AsyncSession, updates: dict[str, dict[str, Any]], now: datetime
    ) -> None:
        if not updates:
            return
        t = models.seen_posts
        stmt = (
            update(t)
            .where(t.c.post_id == bindparam("b_id"))
            .values(
                content_hash=bindparam("b_hash"),
                revision=bindparam("b_rev"),
                last_seen_at=bindparam("b_now"),
            )
        )
        params = [
            {"b_id": pid, "b_hash": row["content_hash"], "b_rev": row["revision"], "b_now": now}
            for pid, row in updates.items()
        ]
        await session.execute(stmt, params)

    async def _store_raw(
        self,
        session: AsyncSession,
        batches: list[Batch],
        chosen: list[list[tuple[int | None, Post, bool, int]]],
        now: datetime,
    ) -> list[int | None]:
        """Archive each raw body that brought something new; its row id per batch (or None)."""
        keep = [
            i
            for i, (b, picked) in enumerate(zip(batches, chosen, strict=True))
            if picked and self.keep_raw and b.raw_body is not None
        ]
        raw_ids: list[int | None] = [None] * len(batches)
        if not keep:
            return raw_ids
        rows = [
            {
                "source": batches[i].source,
                "content_type": (batches[i].content_type or "")[:128] or None,
                "body": batches[i].raw_body,
                "received_at": now,
            }
            for i in keep
        ]
        # RETURNING in parameter order: each batch gets its own row's id.
        ids = (await session.execute(self._insert_raw, rows)).scalars().all()
        for i, raw_id in zip(keep, ids, strict=True):
            raw_ids[i] = raw_id
        return raw_ids
