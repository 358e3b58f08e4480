"""Group commit of concurrent deliveries, and the per-process cache of webhook channels."""

from __future__ import annotations

import asyncio
import time

import orjson
import pytest
from chorus_common.contracts.events import Author, Post, utcnow
from chorus_ingest import models
from chorus_ingest.app import create_app
from chorus_ingest.batch import Batch
from chorus_ingest.group_writer import GroupWriter
from chorus_ingest.intake import Intake
from chorus_ingest.settings import IngestSettings
from chorus_platforms.kit.signatures import relay_signature
from sqlalchemy import select

from services.ingest.tests.ingest_helpers import (
    envelopes,
    generic_post,
    settings_kw,
    wait_published,
)
from tests.support.fixtures import auth, running

SECRET = "group-commit-secret"


def _signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    ts = str(int(time.time()))
    return {
        "content-type": "application/json",
        "x-chorus-timestamp": ts,
        "x-chorus-signature": relay_signature(secret, ts, body),
    }


async def _channel(client) -> str:
    doc = {"platform": "generic", "external_id": "crm", "secrets": {"signing_secret": SECRET}}
    r = await client.post("/v1/channels", json=doc, headers=auth("admin"))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _post(native: str, text: str) -> Post:
    return Post(
        id=f"generic:{native}",
        platform="generic",
        channel="crm",
        kind="post",
        native_id=native,
        thread_id=f"generic:{native}",
        author=Author(id="u1"),
        text=text,
        created_at=utcnow(),
    )


@pytest.mark.integration
@pytest.mark.timeout(60)
async def test_concurrent_webhooks_share_transactions_and_each_gets_its_answer(
    memory_broker, db_url
) -> None:
    settings = IngestSettings(database_url=db_url, **settings_kw(ingest_group_commit_ms=20.0))
    app = create_app(settings, bus=memory_broker)
    n = 40
    async with running(app) as client:
        await _channel(client)
        intake: Intake = app.state.intake
        before = intake.groups
        bodies = [orjson.dumps([generic_post(f"g{i}", text=f"post {i}")]) for i in range(n)]
        # one delivery repeats another: inside one group it must still count once
        bodies.append(bodies[0])
        answers = await asyncio.gather(
            *(client.post("/v1/webhooks/generic", content=b, headers=_signed(b)) for b in bodies)
        )
        assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
        ids = [a.json()["results"][0]["post_id"] for a in answers]
        assert ids[:n] == [f"generic:g{i}" for i in range(n)], "each request gets its own item"
        statuses = sorted(a.json()["results"][0]["status"] for a in answers)
        assert statuses.count("accepted") == n and statuses.count("duplicate") == 1
        groups = intake.groups - before
        assert 1 <= groups < n, f"{n + 1} concurrent deliveries took {groups} transactions"

        await wait_published(memory_broker, n, "every post published once")
        published = [e.payload["post"]["id"] for e in envelopes(memory_broker, "chorus.posts.v1")]
        assert sorted(published) == sorted(set(ids))


@pytest.mark.unit
@pytest.mark.timeout(60)
async def test_a_failing_batch_does_not_fail_the_others_in_its_group(
    memory_broker, sqlite_url, monkeypatch
) -> None:
    settings = IngestSettings(database_url=sqlite_url, **settings_kw(ingest_group_commit_ms=50.0))
    app = create_app(settings, bus=memory_broker)
    async with running(app):
        intake: Intake = app.state.intake
        original = GroupWriter.apply

        async def flaky(self, session, batches, now):
            if any(b.source == "poison" for b in batches):
                raise RuntimeError("bug in one request")
            return await original(self, session, batches, now)

        monkeypatch.setattr(GroupWriter, "apply", flaky)

        def batch(source: str, native: str) -> Batch:
            return Batch(source=source, posts=[(0, _post(native, "hello"))])

        results = await asyncio.gather(
            intake.submit_grouped(batch("generic", "ok1")),
            intake.submit_grouped(batch("poison", "bad")),
            intake.submit_grouped(batch("generic", "ok2")),
            return_exceptions=True,
        )
        assert isinstance(results[1], RuntimeError)
        assert [r[0].status for r in (results[0], results[2])] == ["accepted", "accepted"]  # type: ignore[index]

        await wait_published(memory_broker, 2, "the two good posts published")


