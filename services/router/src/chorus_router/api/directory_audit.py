"""A directory change: the row it changes, its next version, its audit row, and the directory's
version bumped so caches reload."""

from __future__ import annotations

from typing import Any

from sqlalchemy import RowMapping, Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_router import models
from chorus_router.api.deps import jsonable, not_found
from chorus_router.core import Uow
from chorus_router.seeding import audit_row
from chorus_router.snapshot import bump


async def directory_row(session: AsyncSession, table: Table, entity: str, key: str) -> RowMapping:
    """The team or member ``key`` (``entity``), else its 404 problem."""
    row = (await session.execute(select(table).where(table.c.id == key))).mappings().first()
    if row is None:
        raise not_found(entity, key)
    return row


async def write_version(
    uow: Uow, table: Table, key: str, version: int, changes: dict[str, Any]
) -> dict[str, Any]:
    """Write ``changes`` as the row's next version; returns what was written."""
    new = {**changes, "updated_at": uow.now, "version": version + 1}
    await uow.session.execute(update(table).where(table.c.id == key).values(**new))
    return new


async def audit_directory(
    uow: Uow,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Record who changed which team or member from what to what, in the caller's unit."""
    row = audit_row(
        uow,
        actor,
        action,
        entity,
        entity_id,
        jsonable(before) if before else None,
        jsonable(after) if after else None,
    )
    await uow.session.execute(insert(models.audit), [row])
    await bump(uow.session, "directory")
