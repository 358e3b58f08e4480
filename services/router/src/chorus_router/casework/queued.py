"""The teams whose queue holds a case that one person may take."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# Teams with a waiting case that may be served by one person (read once per routing unit).
# A loose scan of the (status, team) index: one probe per distinct team, then one per team for
# a case that is not never-alone. A plain ``GROUP BY team`` would read every queued case's
# row, and the queue is long exactly when the routing must keep up (a surge, a team off shift).
_QUEUED_TEAMS = text(
    """
    WITH RECURSIVE queued(team) AS (
        SELECT (SELECT MIN(team) FROM router_cases WHERE status = 'queued')
        UNION ALL
        SELECT (SELECT MIN(c.team) FROM router_cases c
                WHERE c.status = 'queued' AND c.team > queued.team)
        FROM queued WHERE queued.team IS NOT NULL
    )
    SELECT team FROM queued
    WHERE team IS NOT NULL AND EXISTS (
        SELECT 1 FROM router_cases c
        WHERE c.status = 'queued' AND c.team = queued.team AND NOT c.never_alone
    )
    """
)


async def teams_with_queue(session: AsyncSession) -> set[str]:
    return set((await session.execute(_QUEUED_TEAMS)).scalars())
