"""Retraining, promotion and roll-back of the intent model (versioned and audited like rules).

A candidate is trained from the shipped corpus plus the teams' newest corrections, in a
thread (one training at a time per instance), and stored whole. Promoting it appends a row to
``router_intent_promotions`` and bumps the ``intent`` counter, so every router instance loads
it at its next batch; a roll-back undoes the newest promotion not yet undone.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_router import models
from chorus_router.core import RouterCore, Uow
from chorus_router.corrections import counts, newest
from chorus_router.intent_kit import ModelKit
from chorus_router.intent_store import stored_model
from chorus_router.seeding import audit_row
from chorus_router.snapshot import bump


class IntentRefused(ValueError):
    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.field = field


def kit_of(core: RouterCore) -> ModelKit:
    if core.kit is None:
        raise IntentRefused(503, "no_classifier", "this router has no intent classifier")
    return core.kit


async def retrain(core: RouterCore, actor: str) -> dict[str, Any]:
    """Train and store a candidate; 409 while this instance is already training one."""
    kit = kit_of(core)
    if core.training.locked():
        raise IntentRefused(409, "training_in_progress", "a model is being trained; try later")
    async with core.training:
        limit = core.settings.router_intent_max_corrections
        async with core.runtime.sessionmaker() as session:
            examples = await newest(session, limit)
            t = models.intent_models
            n = int((await session.execute(select(func.count()).select_from(t))).scalar() or 0)
        version = f"retrain-{n + 1}"  # two instances training at once: the second gets 409
        model = await asyncio.to_thread(kit.train, examples, version=version)
        data = model.to_bytes()
        meta = {**dict(model.metadata), "corrections_by_intent": counts(examples)}
        try:
            async with core.unit() as uow:
                row = {
                    "version": model.version,
                    "model": data,
                    "meta": meta,
                    "corrections": len(examples),
                    "author": actor,
                    "created_at": uow.now,
                }
                await uow.session.execute(insert(models.intent_models), [row])
                after = {"corrections": len(examples), "bytes": len(data)}
                await uow.session.execute(
                    insert(models.audit),
                    [audit_row(uow, actor, "train", "intent_model", model.version, None, after)],
                )
        except IntegrityError as exc:
            raise IntentRefused(409, "model_exists", f"model {model.version} exists") from exc
    return model_view(row, current=False)


def model_view(row: dict[str, Any], *, current: bool) -> dict[str, Any]:
    at = row.get("created_at")
    when = at.isoformat() if isinstance(at, datetime) else at
    return {
        "version": row["version"],
        "current": current,
        "corrections": row.get("corrections", 0),
        "author": row.get("author"),
        "created_at": when,
        "metadata": row.get("meta") or {},
    }


async def history(session: AsyncSession) -> list[dict[str, Any]]:
    t = models.intent_promotions
    rows = await session.execute(select(t).order_by(t.c.seq))
    return [dict(r) for r in rows.mappings()]


def stack(rows: list[dict[str, Any]], base: str) -> list[str]:
    """The promoted versions still in force, oldest first (``base``: the shipped model)."""
    out = [base]
    for r in rows:
        if r["action"] == "promote":
            out.append(r["version"])
        elif len(out) > 1:
            out.pop()
    return out


async def _append(
    uow: Uow, kit: ModelKit, actor: str, action: str, version: str, previous: str, seq: int
) -> dict[str, Any]:
    change = f"{'promoted' if action == 'promote' else 'rolled back to'} {version}"
    row = {
        "seq": seq,
        "action": action,
        "version": version,
        "previous": previous,
        "change": change,
        "author": actor,
        "created_at": uow.now,
    }
    await uow.session.execute(insert(models.intent_promotions), [row])
    await uow.session.execute(
        insert(models.audit),
        [audit_row(uow, actor, action, "intent_model", version, {"version": previous},
                   {"version": version, "seq": seq})],
    )  # fmt: skip
    await bump(uow.session, "intent")
    return {**row, "created_at": uow.now.isoformat()}


async def next_seq(session: AsyncSession) -> int:
    t = models.intent_promotions
    return int((await session.execute(select(func.max(t.c.seq)))).scalar() or 0) + 1


async def promote(uow: Uow, kit: ModelKit, actor: str, version: str) -> dict[str, Any]:
    """Make ``version`` (stored here, or the shipped model's) the one routing uses."""
    try:
        model = await stored_model(uow.session, kit, version)
    except ValueError as exc:
        raise IntentRefused(422, "model_unreadable", f"model {version} cannot be loaded") from exc
    if model is None:
        raise IntentRefused(404, "intent_model_not_found", f"no intent model {version!r}")
    base = kit.shipped().version
    current = stack(await history(uow.session), base)[-1]
    if current == version:
        raise IntentRefused(409, "already_current", f"{version} is already the current model")
    return await _append(uow, kit, actor, "promote", version, current, await next_seq(uow.session))


async def rollback(uow: Uow, kit: ModelKit, actor: str) -> dict[str, Any]:
    """Undo the newest promotion still in force."""
    in_force = stack(await history(uow.session), kit.shipped().version)
    if len(in_force) < 2:
        raise IntentRefused(409, "nothing_to_roll_back", "the shipped model is in use")
    return await _append(
        uow, kit, actor, "rollback", in_force[-2], in_force[-1], await next_seq(uow.session)
    )
