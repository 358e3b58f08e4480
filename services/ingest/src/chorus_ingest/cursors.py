"""Poll cursors: where each channel's polling stands (cursor, validators, next poll, failures),
saved in the same transaction as the posts of the page it advances past."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chorus_common.contracts.events import utcnow
from chorus_common.persistence.db import insert_ignore
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_ingest import models


@dataclass(frozen=True)
class CursorState:
    cursor: dict[str, Any]
    etag: str | None
    last_modified: str | None
    next_poll_at: datetime | None
    failures: int


async def load(session: AsyncSession, ids: list[str]) -> dict[str, CursorState]:
    """The saved state of each of these channels that has one."""
    if not ids:
        return {}
    t = models.poll_cursors
    rows = await session.execute(select(t).where(t.c.channel_id.in_(ids)))
    return {
        r.channel_id: CursorState(
            dict(r.cursor or {}), r.etag, r.last_modified, r.next_poll_at, r.failures
        )
        for r in rows
    }


async def save(
    session: AsyncSession,
    dialect: str,
    channel_id: str,
    state: CursorState,
    status: int | None,
    error: str | None,
) -> None:
    """Insert or replace the channel's state (idempotent)."""
    t = models.poll_cursors
    values = {
        "cursor": state.cursor,
        "etag": (state.etag or None) and state.etag[:512],
        "last_modified": (state.last_modified or None) and state.last_modified[:128],
        "next_poll_at": state.next_poll_at or utcnow(),
        "failures": state.failures,
        "last_error": error,
        "last_status": status,
        "updated_at": utcnow(),
    }
    inserted = await session.execute(
        insert_ignore(dialect, t, {"channel_id": channel_id, **values}, ["channel_id"]).returning(
            t.c.channel_id
        )
    )
    if inserted.first() is None:
        await session.execute(update(t).where(t.c.channel_id == channel_id).values(**values))


def is_due(state: CursorState | None, now: datetime) -> bool:
    if state is None or state.next_poll_at is None:
        return True
    due = state.next_poll_at
    if due.tzinfo is None:  # SQLite returns naive datetimes
        due = due.replace(tzinfo=now.tzinfo)
    return due <= now
