"""The worst request each report allows stays within a time and memory budget, and one past
a bound is refused at once: buckets (REPORT_MAX_BUCKETS), rows brought into the process
(REPORT_MAX_ROWS), top lists (limit 500), digest channels (DIGEST_MAX_CHANNELS)."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from chorus_analytics.api.reports import REPORTS
from chorus_analytics.app import create_app
from chorus_analytics.settings import AnalyticsSettings
from chorus_common.contracts.events import utcnow
from chorus_common.messaging.bus.memory import MemoryBroker

from services.analytics.tests.analytics_seed import seed
from tests.support.budget import cost_of
from tests.support.fixtures import FAST_KAFKA_ENV, auth, running

pytestmark = pytest.mark.integration

DAYS = 5000  # REPORT_MAX_BUCKETS daily buckets: the widest range a report allows
# Data on every day but the first: the summary adds tomorrow and must fit DAYS buckets too.
DATA_DAYS = DAYS - 1
CHANNELS = 4  # DATA_DAYS x CHANNELS = 19,996 rows: a series grouped by channel just fits
RECORDS = 10_000  # posts, cases and replies in the range
# Budget per request, SQLite or PostgreSQL: wall time, and Python memory it allocates.
SECONDS, MIB = 10.0, 64
ADMIN = auth("admin")


def _app(url: str) -> Any:
    settings = AnalyticsSettings(
        database_url=url,
        spike_check_seconds=0,
        metrics_refresh_seconds=0,
        consumer_enabled=False,
        **FAST_KAFKA_ENV,
    )
    return create_app(settings, bus=MemoryBroker(partitions=4))


def _widest(now) -> dict[str, Any]:
    start = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=DAYS - 1)
    return {"from": start.isoformat(), "to": now.isoformat(), "granularity": "day", "limit": 500}


GROUPS = {"volume": "channel", "engagement": "channel", "responsiveness": "channel"}


async def test_the_worst_allowed_report_requests_stay_within_budget(db_url) -> None:
    app = _app(db_url)
    now = utcnow()
    async with running(app) as client:
        client.headers.update(ADMIN)
        async with app.state.runtime.sessionmaker() as session, session.begin():
            await seed(session, now, days=DATA_DAYS, channels=CHANNELS, records=RECORDS)
        widest = _widest(now)
        for name in REPORTS:
            params = {**widest, "group_by": GROUPS.get(name, "")}
            r, cost = await cost_of(partial(client.get, f"/v1/reports/{name}", params=params))
            assert r.status_code == 200, (name, r.text[:300])
            cost.within(SECONDS, MIB, name)
        # CSV renders the same rows as JSON: measured on the longest series.
        as_csv = {**widest, "group_by": "channel", "format": "csv"}
        r, cost = await cost_of(partial(client.get, "/v1/reports/engagement", params=as_csv))
        assert r.status_code == 200 and len(r.text.splitlines()) == DATA_DAYS * CHANNELS + 1
        cost.within(SECONDS, MIB, "engagement.csv")
        by_channel = {**widest, "group_by": "channel"}
        vol = (await client.get("/v1/reports/volume", params=by_channel)).json()
        assert len(vol["rows"]) == DATA_DAYS * CHANNELS, "the grouped series is at the bound"
        authors = (await client.get("/v1/reports/top-authors", params=widest)).json()
        assert len(authors["rows"]) == 500, "top lists stop at the largest limit"
        r, cost = await cost_of(partial(client.get, "/v1/reports/summary"))
        assert r.status_code == 200, r.text[:300]
        assert r.json()["posts_total"] == DATA_DAYS * CHANNELS * 3
        cost.within(SECONDS, MIB, "summary")
        day = {"date": now.date().isoformat()}
        r, cost = await cost_of(partial(client.get, "/v1/reports/digest", params=day))
        assert r.status_code == 200, r.text[:300]
        cost.within(SECONDS, MIB, "digest")


async def test_requests_past_a_bound_are_refused_at_once(sqlite_url) -> None:
    settings = AnalyticsSettings(
        database_url=sqlite_url,
        spike_check_seconds=0,
        metrics_refresh_seconds=0,
        consumer_enabled=False,
        report_max_rows=DATA_DAYS * CHANNELS - 1,
        **FAST_KAFKA_ENV,
    )
    app = create_app(settings, bus=MemoryBroker(partitions=4))
    now = utcnow()
    async with running(app) as client:
        client.headers.update(ADMIN)
        async with app.state.runtime.sessionmaker() as session, session.begin():
            await seed(session, now, days=DATA_DAYS, channels=CHANNELS, records=100)
        widest = _widest(now)
        grouped = {**widest, "group_by": "channel"}
        r, cost = await cost_of(partial(client.get, "/v1/reports/volume", params=grouped))
        assert r.status_code == 422, r.text
        assert r.json()["code"] == "report_too_large"
        assert r.json()["field"] == "query.group_by"
        cost.within(SECONDS, MIB, "a grouped series one row too long")
        wider = {**widest, "from": (now - timedelta(days=DAYS + 1)).isoformat()}
        r = await client.get("/v1/reports/volume", params=wider)
        assert r.status_code == 422 and r.json()["field"] == "query.granularity"
        r = await client.get("/v1/reports/keywords", params={"limit": 501})
        assert r.status_code == 422
