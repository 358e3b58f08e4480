"""Every item a webhook delivers is counted by outcome and reason on /metrics (no silent loss)."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from chorus_common.messaging.bus.memory import MemoryBroker
from chorus_ingest.app import create_app
from chorus_ingest.settings import IngestSettings
from fastapi import FastAPI

from services.ingest.tests.handmade_mastodon import HANDMADE_NOTIFICATIONS
from services.ingest.tests.ingest_helpers import settings_kw
from tests.support.fixtures import auth, running

pytestmark = pytest.mark.integration

SECRET = "hub-secret"


def _counted(app: FastAPI, outcome: str, reason: str) -> float:
    registry = app.state.intake.runtime.metrics.registry
    labels = {"platform": "mastodon", "outcome": outcome, "reason": reason}
    return registry.get_sample_value("chorus_ingest_items_total", labels) or 0.0


def _signed(body: bytes) -> dict[str, str]:
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {"content-type": "application/json", "x-hub-signature": f"sha256={digest}"}


async def test_posts_skips_and_refusals_of_webhooks_are_counted_with_their_reason(
    memory_broker: MemoryBroker, db_url: str
) -> None:
    app = create_app(IngestSettings(database_url=db_url, **settings_kw()), bus=memory_broker)
    channel = {"platform": "mastodon", "external_id": "brand@example.social",
               "secrets": {"webhook_secret": SECRET}}  # fmt: skip
    async with running(app) as client:
        r = await client.post("/v1/channels", json=channel, headers=auth("admin"))
        assert r.status_code == 201, r.text
        body = HANDMADE_NOTIFICATIONS  # a mention and a favourite
        r = await client.post("/v1/webhooks/mastodon", content=body, headers=_signed(body))
        assert r.status_code == 200, r.text
        assert _counted(app, "post", "none") == 1
        assert _counted(app, "skipped", "notification_type") == 1
        assert _counted(app, "error", "invalid_json") == 0
        bad = b"{not json"
        r = await client.post("/v1/webhooks/mastodon", content=bad, headers=_signed(bad))
        assert r.status_code == 422, r.text
        assert _counted(app, "error", "invalid_json") == 1
