"""A directory change: its audit row, and the directory's version bumped so caches reload."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert

from chorus_router import models
from chorus_router.api.deps import jsonable
from chorus_router.core import Uow
from chorus_router.seeding import audit_row
from chorus_router.snapshot import bump


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
