"""The worst request each of ingest's read endpoints allows stays within a time and memory
budget: channel pages of at most 500, one channel, and a webhook handshake that tries every
enabled channel of its platform (only admins create channels)."""

from __future__ import annotations

from functools import partial
from typing import Any

import orjson
import pytest
from chorus_common.contracts.events import utcnow
from chorus_common.messaging.bus.memory import MemoryBroker
from chorus_common.persistence import bulk
from chorus_ingest import models
from chorus_ingest.app import create_app
from chorus_ingest.lookup import url_key
from chorus_ingest.settings import IngestSettings

from services.ingest.tests.ingest_helpers import settings_kw
from tests.support.budget import cost_of
from tests.support.fixtures import auth, running

CHANNELS = 5_000
SECONDS, MIB = 10.0, 64  # per request, SQLite or PostgreSQL
LEAD = auth("lead", teams=("support",))
ADMIN = auth("admin")
REVISIONS = 1_000  # of one 100,000-character post at one URL
URL = "https://crm.example/tickets/long"


def _channel(i: int, now: Any) -> dict[str, Any]:
    return {
        "id": f"ch-{i:05d}",
        "platform": "facebook",
        "external_id": f"page-{i:05d}",
        "display_name": f"Page {i}",
        "brand": "Acme",
        "secrets": {"app_secret": f"secret-{i}", "verify_token": f"token-{i}"},
        "poll_url": None,
        "poll_interval_seconds": None,
        "poll_config": {},
        "enabled": True,
        "created_at": now,
        "updated_at": now,
    }


async def _seed(app, n: int) -> None:
    now = utcnow()
    async with app.state.runtime.sessionmaker() as session, session.begin():
        stmt = bulk.insert_rows(session.get_bind().dialect.name, models.channels)
        await bulk.run_dicts(session, stmt, [_channel(i, now) for i in range(n)])


async def _seed_revisions(app, n: int) -> None:
    """One post edited ``n`` times, each revision 100,000 characters long, all at one URL."""
    now = utcnow()
    post = {"id": "generic:long", "platform": "generic", "channel": "crm", "text": "x" * 100_000,
            "url": URL}  # fmt: skip
    seen = {"post_id": "generic:long", "platform": "generic", "content_hash": "h",
            "revision": n, "first_seen_at": now, "last_seen_at": now, "marker_kind": None,
            "marker": None, "prior_hashes": ""}  # fmt: skip
    body, key = orjson.dumps(post), url_key(URL)
    rows = [_revision(r, now, body, key) for r in range(1, n + 1)]
    async with app.state.runtime.sessionmaker() as session, session.begin():
        dialect = session.get_bind().dialect.name
        await bulk.run_dicts(session, bulk.insert_rows(dialect, models.seen_posts), [seen])
        columns = tuple(rows[0])  # the id is the database's
        await bulk.run_dicts(session, bulk.insert_rows(dialect, models.archive, columns), rows)


def _revision(r: int, now: Any, body: bytes, key: str | None) -> dict[str, Any]:
    return {"post_id": "generic:long", "platform": "generic", "channel": "crm", "revision": r,
            "received_at": now, "raw_id": None, "post": body, "trace_id": f"{r:032x}",
            "url_key": key}  # fmt: skip


def _app(url: str) -> Any:
    settings = IngestSettings(database_url=url, **settings_kw(consumer_enabled=False))
    return create_app(settings, bus=MemoryBroker(partitions=4))


@pytest.mark.integration
async def test_the_worst_allowed_read_requests_stay_within_budget(db_url) -> None:
    app = _app(db_url)
    async with running(app) as client:
        await _seed(app, CHANNELS)
        await _seed_revisions(app, REVISIONS)
        last = f"token-{CHANNELS - 1}"  # matched by the last channel tried
        worst: list[tuple[str, dict[str, Any], dict[str, str], int]] = [
            ("/v1/channels", {"limit": 500}, LEAD, 200),
            ("/v1/channels", {"limit": 500, "after": "ch-04000"}, LEAD, 200),
            ("/v1/channels/ch-00001", {}, LEAD, 200),
            ("/v1/webhooks/facebook", _hub("wrong"), {}, 403),
            ("/v1/webhooks/facebook", _hub(last), {}, 200),
            ("/v1/posts/generic:long", {}, ADMIN, 200),
            ("/v1/posts", {"url": URL, "limit": 50}, ADMIN, 200),
        ]
        for path, params, headers, status in worst:
            r, cost = await cost_of(partial(client.get, path, params=params, headers=headers))
            assert r.status_code == status, (path, r.text[:300])
            cost.within(SECONDS, MIB, f"GET {path} {params}")
        page = (await client.get("/v1/channels", params={"limit": 500}, headers=LEAD)).json()
        assert len(page["channels"]) == 500 and page["next_after"] == "ch-00499"
        r = await client.get("/v1/channels", params={"limit": 501}, headers=LEAD)
        assert r.status_code == 422
        doc = (await client.get("/v1/posts/generic:long", headers=ADMIN)).json()
        assert len(doc["revisions"]) == 20 and doc["revisions"][0]["revision"] == REVISIONS


def _hub(token: str) -> dict[str, str]:
    return {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "42"}


@pytest.mark.unit
async def test_channel_pages_cover_every_channel_once(sqlite_url) -> None:
    app = _app(sqlite_url)
    async with running(app) as client:
        await _seed(app, 23)
        seen: list[str] = []
        params: dict[str, Any] = {"limit": 5, "platform": "facebook"}
        while True:
            page = (await client.get("/v1/channels", params=params, headers=LEAD)).json()
            seen += [c["id"] for c in page["channels"]]
            if page["next_after"] is None:
                break
            params["after"] = page["next_after"]
        assert seen == [f"ch-{i:05d}" for i in range(23)]
        r = await client.get("/v1/channels", params={"after": "nope"}, headers=LEAD)
        assert r.status_code == 422 and r.json()["field"] == "query.after"
