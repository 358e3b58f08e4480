"""Archive replay republishes the same post ids; the retention purge forgets old archive rows."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from chorus_common.contracts.events import utcnow
from chorus_ingest import archive, models
from chorus_ingest.app import create_app
from chorus_ingest.settings import IngestSettings
from sqlalchemy import func, select

from services.ingest.tests.ingest_helpers import envelopes, generic_post, settings_kw
from tests.support.fixtures import auth, running
from tests.support.wait import wait_for

POSTS = "chorus.posts.v1"


@pytest.mark.unit
async def test_replay_republishes_archived_posts_with_the_same_ids(
    memory_broker, sqlite_url
) -> None:
    app = create_app(IngestSettings(database_url=sqlite_url, **settings_kw()), bus=memory_broker)
    since = (utcnow() - timedelta(minutes=5)).isoformat()
    async with running(app) as client:
        await client.post(
            "/v1/posts",
            json=[generic_post("a"), generic_post("b", platform="x"), generic_post("c")],
            headers=auth("service"),
        )
        await client.post(
            "/v1/posts", json=generic_post("a", text="edited"), headers=auth("service")
        )
        denied = await client.post(
            "/v1/archive/replay", json={"since": since}, headers=auth("service")
        )
        assert denied.status_code == 403
        r = await client.post(
            "/v1/archive/replay",
            json={"since": since, "platform": "generic"},
            headers=auth("admin"),
        )
        assert r.status_code == 200, r.text
        assert r.json()["republished"] == 3  # a (rev 1 and 2) and c; not the x post

        async def all_out():
            return len(memory_broker.records(POSTS)) == 7

        await wait_for(all_out, what="4 originals + 3 replays")
        bad = await client.post(
            "/v1/archive/replay", json={"since": "yesterday"}, headers=auth("admin")
        )
        assert bad.status_code == 422
        assert bad.json()["field"] == "since"
    events = envelopes(memory_broker, POSTS)
    copies = Counter((e.payload["post"]["id"], e.payload["revision"]) for e in events)
    assert copies == {("generic:a", 1): 2, ("generic:a", 2): 2, ("generic:c", 1): 2, ("x:b", 1): 1}
    assert len({e.event_id for e in events}) == 7


@pytest.mark.unit
async def test_purge_deletes_archive_rows_past_retention_but_keeps_dedup(
    memory_broker, sqlite_url
) -> None:
    app = create_app(IngestSettings(database_url=sqlite_url, **settings_kw()), bus=memory_broker)
    async with running(app) as client:
        await client.post("/v1/posts", json=generic_post("old"), headers=auth("service"))
        runtime = app.state.runtime
        later = utcnow() + timedelta(days=31)
        deleted = await archive.purge(runtime, retention=timedelta(days=30), now=later)
        assert deleted == 1
        async with runtime.sessionmaker() as session:
            left = (
                await session.execute(select(func.count()).select_from(models.archive))
            ).scalar()
            raws = (
                await session.execute(select(func.count()).select_from(models.raw_payloads))
            ).scalar()
        assert (left, raws) == (0, 0)
        again = await client.post("/v1/posts", json=generic_post("old"), headers=auth("service"))
        assert again.json()["duplicate"] == 1