@pytest.mark.unit
async def test_rotated_secret_stops_verifying_at_once(memory_broker, sqlite_url) -> None:
    settings = IngestSettings(
        database_url=sqlite_url, **settings_kw(webhook_channel_cache_seconds=3600.0)
    )
    app = create_app(settings, bus=memory_broker)
    body = orjson.dumps([generic_post("r1")])
    async with running(app) as client:
        channel_id = await _channel(client)
        ok = await client.post("/v1/webhooks/generic", content=body, headers=_signed(body))
        assert ok.status_code == 200  # the channel is now cached for an hour
        r = await client.patch(
            f"/v1/channels/{channel_id}",
            json={"secrets": {"signing_secret": "the-new-secret"}},
            headers=auth("admin"),
        )
        assert r.status_code == 200
        old = await client.post("/v1/webhooks/generic", content=body, headers=_signed(body))
        assert old.status_code == 403, "the cache must not keep the rotated secret"
        new = await client.post(
            "/v1/webhooks/generic", content=body, headers=_signed(body, "the-new-secret")
        )
        assert new.status_code == 200
        gone = await client.delete(f"/v1/channels/{channel_id}", headers=auth("admin"))
        assert gone.status_code == 204
        after = await client.post(
            "/v1/webhooks/generic", content=body, headers=_signed(body, "the-new-secret")
        )
        assert after.status_code == 403


@pytest.mark.integration
@pytest.mark.timeout(60)
async def test_a_group_has_the_outcome_of_its_requests_applied_one_after_the_other(
    memory_broker, db_url
) -> None:
    """One transaction, each statement once for the group, yet the same answers and rows as
    sequential requests: an edit in a later request of the group is an update, a repeat a
    duplicate, and every archived post points at the raw body of its own request."""
    app = create_app(IngestSettings(database_url=db_url, **settings_kw()), bus=memory_broker)
    async with running(app):
        intake: Intake = app.state.intake
        first = Batch(source="generic", posts=[(0, _post("a", "v1"))], raw_body=b"body-1")
        edit = Batch(source="generic", posts=[(0, _post("a", "v2"))], raw_body=b"body-2")
        repeat = Batch(
            source="generic",
            posts=[(0, _post("b", "new")), (1, _post("a", "v2"))],
            raw_body=b"body-3",
        )
        nothing_new = Batch(source="generic", posts=[(0, _post("a", "v2"))], raw_body=b"body-4")
        no_body = Batch(source="generic", posts=[(0, _post("c", "c"))])
        results = await intake._submit_many([first, edit, repeat, nothing_new, no_body])
        answers = [[(r.status, r.post_id, r.revision) for r in res] for res in results]
        assert answers == [
            [("accepted", "generic:a", 1)],
            [("updated", "generic:a", 2)],
            [("accepted", "generic:b", 1), ("duplicate", "generic:a", 2)],
            [("duplicate", "generic:a", 2)],
            [("accepted", "generic:c", 1)],
        ]
        async with intake.runtime.sessionmaker() as session:
            seen = (
                await session.execute(
                    select(models.seen_posts.c.post_id, models.seen_posts.c.revision)
                )
            ).all()
            archived = (
                await session.execute(
                    select(
                        models.archive.c.post_id,
                        models.archive.c.revision,
                        models.raw_payloads.c.body,
                    )
                    .select_from(models.archive)
                    .outerjoin(
                        models.raw_payloads,
                        models.raw_payloads.c.id == models.archive.c.raw_id,
                    )
                )
            ).all()
            bodies = (await session.execute(select(models.raw_payloads.c.body))).scalars().all()
        assert sorted(seen) == [("generic:a", 2), ("generic:b", 1), ("generic:c", 1)]
        assert sorted(archived, key=lambda r: (r[0], r[1])) == [
            ("generic:a", 1, b"body-1"),
            ("generic:a", 2, b"body-2"),
            ("generic:b", 1, b"body-3"),
            ("generic:c", 1, None),
        ]
        assert sorted(bodies) == [b"body-1", b"body-2", b"body-3"], "no body without news"
        await wait_published(memory_broker, 4, "four posts published")
        published = [
            (e.payload["post"]["id"], e.payload["revision"])
            for e in envelopes(memory_broker, "chorus.posts.v1")
        ]
        assert sorted(published) == [
            ("generic:a", 1),
            ("generic:a", 2),
            ("generic:b", 1),
            ("generic:c", 1),
        ]
