"""Statistics the database computes: seconds between two times, and exact percentiles per
group (each value's rank within its group), so a report's memory does not grow with the
number of cases or replies in its range — only with the number of groups."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, Float, FromClause, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from chorus_analytics.domain.stats import QUANTILES, summarize_ranked

Summary = dict[str, float | int | None]


class Seconds(FunctionElement[float]):
    """Seconds from the first time to the second; 0 when the second comes first."""

    type = Float()
    inherit_cache = True
    name = "chorus_seconds"


def _args(element: Seconds, compiler: SQLCompiler, **kw: Any) -> tuple[str, str]:
    a, b = (compiler.process(c, **kw) for c in element.clauses)
    return a, b


@compiles(Seconds)
def _seconds(element: Seconds, compiler: SQLCompiler, **kw: Any) -> str:
    a, b = _args(element, compiler, **kw)
    d = f"CAST(EXTRACT(EPOCH FROM ({b} - {a})) AS DOUBLE PRECISION)"
    return f"(CASE WHEN {d} < 0 THEN 0.0 ELSE {d} END)"


@compiles(Seconds, "sqlite")
def _seconds_sqlite(element: Seconds, compiler: SQLCompiler, **kw: Any) -> str:
    a, b = _args(element, compiler, **kw)
    return f"MAX((julianday({b}) - julianday({a})) * 86400.0, 0.0)"


def seconds(start: Any, end: Any) -> ColumnElement[float]:
    return Seconds(start, end)


async def summaries(
    session: AsyncSession,
    value: ColumnElement[Any],
    group: ColumnElement[Any] | None,
    source: FromClause,
    where: list[ColumnElement[bool]],
) -> dict[str, Summary]:
    """``domain.stats.summarize`` of the non-null ``value``s of ``source`` per ``group``
    (``"*"``: all of them when ``group`` is None). The database ranks the values in each
    group and returns only the few whose ranks the percentiles need."""
    g = (group if group is not None else literal("*")).label("g")
    vals = select(g, value.label("v")).select_from(source).where(*where, value.is_not(None))
    inner = vals.subquery("vals")
    part = [inner.c.g] if group is not None else None
    ranked = select(
        inner.c.g,
        inner.c.v,
        func.row_number().over(partition_by=part, order_by=inner.c.v).label("rn"),
        func.count().over(partition_by=part).label("n"),
        func.sum(inner.c.v).over(partition_by=part).label("total"),
    ).subquery("ranked")
    n1 = ranked.c.n - 1
    wanted = []
    for _, pct in QUANTILES:  # rn is 1-based; stats.rank_bounds in SQL integers
        wanted += [ranked.c.rn == (n1 * pct) // 100 + 1, ranked.c.rn == (n1 * pct + 99) // 100 + 1]
    res = await session.execute(
        select(ranked.c.g, ranked.c.n, ranked.c.total, ranked.c.rn, ranked.c.v).where(or_(*wanted))
    )
    found: dict[str, tuple[int, float, dict[int, float]]] = {}
    at: dict[str, dict[int, float]] = defaultdict(dict)
    for key, n, total, rn, v in res.all():
        at[str(key)][int(rn) - 1] = float(v)
        found[str(key)] = (int(n), float(total), at[str(key)])
    return {k: summarize_ranked(n, total, ranks) for k, (n, total, ranks) in found.items()}
