"""Intent models in the router's database: which one routes, the stored ones, promotions."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_router import models
from chorus_router.intent.kit import ModelKit, TrainableModel

log = logging.getLogger(__name__)

_LATEST = (
    select(models.intent_promotions.c.version)
    .order_by(models.intent_promotions.c.seq.desc())
    .limit(1)
)


async def promoted_version(session: AsyncSession) -> str | None:
    """The version the newest promotion names (None: nothing promoted, the shipped model)."""
    found = (await session.execute(_LATEST)).scalar()
    return None if found is None else str(found)


async def stored_model(session: AsyncSession, kit: ModelKit, version: str) -> TrainableModel | None:
    """A model by version: the shipped one, or one stored here (None when there is none)."""
    shipped = kit.shipped()
    if version == shipped.version:
        return shipped
    t = models.intent_models
    q = select(t.c.model).where(t.c.version == version, t.c.status == "ready")
    row = (await session.execute(q)).first()
    return kit.load(bytes(row[0])) if row is not None else None


async def current_model(
    session: AsyncSession, kit: ModelKit, have: TrainableModel | None = None
) -> TrainableModel:
    """The model routing uses now; ``have`` is kept when it is that one already. A stored
    model that cannot be read (it was checked when promoted) leaves ``have`` in place."""
    version = await promoted_version(session)
    if version is None:
        return kit.shipped()
    if have is not None and have.version == version:
        return have
    try:
        model = await stored_model(session, kit, version)
    except ValueError:
        model = None
    if model is None:
        log.error("intent model %s cannot be loaded; keeping %s", version, have and have.version)
        return have or kit.shipped()
    return model


def describe(model: TrainableModel) -> dict[str, Any]:
    return {"version": model.version, "metadata": dict(model.metadata)}
