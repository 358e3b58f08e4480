"""A TikTok comment.update delivery through ingest's webhook endpoint (memory bus): the
TikTok-Signature is checked with the channel's client_secret and the comment is published once."""

from __future__ import annotations

import json
import time

import orjson
import pytest
from chorus_ingest.app import create_app
from chorus_ingest.settings import IngestSettings
from chorus_platforms.tiktok.webhook import sign

from services.ingest.tests.ingest_helpers import settings_kw
from tests.support.fixtures import auth, running
from tests.support.wait import wait_for

SECRET = "tiktok-app-secret"


@pytest.fixture
def app(memory_broker, sqlite_url):
    return create_app(IngestSettings(database_url=sqlite_url, **settings_kw()), bus=memory_broker)


def _headers(body: bytes, stamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    t = str(int(time.time()) if stamp is None else stamp)
    return {
        "content-type": "application/json",
        "tiktok-signature": f"t={t},s={sign(secret, t, body)}",
    }


@pytest.mark.unit
async def test_signed_tiktok_comment_is_published_once_and_forgeries_are_refused(
    app, memory_broker
) -> None:
    content = {
        "comment_id": 7247303576418566913,
        "video_id": 7203946942097902849,
        "parent_comment_id": 0,
        "comment_type": "comment",
        "comment_action": "insert",
        "unique_identifier": "klein_kunkun",
        "timestamp": int(time.time() * 1000),
        "text": "Where can I buy this?",
    }
    event = {
        "client_key": "bwo2m45353a6k85",
        "event": "comment.update",
        "create_time": int(time.time()),
        "user_openid": "business-1",
        "content": json.dumps(content),
    }
    body = orjson.dumps(event)
    async with running(app) as client:
        created = await client.post(
            "/v1/channels",
            json={
                "platform": "tiktok",
                "external_id": "business-1",
                "secrets": {"client_secret": SECRET},
            },
            headers=auth("admin"),
        )
        assert created.status_code == 201, created.text
        url = "/v1/webhooks/tiktok"
        unsigned = await client.post(
            url, content=body, headers={"content-type": "application/json"}
        )
        assert unsigned.status_code == 401
        forged = await client.post(url, content=body, headers=_headers(body, secret="guess"))
        assert forged.status_code == 403
        replayed = await client.post(
            url, content=body, headers=_headers(body, int(time.time()) - 900)
        )
        assert replayed.status_code == 403
        assert memory_broker.records("chorus.posts.v1") == []
        ok = await client.post(url, content=body, headers=_headers(body))
        assert ok.status_code == 200, ok.text
        assert ok.json()["accepted"] == 1
        again = await client.post(url, content=body, headers=_headers(body))
        assert again.json()["duplicate"] == 1

        async def one() -> bool:
            return len(memory_broker.records("chorus.posts.v1")) == 1

        await wait_for(one, what="the TikTok comment published once")
