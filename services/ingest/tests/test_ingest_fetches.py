"""Follow-up reads on the webhook path: an Instagram mention names a comment or a caption, and
ingest reads it from a local Graph server with the channel's token, retrying a transient 500;
a read that fails for good is a dead letter, never a silent loss."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from chorus_ingest.app import create_app
from chorus_ingest.fetches import Fetcher
from chorus_ingest.settings import IngestSettings
from chorus_platforms.instagram.inbound import InstagramConnector
from chorus_platforms.kit.inbound import RawInput

from services.ingest.tests.connector_kit import fixture
from services.ingest.tests.fake_graph import GraphState, graph_server
from services.ingest.tests.ingest_helpers import envelopes, settings_kw
from services.ingest.tests.social_kit import META_SECRETS, meta_headers
from tests.support.fixtures import auth, running
from tests.support.wait import wait_for

pytestmark = pytest.mark.unit
ACCOUNT = "17841405726653026"
TOKEN = "EAAG-page-token-for-tests"


@pytest.fixture
def graph() -> Iterator[tuple[str, GraphState]]:
    with graph_server(TOKEN) as served:
        yield served


@pytest.fixture
def app(memory_broker, sqlite_url, graph):
    base, _ = graph
    kw = settings_kw(fetch_base_urls={"instagram": base}, fetch_attempts=3)
    return create_app(IngestSettings(database_url=sqlite_url, **kw), bus=memory_broker)


async def _channel(client: Any, secrets: dict[str, str]) -> None:
    doc = {"platform": "instagram", "external_id": ACCOUNT, "secrets": secrets}
    r = await client.post("/v1/channels", json=doc, headers=auth("admin"))
    assert r.status_code == 201, r.text


async def _deliver(client: Any, body: bytes) -> Any:
    headers = {"content-type": "application/json", **meta_headers(body)}
    return await client.post("/v1/webhooks/instagram", content=body, headers=headers)


def _published(broker: Any) -> list[dict[str, Any]]:
    return [e.payload["post"] for e in envelopes(broker, "chorus.posts.v1")]


async def test_a_comment_mention_is_read_with_the_token_after_a_transient_500(
    app, memory_broker, graph
) -> None:
    _, state = graph
    state.fail_next = 1
    async with running(app) as client:
        await _channel(client, {**META_SECRETS, "access_token": TOKEN})
        r = await _deliver(client, fixture("instagram", "mentions_comment_webhook.json"))
        assert r.status_code == 200, r.text
        assert r.json()["accepted"] == 1

        async def one() -> bool:
            return len(_published(memory_broker)) == 1

        await wait_for(one, what="the mention, read and published")
    post = _published(memory_broker)[0]
    assert {k: post[k] for k in ("id", "kind", "channel", "thread_id", "in_reply_to", "text")} == {
        "id": "instagram:17894227972186120",
        "kind": "mention",
        "channel": ACCOUNT,
        "thread_id": "instagram:17918195224117851",
        "in_reply_to": "instagram:17918195224117851",
        "text": "@bluebottle challenge?",
    }
    assert post["created_at"] == "2018-03-20T00:05:29Z"
    assert post["author"]["id"] == "unknown" and post["from_brand"] is False
    fields = "mentioned_comment.comment_id(17894227972186120){id,text,timestamp,like_count,media}"
    assert state.seen == [(f"/v21.0/{ACCOUNT}", fields, f"Bearer {TOKEN}")] * 2


async def test_a_caption_mention_is_read_as_the_mentioned_media(app, memory_broker, graph) -> None:
    _, state = graph
    async with running(app) as client:
        await _channel(client, {**META_SECRETS, "access_token": TOKEN})
        r = await _deliver(client, fixture("instagram", "mentions_media_webhook.json"))
        assert r.json()["accepted"] == 1, r.text

        async def one() -> bool:
            return len(_published(memory_broker)) == 1

        await wait_for(one, what="the caption mention, read and published")
    post = _published(memory_broker)[0]
    assert (post["id"], post["thread_id"], post["in_reply_to"]) == (
        "instagram:17918195224117851",
        "instagram:17918195224117851",
        None,
    )
    assert post["text"] == "@bluebottle There can be only one!"
    assert post["created_at"] == "2018-03-09T19:16:08Z"  # no timestamp: when Meta sent it
    assert len(state.seen) == 1


async def test_a_read_refused_by_graph_is_a_dead_letter_with_the_item(
    app, memory_broker, graph
) -> None:
    _, state = graph
    doc = json.loads(fixture("instagram", "mentions_comment_webhook.json"))
    doc[0]["entry"][0]["changes"][0]["value"]["comment_id"] = "17894227972180000"
    body = orjson.dumps(doc)
    async with running(app) as client:
        await _channel(client, {**META_SECRETS, "access_token": TOKEN})
        r = await _deliver(client, body)
        assert r.status_code == 422
        assert (r.json()["code"], r.json()["rejected"]) == ("fetch_failed", 1)

        async def dead() -> bool:
            return len(memory_broker.records("chorus.dlq.v1")) == 1

        await wait_for(dead, what="the failed read's dead letter")
    (letter,) = envelopes(memory_broker, "chorus.dlq.v1")
    assert (letter.payload["error_code"], letter.payload["source"]) == (
        "fetch_failed",
        "ingest.instagram",
    )
    assert letter.payload["error"].startswith("GraphMethodException:33: instagram 400: ")
    assert b"17894227972180000" in base64.b64decode(letter.payload["original_b64"])
    assert len(state.seen) == 1  # a 4xx is not retried
    assert _published(memory_broker) == []


async def test_a_channel_without_the_token_cannot_read_and_says_so(
    app, memory_broker, graph
) -> None:
    _, state = graph
    async with running(app) as client:
        await _channel(client, dict(META_SECRETS))
        r = await _deliver(client, fixture("instagram", "mentions_media_webhook.json"))
        assert r.status_code == 422
        assert r.json()["code"] == "fetch_not_configured"
    assert state.seen == []


async def test_the_dry_run_lists_the_read_it_would_make_and_makes_none(app, graph) -> None:
    _, state = graph
    async with running(app) as client:
        r = await client.post(
            "/v1/normalize/instagram",
            content=fixture("instagram", "mentions_media_webhook.json"),
            headers={**auth("service"), "content-type": "application/json"},
        )
    assert r.status_code == 200, r.text
    doc = r.json()
    assert (doc["posts"], doc["errors"], doc["skipped"]) == ([], [], [])
    assert doc["fetches"] == [
        {
            "index": 0,
            "native_id": "17918195224117851",
            "url": f"https://graph.facebook.com/v21.0/{ACCOUNT}",
            "params": {
                "fields": "mentioned_media.media_id(17918195224117851)"
                "{id,caption,timestamp,username,permalink,like_count,comments_count}"
            },
        }
    ]
    assert state.seen == []


async def test_reads_beyond_the_bound_are_item_errors_and_none_is_made(graph) -> None:
    base, state = graph
    settings = IngestSettings(
        **settings_kw(fetch_max_per_delivery=0, fetch_base_urls={"instagram": base})
    )
    result = InstagramConnector().normalize(
        RawInput(fixture("instagram", "mentions_media_webhook.json"))
    )
    await Fetcher(settings).resolve("instagram", result, {"access_token": TOKEN})
    assert result.fetches == [] and result.posts == []
    assert [(e.code, e.index) for e in result.errors] == [("too_many_fetches", 0)]
    assert state.seen == []
