"""The statements of one group commit: dedup, first-seen, raw bodies, archive and outbox.

``GroupWriter.apply`` runs each statement once for all the batches of a group (a group of
one-post webhooks used to run five statements per request; it now runs five per group),
yet its outcome is that of applying the batches one after the other: the dedup state is
read once for every id and updated in memory in arrival order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import orjson
from chorus_common import bulk, direct
from chorus_common.db import insert_ignore_stmt, rows_with
from chorus_common.events import Envelope, Post
from chorus_common.runtime import Runtime
from sqlalchemy import bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_ingest import models
from chorus_ingest.batch import Batch, ItemResult, Status
from chorus_ingest.dedup import Seen, content_hash, decide
from chorus_ingest.envelopes import dead_letter_event, enrich_for_publish, post_event
from chorus_ingest.lookup import url_key

CHUNK = 500
T = TypeVar("T")
# A post to archive and publish: (index in its request, post, is_update, revision).
Picked = tuple[int | None, Post, bool, int]


# The columns of the archive rows ``_stage`` builds (one cached bulk insert for them).
ARCHIVE_COLUMNS = (
    "post_id",
    "platform",
    "channel",
    "revision",
    "received_at",
    "raw_id",
    "post",
    "trace_id",
    "url_key",
)

# Built once, like the group's other statements (construction cost more than running it).
_UPDATE_SEEN = (
    update(models.seen_posts)
    .where(models.seen_posts.c.post_id == bindparam("b_id"))
    .values(
        content_hash=bindparam("b_hash"),
        revision=bindparam("b_rev"),
        last_seen_at=bindparam("b_now"),
    )
)


def _chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _slot(index: int | None, taken: dict[int, ItemResult]) -> int:
    """Where an item's result sorts: its index in the request, else after all indexed ones."""
    return index if index is not None else 1_000_000_000 + len(taken)


@dataclass
class _Plan:
    """The group's dedup decisions, made in memory in arrival order."""

    inserts: dict[str, dict[str, Any]]  # first-seen rows by post id
    updates: dict[str, dict[str, Any]]  # new hash and revision of already known posts
    chosen: list[list[Picked]]  # per batch: the posts to archive and publish
    results: list[dict[int, ItemResult]]  # per batch: the answers so far, by slot


def _decide_all(batches: list[Batch], state: dict[str, Seen], now: datetime) -> _Plan:
    """Decide every post against ``state`` (updated in place), batch after batch."""
    known = set(state)
    inserts: dict[str, dict[str, Any]] = {}
    updates: dict[str, dict[str, Any]] = {}
    chosen: list[list[Picked]] = []
    results: list[dict[int, ItemResult]] = []
    for batch in batches:
        picked: list[Picked] = []
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
    return _Plan(inserts, updates, chosen, results)


def _stage(
    batches: list[Batch],
    plan: _Plan,
    lost: set[str],
    raw_ids: list[int | None],
    now: datetime,
) -> tuple[list[dict[str, Any]], list[Envelope]]:
    """Archive rows and outbox events of the group; completes ``plan.results`` in place."""
    archive_rows: list[dict[str, Any]] = []
    events: list[Envelope] = []
    for batch, picked, done, raw_id in zip(
        batches, plan.chosen, plan.results, raw_ids, strict=True
    ):
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
                    "trace_id": batch.trace_id,
                    "url_key": url_key(post.url),
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
    return archive_rows, events


class GroupWriter:
    """Writes a group of batches in the caller's transaction; idempotent by post id and hash."""

    def __init__(self, runtime: Runtime, *, keep_raw: bool = True) -> None:
        self.runtime = runtime
        self.keep_raw = keep_raw
        # Built once: building a statement cost more than running it on SQLite.
        self._seen_upsert: Any = None  # needs the dialect: built on first use
        raw = models.raw_payloads
        self._insert_raw = insert(raw).returning(raw.c.id, sort_by_parameter_order=True)

    async def apply(
        self, session: AsyncSession, batches: list[Batch], now: datetime
    ) -> list[list[ItemResult]]:
        """Apply ``batches`` in order, each statement once for all of them; results per batch."""
        ids = list(dict.fromkeys(p.id for b in batches for _, p in b.posts))
        state = await self._load_seen(session, ids)
        plan = _decide_all(batches, state, now)
        lost = await self._insert_seen(session, list(plan.inserts.values()))
        await self._update_seen(session, plan.updates, now)
        raw_ids = await self._store_raw(session, batches, plan.chosen, now)
        archive_rows, events = _stage(batches, plan, lost, raw_ids, now)
        archive = bulk.insert_rows(self.runtime.dialect, models.archive, ARCHIVE_COLUMNS)
        await bulk.run_dicts(session, archive, archive_rows)
        await self.runtime.publish(session, events)
        return [[done[k] for k in sorted(done)] for done in plan.results]

    async def _load_seen(self, session: AsyncSession, ids: list[str]) -> dict[str, Seen]:
        seen: dict[str, Seen] = {}
        select_seen = rows_with(
            self.runtime.dialect, models.seen_posts, "post_id", "content_hash", "revision"
        )
        for chunk in _chunks(ids):
            for post_id, digest, revision in await direct.rows(
                session, select_seen, {"ids": list(chunk)}
            ):
                seen[post_id] = Seen(digest, revision)
        return seen

    async def _insert_seen(self, session: AsyncSession, rows: list[dict[str, Any]]) -> set[str]:
        """Insert first-seen rows; returns the ids another transaction inserted first."""
        if not rows:
            return set()
        if self._seen_upsert is None:
            t = models.seen_posts
            ignore = insert_ignore_stmt(self.runtime.dialect, t, ["post_id"])
            self._seen_upsert = ignore.returning(t.c.post_id)
        # One statement for all rows (SQLite: run per row on the driver; PostgreSQL:
        # insertmanyvalues batches it with RETURNING).
        won = {r[0] for r in await direct.insert_each(session, self._seen_upsert, rows)}
        return {r["post_id"] for r in rows} - won

    async def _update_seen(
        self, session: AsyncSession, updates: dict[str, dict[str, Any]], now: datetime
    ) -> None:
        if not updates:
            return
        params = [
            {"b_id": pid, "b_hash": row["content_hash"], "b_rev": row["revision"], "b_now": now}
            for pid, row in updates.items()
        ]
        await session.execute(_UPDATE_SEEN, params)

    async def _store_raw(
        self,
        session: AsyncSession,
        batches: list[Batch],
        chosen: list[list[Picked]],
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
        ids = [r[0] for r in await direct.insert_each(session, self._insert_raw, rows)]
        for i, raw_id in zip(keep, ids, strict=True):
            raw_ids[i] = raw_id
        return raw_ids
