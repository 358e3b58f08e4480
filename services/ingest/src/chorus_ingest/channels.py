"""Channel storage: the brand's accounts/pages/feeds, their secrets and poll schedules.

Secrets are stored for signature checks and API calls; they never leave this module except
as a mapping handed to a connector (never returned by the API, never logged).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chorus_common.contracts.events import utcnow
from chorus_common.runtime import Runtime
from sqlalchemy import delete, insert, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_ingest import models


@dataclass(frozen=True)
class Channel:
    id: str
    platform: str
    external_id: str
    display_name: str | None
    brand: str | None
    secrets: dict[str, str] = field(repr=False)
    poll_url: str | None
    poll_interval_seconds: float | None
    poll_config: dict[str, Any]
    enabled: bool
    created_at: datetime
    updated_at: datetime

    def public(self) -> dict[str, Any]:
        """The API view: secret *names* only."""
        return {
            "id": self.id,
            "platform": self.platform,
            "external_id": self.external_id,
            "display_name": self.display_name,
            "brand": self.brand,
            "secrets_set": sorted(self.secrets),
            "poll": {
                "url": self.poll_url,
                "interval_seconds": self.poll_interval_seconds,
                "config": self.poll_config,
            },
            "enabled": self.enabled,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }

    def poll_settings(self) -> dict[str, Any]:
        """What a PollSource reads: poll config, then secrets (api_key, access_token, …) on top."""
        return {
            **self.poll_config,
            **self.secrets,
            "url": self.poll_url,
            "external_id": self.external_id,
            "channel": self.external_id,
            "secrets": dict(self.secrets),
        }


class ChannelExists(Exception):
    def __init__(self, existing_id: str) -> None:
        super().__init__(existing_id)
        self.existing_id = existing_id


def _row(r: Any) -> Channel:
    return Channel(
        id=r.id,
        platform=r.platform,
        external_id=r.external_id,
        display_name=r.display_name,
        brand=r.brand,
        secrets=dict(r.secrets or {}),
        poll_url=r.poll_url,
        poll_interval_seconds=r.poll_interval_seconds,
        poll_config=dict(r.poll_config or {}),
        enabled=bool(r.enabled),
        created_at=r.created_at,
        updated_at=r.updated_at,
    )


class UnknownCursor(LookupError):
    """``after`` names no channel."""


async def list_channels(
    session: AsyncSession, platform: str | None = None, *, limit: int, after: str | None = None
) -> tuple[list[Channel], bool]:
    """Channels by platform and external id, ``limit`` after the channel ``after``; and
    whether more follow."""
    t = models.channels
    order = (t.c.platform, t.c.external_id)
    stmt = select(t).order_by(*order)
    if platform:
        stmt = stmt.where(t.c.platform == platform)
    if after is not None:
        last = (await session.execute(select(*order).where(t.c.id == after))).first()
        if last is None:
            raise UnknownCursor(after)
        stmt = stmt.where(tuple_(*order) > tuple_(*last))
    rows = (await session.execute(stmt.limit(limit + 1))).all()
    return [_row(r) for r in rows[:limit]], len(rows) > limit


async def get_channel(session: AsyncSession, channel_id: str) -> Channel | None:
    t = models.channels
    row = (await session.execute(select(t).where(t.c.id == channel_id))).first()
    return _row(row) if row else None


async def find_channel(session: AsyncSession, platform: str, external_id: str) -> Channel | None:
    t = models.channels
    stmt = select(t).where(t.c.platform == platform, t.c.external_id == external_id)
    row = (await session.execute(stmt)).first()
    return _row(row) if row else None


async def webhook_candidates(
    session: AsyncSession, platform: str, hint: str | None
) -> list[Channel]:
    """Enabled channels whose secrets may sign a delivery (narrowed by ``?channel=``)."""
    t = models.channels
    stmt = select(t).where(t.c.platform == platform, t.c.enabled.is_(True))
    if hint:
        stmt = stmt.where(or_(t.c.id == hint, t.c.external_id == hint))
    return [_row(r) for r in (await session.execute(stmt.order_by(t.c.created_at))).all()]


class CandidateCache:
    """Webhook candidates per (platform, ``?channel=`` hint), kept ``ttl`` seconds.

    Saves a session and a query per delivery. Channel writes through this process's API
    clear it at once; another instance sees a change within ``ttl`` (a rotated secret keeps
    verifying there for at most that long). Bounded: hints come from the request.
    """

    MAX_ENTRIES = 1024

    def __init__(self, runtime: Runtime, ttl: float) -> None:
        self._runtime = runtime  # its sessionmaker exists once the app has started
        self.ttl = ttl
        self._entries: dict[tuple[str, str], tuple[float, list[Channel]]] = {}

    async def get(self, platform: str, hint: str | None) -> list[Channel]:
        key = (platform, hint or "")
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        async with self._runtime.sessionmaker() as session:
            found = await webhook_candidates(session, platform, hint)
        if self.ttl > 0:
            if len(self._entries) >= self.MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (now + self.ttl, found)
        return found

    def clear(self) -> None:
        self._entries.clear()


async def pollable(session: AsyncSession, platforms: list[str]) -> list[Channel]:
    t = models.channels
    stmt = select(t).where(
        t.c.platform.in_(platforms), t.c.enabled.is_(True), t.c.poll_url.is_not(None)
    )
    return [_row(r) for r in (await session.execute(stmt)).all()]


async def create_channel(session: AsyncSession, data: dict[str, Any]) -> Channel:
    """Insert a channel; raises ChannelExists for a known (platform, external id)."""
    existing = await find_channel(session, data["platform"], data["external_id"])
    if existing is not None:
        raise ChannelExists(existing.id)
    now = utcnow()
    row = {
        "id": uuid.uuid4().hex,
        "display_name": None,
        "brand": None,
        "secrets": {},
        "poll_url": None,
        "poll_interval_seconds": None,
        "poll_config": {},
        "enabled": True,
        **data,
        "created_at": now,
        "updated_at": now,
    }
    await session.execute(insert(models.channels).values(**row))
    created = await get_channel(session, row["id"])
    assert created is not None
    return created


async def update_channel(
    session: AsyncSession, channel: Channel, changes: dict[str, Any], secrets: dict[str, Any]
) -> Channel:
    """Apply field changes; ``secrets`` merges (a null value removes that secret)."""
    merged = dict(channel.secrets)
    for name, value in secrets.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    values = {**changes, "secrets": merged, "updated_at": utcnow()}
    t = models.channels
    await session.execute(update(t).where(t.c.id == channel.id).values(**values))
    updated = await get_channel(session, channel.id)
    assert updated is not None
    return updated


async def delete_channel(session: AsyncSession, channel_id: str) -> bool:
    await session.execute(
        delete(models.poll_cursors).where(models.poll_cursors.c.channel_id == channel_id)
    )
    result = await session.execute(
        delete(models.channels).where(models.channels.c.id == channel_id)
    )
    return bool(getattr(result, "rowcount", 0))
