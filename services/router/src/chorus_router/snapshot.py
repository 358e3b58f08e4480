"""What routing reads on every batch — directory, rules, crises — cached until a version moves.

Every change to one of them bumps its counter in ``router_versions`` in the same transaction,
so each batch costs one small query to know whether the cache is still good, on every
router instance.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_router import models
from chorus_router.directory.roster import Directory, Team, member_from_row
from chorus_router.intent.kit import ModelKit, TrainableModel
from chorus_router.intent.store import current_model
from chorus_router.routing.crisis import Crisis
from chorus_router.routing.evaluate import RuleSet
from chorus_router.routing.rules import Rule
from chorus_router.settings import RouterSettings

VERSION_NAMES = ("directory", "rules", "crises", "intent")


def utc(value: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive; everything stored is UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_row(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {k: utc(v) if isinstance(v, datetime) else v for k, v in row.items()}


@dataclass(frozen=True, slots=True)
class Snapshot:
    directory: Directory
    rules: RuleSet
    crises: tuple[Crisis, ...]
    versions: tuple[int, ...]
    classifier: TrainableModel | None = None  # None: intent classification is off


# A unit of work reads the versions once: the snapshot it got is kept on its session (the
# routing and the accountability hook both ask, once per unit each); ``bump`` drops it.
_IN_SESSION = "router_snapshot"


async def bump(session: AsyncSession, name: str) -> None:
    """Invalidate every instance's cached ``name`` (directory, rules, crises or intent)."""
    session.info.pop(_IN_SESSION, None)
    await session.execute(
        update(models.versions)
        .where(models.versions.c.name == name)
        .values(version=models.versions.c.version + 1)
    )


_VERSIONS = select(models.versions.c.name, models.versions.c.version)


async def read_versions(session: AsyncSession) -> tuple[int, ...]:
    rows = {r[0]: r[1] for r in await session.execute(_VERSIONS)}
    return tuple(int(rows.get(n, 0)) for n in VERSION_NAMES)


async def load_directory(session: AsyncSession, version: int = 0) -> Directory:
    teams = [
        Team(r.id, r.name, r.lead, r.intent)
        for r in (await session.execute(select(models.teams))).mappings().all()
    ]
    rows = (await session.execute(select(models.members))).mappings().all()
    return Directory.of(teams, [member_from_row(utc_row(r)) for r in rows], version)


async def load_rules(session: AsyncSession) -> tuple[int, list[Rule]]:
    t = models.rule_versions
    row = (
        (await session.execute(select(t).order_by(t.c.version.desc()).limit(1))).mappings().first()
    )
    if row is None:
        return 0, []
    return int(row["version"]), [Rule.model_validate(r) for r in row["rules"]]


async def load_crises(session: AsyncSession) -> tuple[Crisis, ...]:
    t = models.crises
    rows = (await session.execute(select(t).where(t.c.active.is_(True)))).mappings().all()
    return tuple(
        Crisis(
            subject=r["subject"],
            alert_id=r["alert_id"],
            raised_at=utc(r["raised_at"]) or datetime.now(UTC),
            keyword=r["keyword"],
            channel=r["channel"],
        )
        for r in rows
    )


class SnapshotCache:
    def __init__(self, settings: RouterSettings, kit: ModelKit | None = None) -> None:
        self._max_age = settings.router_snapshot_seconds
        # The routing path's classifier; None when intent classification is off.
        self.kit = kit if settings.router_intent == "on" else None
        self._snap: Snapshot | None = None
        self._loaded_at = 0.0

    def invalidate(self) -> None:
        self._snap = None

    async def get(self, session: AsyncSession) -> Snapshot:
        kept: Snapshot | None = session.info.get(_IN_SESSION)
        if kept is not None and kept is self._snap:
            return kept
        snap = await self._get(session)
        session.info[_IN_SESSION] = snap
        return snap

    async def _get(self, session: AsyncSession) -> Snapshot:
        versions = await read_versions(session)
        snap = self._snap
        fresh = time.monotonic() - self._loaded_at < self._max_age
        if snap is not None and snap.versions == versions and fresh:
            return snap
        rules_version, rules = await load_rules(session)
        if snap is not None and snap.rules.version == rules_version:
            ruleset = snap.rules
        else:
            ruleset = RuleSet(rules, rules_version)
        classifier = None
        if self.kit is not None:
            have = snap.classifier if snap is not None else None
            classifier = await current_model(session, self.kit, have)
        snap = Snapshot(
            directory=await load_directory(session, versions[0]),
            rules=ruleset,
            crises=await load_crises(session),
            versions=versions,
            classifier=classifier,
        )
        self._snap, self._loaded_at = snap, time.monotonic()
        return snap
