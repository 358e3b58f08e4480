"""`GET /v1/posts/{id}` and `GET /v1/posts?url=`: when a post was accepted, its revisions and
the trace id of each, found by id or by its platform URL; no text, no author; scoped."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from chorus_ingest.app import create_app
from chorus_ingest.lookup import url_key
from chorus_ingest.settings import IngestSettings

from services.ingest.tests.ingest_helpers import envelopes, generic_post, settings_kw
from tests.support.fixtures import auth, running

URL = "https://crm.example/tickets/42"


@pytest.mark.unit
def test_url_key_ignores_the_case_of_scheme_and_host_a_trailing_slash_and_the_fragment() -> None:
    assert url_key("HTTPS://CRM.Example/tickets/42/#top") == url_key(URL)
    assert url_key("https://crm.example/Tickets/42") != url_key(URL), "the path's case counts"
    assert url_key("https://crm.example/tickets/42?page=2") != url_key(URL)
    assert url_key(None) is None and url_key("") is None


@pytest.mark.unit
async def test_a_post_is_found_by_id_and_url_with_the_trace_id_of_each_revision(
    memory_broker, sqlite_url
) -> None:
    app = create_app(IngestSettings(database_url=sqlite_url, **settings_kw()), bus=memory_broker)
    service = auth("service")
    async with running(app) as client:
        first = generic_post("t/1", text="my order is late", url=URL)
        assert (await client.post("/v1/posts", json=first, headers=service)).status_code == 200
        edit = generic_post("t/1", text="my order is very late", url=URL)
        assert (await client.post("/v1/posts", json=edit, headers=service)).status_code == 200
        r = await client.get(f"/v1/posts/{quote('generic:t/1', safe='')}", headers=service)
        assert r.status_code == 200, r.text
        doc = r.json()
        by_url = await client.get(
            "/v1/posts", params={"url": "https://CRM.example/tickets/42/"}, headers=service
        )
        missing = await client.get("/v1/posts/generic:nope", headers=auth("admin"))
        nowhere = await client.get("/v1/posts", params={"url": URL + "9"}, headers=service)
        anonymous = await client.get("/v1/posts/generic:t%2F1")
        agent = await client.get("/v1/posts/generic:t%2F1", headers=auth("agent", teams=("x",)))
    traces = [e.trace_id for e in envelopes(memory_broker, "chorus.posts.v1")]
    assert (doc["post_id"], doc["platform"], doc["channel"]) == ("generic:t/1", "generic", "crm")
    assert (doc["revision"], doc["url"], doc["archived"]) == (2, URL, True)
    assert [v["revision"] for v in doc["revisions"]] == [2, 1]
    assert [v["trace_id"] for v in doc["revisions"]] == traces[::-1]
    assert doc["trace_id"] == traces[1]
    assert "text" not in doc and "author" not in doc
    assert doc["first_seen_at"].endswith("+00:00") and doc["revisions"][0]["received_at"].endswith(
        "+00:00"
    )
    assert by_url.status_code == 200 and by_url.json()["post_ids"] == ["generic:t/1"]
    assert missing.status_code == 404 and "post_not_found" in missing.text
    assert nowhere.status_code == 404
    assert anonymous.status_code == 401 and agent.status_code == 403
