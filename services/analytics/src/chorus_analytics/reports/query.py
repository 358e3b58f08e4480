"""The parameters every report takes, and SQL helpers shared by the report modules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chorus_common.contracts.timebuckets import GRAIN_CODE, Granularity, as_utc, floor
from sqlalchemy import ColumnElement, Select, Table
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True, slots=True)
class ReportQuery:
    start: datetime
    end: datetime
    granularity: Granularity = "hour"
    platform: str | None = None
    channel: str | None = None
    team: str | None = None
    group_by: str | None = None
    limit: int = 20
    now: datetime | None = None
    # The caller's teams: only their figures are read. None: every team, and what belongs
    # to none (posts not routed yet, dead letters, buzz subjects) — admins and services.
    teams: tuple[str, ...] | None = None
    # Rows one statement may bring into the process (REPORT_MAX_ROWS).
    max_rows: int = 20_000

    @property
    def everything(self) -> bool:
        """Whether figures that belong to no team may be shown."""
        return self.teams is None

    @property
    def grain(self) -> str:
        return GRAIN_CODE[self.granularity]

    @property
    def bucket_start(self) -> datetime:
        return floor(self.start, self.granularity)

    def meta(self, report: str) -> dict[str, Any]:
        return {
            "report": report,
            "from": iso(self.start),
            "to": iso(self.end),
            "granularity": self.granularity,
            "filters": {
                k: v
                for k, v in (
                    ("platform", self.platform),
                    ("channel", self.channel),
                    ("team", self.team),
                )
                if v
            },
            "scope": "all" if self.teams is None else {"teams": list(self.teams)},
        }


def iso(value: datetime | None) -> str | None:
    return None if value is None else as_utc(value).isoformat().replace("+00:00", "Z")


def filters(table: Table, q: ReportQuery) -> list[ColumnElement[bool]]:
    """platform/channel/team equality filters for a table that has those columns, and the
    caller's teams for one with a ``team`` column."""
    out: list[ColumnElement[bool]] = []
    for name in ("platform", "channel", "team"):
        value = getattr(q, name)
        if value and name in table.c:
            out.append(table.c[name] == value)
    if q.teams is not None and "team" in table.c:
        out.append(table.c.team.in_(q.teams))
    return out


def bucket_range(table: Table, q: ReportQuery) -> list[ColumnElement[bool]]:
    return [
        table.c.grain == q.grain,
        table.c.bucket >= q.bucket_start,
        table.c.bucket < as_utc(q.end),
    ]


def time_range(col: Any, q: ReportQuery) -> list[ColumnElement[bool]]:
    return [col >= as_utc(q.start), col < as_utc(q.end)]


class ReportTooLarge(ValueError):
    """A report would bring more rows into the process than ``REPORT_MAX_ROWS``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


async def bounded_rows(
    session: AsyncSession, stmt: Select[*tuple[Any, ...]], q: ReportQuery, field: str
) -> list[Any]:
    """The rows of ``stmt``, at most ``q.max_rows`` of them; :class:`ReportTooLarge` (naming
    the parameter to change, ``field``) when there are more."""
    rows = list((await session.execute(stmt.limit(q.max_rows + 1))).all())
    if len(rows) > q.max_rows:
        raise ReportTooLarge(
            field,
            f"more than {q.max_rows} rows (REPORT_MAX_ROWS): narrow the range, "
            "coarsen the granularity or add a filter",
        )
    return rows
