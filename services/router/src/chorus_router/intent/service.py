"""Retraining, promotion and roll-back of the intent model (versioned and audited like rules).

A candidate is trained from the shipped corpus plus the teams' newest corrections, in a
worker thread in the background (one training at a time, bounded in time), and stored whole. Promoting it appends a row to
``router_intent_promotions`` and bumps the ``intent`` counter, so every router instance loads
it at its next batch; a roll-back undoes the newest promotion not yet undone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_router import models
from chorus_router.core import RouterCore, Uow
from chorus_router.intent.corrections import counts, newest
from chorus_router.intent.kit import Labelled, ModelKit
from chorus_router.intent.store import stored_model
from chorus_router.seeding import audit_row
from chorus_router.snapshot import bump

log = logging.getLogger(__name__)
# A training row still "training" this long after its time bound lost its instance.
LOST_AFTER = timedelta(minutes=5)


def _lost_before(now: datetime, timeout: float) -> datetime:
    return now - timedelta(seconds=timeout) - LOST_AFTER


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


async def start_training(core: RouterCore, actor: str) -> dict[str, Any]:
    """Record a candidate as ``training`` and train it in the background: one training at a
    time (409 ``training_in_progress`` while this or another instance trains one)."""
    kit = kit_of(core)
    if core.training.locked():
        raise IntentRefused(409, "training_in_progress", "a model is being trained; try later")
    await core.training.acquire()
    try:
        s = core.settings
        async with core.unit() as uow:
            t = models.intent_models
            since = _lost_before(uow.now, s.router_intent_train_timeout_seconds)
            busy = await uow.session.execute(
                select(t.c.version).where(t.c.status == "training", t.c.created_at > since)
            )
            if (other := busy.scalar()) is not None:
                raise IntentRefused(409, "training_in_progress", f"{other} is being trained")
            n = int((await uow.session.execute(select(func.count()).select_from(t))).scalar() or 0)
            version = f"retrain-{n + 1}"
            examples = await newest(uow.session, s.router_intent_max_corrections)
            meta: dict[str, Any] = {"corrections_by_intent": counts(examples)}
            row: dict[str, Any] = {
                "version": version,
                "status": "training",
                "model": None,
                "meta": meta,
                "corrections": len(examples),
                "error": None,
                "author": actor,
                "created_at": uow.now,
                "finished_at": None,
            }
            await uow.session.execute(insert(t), [row])
            await uow.session.execute(
                insert(models.audit),
                [audit_row(uow, actor, "train", "intent_model", version, None,
                           {"corrections": len(examples)})],
            )  # fmt: skip
    except BaseException:
        core.training.release()
        raise
    core.training_task = asyncio.create_task(_train(core, kit, version, examples, meta))
    return model_view(row, current=False)


async def _train(core: RouterCore, kit: ModelKit, version: str, examples: list[Labelled],
                 meta: dict[str, Any]) -> None:  # fmt: skip
    """Train in a worker thread, store the result (or why not); holds ``core.training``
    until the thread is done, even past the time bound (a thread cannot be stopped)."""
    timeout = core.settings.router_intent_train_timeout_seconds
    work = asyncio.ensure_future(asyncio.to_thread(kit.train, examples, version=version))
    try:
        values: dict[str, Any]
        try:
            model = await asyncio.wait_for(asyncio.shield(work), timeout)
            data = await asyncio.to_thread(model.to_bytes)
            values = {"status": "ready", "model": data, "meta": {**dict(model.metadata), **meta}}
        except TimeoutError:
            values = {"status": "failed", "error": f"not trained within {timeout:g} s"}
        except Exception as exc:  # a failed training is reported on the model, not raised
            log.exception("training intent model %s failed", version)
            values = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"[:500]}
        async with core.unit() as uow:
            t = models.intent_models
            await uow.session.execute(
                update(t).where(t.c.version == version).values(**values, finished_at=uow.now)
            )
        with contextlib.suppress(Exception):
            await work
    finally:
        core.training.release()


def model_view(row: dict[str, Any], *, current: bool, now: datetime | None = None,
               timeout: float | None = None) -> dict[str, Any]:  # fmt: skip
    """A model as the API shows it; a training older than the time bound is ``failed`` (its
    instance stopped before it ended)."""
    status, error = row.get("status", "ready"), row.get("error")
    at = row.get("created_at")
    lost = isinstance(at, datetime) and now and timeout and at < _lost_before(now, timeout)
    if status == "training" and lost:
        status, error = "failed", "the training was lost (its router instance stopped)"
    done = row.get("finished_at")
    return {
        "version": row["version"],
        "status": status,
        "current": current,
        "corrections": row.get("corrections", 0),
        "author": row.get("author"),
        "created_at": at.isoformat() if isinstance(at, datetime) else at,
        "finished_at": done.isoformat() if isinstance(done, datetime) else done,
        "error": error,
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
        raise IntentRefused(
            404, "intent_model_not_found", f"no intent model {version!r} ready to promote"
        )
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
