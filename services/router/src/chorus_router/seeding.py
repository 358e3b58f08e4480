"""First start: version counters, the default directory and the default rule set."""

from __future__ import annotations

from typing import Any

from chorus_common.persistence.db import insert_ignore
from sqlalchemy import func, insert, select

from chorus_router import models
from chorus_router.core import RouterCore, Uow
from chorus_router.directory.demo import MEMBERS, TEAMS
from chorus_router.routing.defaults import default_rules
from chorus_router.snapshot import VERSION_NAMES


def audit_row(
    uow: Uow, actor: str, action: str, entity: str, entity_id: str, before: Any, after: Any
) -> dict[str, Any]:
    return {
        "at": uow.now,
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "before": before,
        "after": after,
    }


async def ensure_seeded(core: RouterCore) -> None:
    """Run the first unit of work (which seeds), if nothing did yet."""
    async with core.unit():
        pass


async def seed(uow: Uow) -> None:
    """Idempotent: only fills what is empty."""
    core = uow.core
    s, dialect = uow.session, core.runtime.dialect
    await s.execute(
        insert_ignore(
            dialect, models.versions, [{"name": n, "version": 1} for n in VERSION_NAMES], ["name"]
        )
    )
    if not core.settings.router_seed:
        return
    audit: list[dict[str, Any]] = []
    if not (await s.execute(select(func.count()).select_from(models.teams))).scalar_one():
        for t in TEAMS:
            row = {**t, "created_at": uow.now, "updated_at": uow.now, "version": 1}
            await s.execute(insert(models.teams), [row])
            audit.append(audit_row(uow, "seed", "create", "team", t["id"], None, t))
        for m in MEMBERS:
            row = {**m, "active": True, "created_at": uow.now, "updated_at": uow.now}
            await s.execute(insert(models.members), [{**row, "version": 1}])
            audit.append(audit_row(uow, "seed", "create", "member", m["id"], None, m))
        await s.execute(
            insert_ignore(
                dialect, models.loads, [{"member_id": m["id"]} for m in MEMBERS], ["member_id"]
            )
        )
    if not (await s.execute(select(func.count()).select_from(models.rule_versions))).scalar_one():
        rules = [r.model_dump(mode="json") for r in default_rules()]
        await s.execute(
            insert(models.rule_versions),
            [
                {
                    "version": 1,
                    "rules": rules,
                    "change": "default rule set",
                    "author": "seed",
                    "created_at": uow.now,
                }
            ],
        )
        audit.append(audit_row(uow, "seed", "create", "rules", "1", None, {"count": len(rules)}))
    if audit:
        await s.execute(insert(models.audit), audit)
    core.cache.invalidate()
