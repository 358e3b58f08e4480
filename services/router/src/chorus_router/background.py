"""Background work: queue release (on a tick and when capacity frees up), SLA checks."""

from __future__ import annotations

import asyncio
import logging
import time

from chorus_router.casework.service import Casework
from chorus_router.core import RouterCore

log = logging.getLogger(__name__)


async def release_once(core: RouterCore, teams: set[str] | None = None) -> int:
    """Assign what the queues hold to whoever can take it now; returns how many."""
    async with core.unit() as uow:
        work = await Casework.open(uow)
        return await work.release(teams)


async def sla_once(core: RouterCore) -> int:
    """Announce SLA breaches (each once) and auto-resolve quiet replied cases."""
    async with core.unit() as uow:
        work = await Casework.open(uow)
        n = await work.check_sla()
        if core.settings.router_auto_resolve_hours > 0:
            await work.auto_resolve(core.settings.router_auto_resolve_hours)
        return n


async def run(core: RouterCore) -> None:
    """Loop: release queues on each tick or as soon as capacity frees up; check SLAs."""
    s = core.settings
    next_sla = 0.0
    while True:
        try:
            await asyncio.wait_for(core.release_wanted.wait(), timeout=s.router_release_seconds)
        except TimeoutError:
            pass
        core.release_wanted.clear()
        try:
            for extra in core.background_passes:
                await extra()
            await release_once(core)
            if time.monotonic() >= next_sla:
                await sla_once(core)
                next_sla = time.monotonic() + s.router_sla_check_seconds
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("router background pass failed; will retry")
            await asyncio.sleep(1.0)
