"""The statements of one group commit: dedup, first-seen, raw bodies, archive and outbox.

``GroupWriter.apply`` runs each statement once for all the batches of a group (five per
group, not five per request, for one-post webhooks), yet its outcome is that of applying
the batches one after the other: the dedup state is read once for every id and updated in
memory in arrival order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import orjson
from chorus_common.contracts.events import Post
from chorus_common.messaging.envelope import Envelope
from chorus_common.persistence import bulk
from chorus_common.persistence.db import insert_ignore_stmt, rows_with
from chorus_common.runtime import Runtime
from chorus_platforms.kit.inbound import Marker
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
# A compare-and-set: it applies only if the state this transaction read is still the row's.
_SEEN = models.seen_posts
_UPDATE_SEEN = (
    update(_SEEN)
    .where(
        _SEEN.c.post_id == bindparam("b_id"),
        _SEEN.c.revision == bindparam("b_old_rev"),
        _SEEN.c.prior_hashes == bindparam("b_old_hist"),
    )
    .values(
        content_hash=bindparam("b_hash"),
        revision=bindparam("b_rev"),
        marker_kind=bindparam("b_kind"),
        marker=bindparam("b_marker"),
        prior_hashes=bindparam("b_hist"),
        last_seen_at=bindparam("b_now"),
    )
)
_SEEN_COLUMNS = ("post_id", "content_hash", "revision", "marker_kind", "marker", "prior_hashes")


class Conflict(Exception):
    """Another transaction recorded one of the group's posts after this one read it."""


def _row(seen: Seen) -> dict[str, Any]:
    marker = seen.marker
    return {
        "content_hash": seen.content_hash,
        "revision": seen.revision,
        "marker_kind": marker.kind if marker else None,
        "marker": marker.value if marker else None,
        "prior_hashes": seen.history_text(),
    }


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
    updates: dict[str, tuple[Seen, Seen]]  # known posts: (the state read, the state to write)
    chosen: list[list[Picked]]  # per batch: the posts to archive and publish
    results: list[dict[int, ItemResult]]  # per batch: the answers so far, by slot


def _decide_all(batches: list[Batch], state: dict[str, Seen], now: datetime) -> _Plan:
    """Decide every post against ``state`` (updated in place), batch after batch."""
    read = dict(state)
    inserts: dict[str, dict[str, Any]] = {}
    updates: dict[str, tuple[Seen, Seen]] = {}
    chosen: list[list[Picked]] = []
    results: list[dict[int, ItemResult]] = []
    for batch in batches:
        picked: list[Picked] = []
        done: dict[int, ItemResult] = {}
        for position, (index, post) in enumerate(batch.posts):
            outcome, new = decide(state.get(post.id), content_hash(post), batch.marker_at(position))
            if new is not None:
                state[post.id] = new
                if post.id in read:
                    updates[post.id] = (read[post.id], new)
                elif post.id in inserts:
                    inserts[post.id].update(_row(new))
                else:
                    inserts[post.id] = {
                        "post_id": post.id,
                        "platform": post.platform,
                        "first_seen_at": now,
                        "last_seen_at": now,
                        **_row(new),
                    }
            revision = state[post.id].revision
            if outcome == "duplicate" or outcome == "stale":
                done[_slot(index, done)] = ItemResult(index, outcome, post.id, revision)
                continue
            picked.append((index, post, outcome == "updated", revision))
        chosen.append(picked)
        results.append(done)
    return _Plan(inserts, updates, chosen, results)


def _stage(
    batches: list[Batch], plan: _Plan, raw_ids: list[int | None], now: datetime
) -> tuple[list[dict[str, Any]], list[Envelope]]:
    """Archive rows and outbox events of the group; completes ``plan.results`` in place."""
    archive_rows: list[dict[str, Any]] = []
    events: list[Envelope] = []
    for batch, picked, done, raw_id in zip(
        batches, plan.chosen, plan.results, raw_ids, strict=True
    ):
        for index, post, is_update, revision in picked:
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
    """Writes a group of batches in the caller's transaction; idempotent by post id and
    content, ordered by each platform's edit marker. Raises :class:`Conflict` (the caller
    retries the transaction) when another transaction recorded one of its posts meanwhile."""

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
        await self._insert_seen(session, list(plan.inserts.values()))
        await self._update_seen(session, plan.updates, now)
        raw_ids = await self._store_raw(session, batches, plan.chosen, now)
        archive_rows, events = _stage(batches, plan, raw_ids, now)
        archive = bulk.insert_rows(self.runtime.dialect, models.archive, ARCHIVE_COLUMNS)
        await bulk.run_dicts(session, archive, archive_rows)
        await self.runtime.publish(session, events)
        return [[done[k] for k in sorted(done)] for done in plan.results]

    async def _load_seen(self, session: AsyncSession, ids: list[str]) -> dict[str, Seen]:
        seen: dict[str, Seen] = {}
        select_seen = rows_with(self.runtime.dialect, _SEEN, *_SEEN_COLUMNS)
        for chunk in _chunks(ids):
            for post_id, digest, revision, kind, value, history in await session.execute(
                select_seen, {"ids": list(chunk)}
            ):
                marker = Marker(kind, value) if kind is not None and value is not None else None
                seen[post_id] = Seen(digest, revision, marker, Seen.parse_history(history))
        return seen

    async def _insert_seen(self, session: AsyncSession, rows: list[dict[str, Any]]) -> None:
        """Insert first-seen rows; :class:`Conflict` if another transaction inserted one first."""
        if not rows:
            return
        if self._seen_upsert is None:
            ignore = insert_ignore_stmt(self.runtime.dialect, _SEEN, ["post_id"])
            self._seen_upsert = ignore.returning(_SEEN.c.post_id)
        # One statement for all rows: SQLAlchemy's insertmanyvalues batches it with RETURNING.
        won = {r[0] for r in await session.execute(self._seen_upsert, rows)}
        if len(won) != len(rows):
            raise Conflict("a post was first recorded by a concurrent transaction")

    async def _update_seen(
        self, session: AsyncSession, updates: dict[str, tuple[Seen, Seen]], now: datetime
    ) -> None:
        """Compare-and-set each known post's state (edits are rare: one statement each)."""
        for pid, (read, new) in updates.items():
            row = _row(new)
            params = {
                "b_id": pid,
                "b_old_rev": read.revision,
                "b_old_hist": read.history_text(),
                "b_hash": row["content_hash"],
                "b_rev": row["revision"],
                "b_kind": row["marker_kind"],
                "b_marker": row["marker"],
                "b_hist": row["prior_hashes"],
                "b_now": now,
            }
            result = await session.execute(_UPDATE_SEEN, params)
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise Conflict(f"{pid} was changed by a concurrent transaction")

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
        ids = [r[0] for r in await session.execute(self._insert_raw, rows)]
        for i, raw_id in zip(keep, ids, strict=True):
            raw_ids[i] = raw_id
        return raw_ids
