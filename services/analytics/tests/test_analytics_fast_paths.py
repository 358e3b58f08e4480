"""The batch handler's cheaper paths give what the plain ones give: the one-parameter key
lookup (``chorus_common.persistence.db.rows_with``) the same rows as a plain ``IN`` (SQLite and
PostgreSQL), the duplicate check the events not yet applied, first copies, in order, and
the per-grain bucket rollup the same rows as a plain roll-up-then-sort."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from chorus_analytics import models
from chorus_analytics.domain.facts import Deltas, Key
from chorus_common.messaging.consuming import fresh_events
from chorus_common.messaging.envelope import Envelope
from chorus_common.persistence.db import rows_with
from sqlalchemy import select

from services.analytics.tests.analytics_kit import handler_app
from services.analytics.tests.analytics_traffic import generate
from tests.support.fixtures import running


def _plain_rollup(minutes: dict[Key, list[float]]) -> list[tuple[Any, ...]]:
    """The straightforward version: every minute key in three grains, summed, all sorted."""
    out: dict[Key, list[float]] = {}
    for (minute, *dims), values in minutes.items():
        hour = minute.replace(minute=0)
        for key in (("m", minute, *dims), ("h", hour, *dims), ("d", hour.replace(hour=0), *dims)):
            if key in out:
                out[key] = [a + b for a, b in zip(out[key], values, strict=True)]
            else:
                out[key] = list(values)
    return [(*k, *v) for k, v in sorted(out.items()) if any(v)]


@pytest.mark.unit
def test_bucket_rollup_matches_plain_rollup_including_cancelled_rows() -> None:
    rng = random.Random(3)
    start = datetime(2026, 3, 9, 22, 50, tzinfo=UTC)
    deltas = Deltas(("posts", "score"))
    for _ in range(3000):
        minute = start + timedelta(minutes=rng.randrange(180))  # crosses hours and a day
        dims = (rng.choice("abc"), rng.choice(("x", "y")))
        deltas.add((minute, *dims), (1, rng.uniform(-1, 1)), rng.choice((1, -1)))
    deltas.add((start, "a", "x"), (1, 0.5))
    deltas.add((start, "a", "x"), (1, 0.5), -1)  # a post that moved away: an all-zero row
    rows = deltas.rows()
    assert rows == _plain_rollup(deltas.minutes)
    assert {r[0] for r in rows} == {"m", "h", "d"}


@pytest.mark.integration
async def test_one_parameter_lookup_matches_a_plain_in_and_duplicates_keep_the_first_unapplied(
    db_url,
) -> None:
    events = [Envelope.from_bytes(e.to_bytes()) for e in generate(150, seed=2).events]
    app = handler_app(db_url)
    async with running(app):
        runtime = app.state.runtime
        await app.state.batch_handler(events[: len(events) // 2])
        async with runtime.sessionmaker() as s:
            for table in (models.posts, models.cases, models.replies, models.members):
                key = table.primary_key.columns.values()[0]
                ids = [str(k) for (k,) in await s.execute(table.select().with_only_columns(key))]
                assert ids, f"{table.name} has rows"
                fast_stmt = rows_with(runtime.dialect, table)
                for wanted in (ids, [*ids[:3], "unknown-1", "unknown-2"], [], ids[:1]):
                    plain = await s.execute(select(table).where(key.in_(wanted)))
                    fast = await s.execute(fast_stmt, {"ids": wanted})
                    by_key = {r._mapping[key.name]: tuple(r) for r in plain}
                    assert {r._mapping[key.name]: tuple(r) for r in fast} == by_key, table.name
            # Already applied, repeated within the batch, and new events, in a mixed order.
            mixed = [events[-1], events[0], events[-1], *events[1:5], events[-2], events[0]]
            ours = await fresh_events(s, runtime.dialect, models.processed, mixed, chunk=3)
            applied = set((await s.execute(select(models.processed.c.event_id))).scalars())
            expected: list[Envelope] = []
            for e in mixed:
                if str(e.event_id) not in applied and all(x is not e for x in expected):
                    expected.append(e)
            assert [id(e) for e in ours] == [id(e) for e in expected]
            assert 0 < len(ours) < len(set(mixed)), "some were applied, some are new"
