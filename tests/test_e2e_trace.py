"""`chorus trace` against the running services: a post followed by its id and by its URL
from ingest to its case, member and reply, with the trace id of the router's decision line;
a post that only reached the dead-letter topic; a post nobody knows (exit 1)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
import pytest
from chorus_cli.demo_feed import PEOPLE, ensure_channels
from chorus_cli.demo_payloads import utc_now, x_tweet
from chorus_cli.main import main
from chorus_common.messaging.bus.base import OutMessage
from chorus_common.messaging.bus.factory import KafkaBus
from chorus_common.settings import CommonSettings

from tests.support.fixtures import auth, token
from tests.support.system import System, system
from tests.support.wait import wait_for_sync

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


def _trace(sysm: System, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    urls = [f"--{name}={svc.url}" for name, svc in sysm.services.items()]
    code = main(["trace", *args, *urls])
    return code, capsys.readouterr().out


def _tweet(ingest: str, tid: str, text: str) -> None:
    """One signed X webhook delivery on the demo's channel (created like `chorus run` does)."""

    async def send() -> None:
        async with httpx.AsyncClient(base_url=ingest, timeout=30) as client:
            assert await ensure_channels(client, token("admin"), asyncio.Event())
            d = x_tweet(tid, PEOPLE["sam"], text, utc_now(), None)
            r = await client.post(
                f"/v1/webhooks/{d.platform}", content=d.body, headers=d.headers, params=d.query
            )
            assert r.status_code == 200, r.text

    asyncio.run(send())


def _ghost(bootstrap: str, post_id: str) -> None:
    """A post.received no consumer can decode (no author), naming ``post_id``."""
    bad = {
        "event_id": str(uuid.uuid4()),
        "type": "post.received",
        "schema_version": 1,
        "occurred_at": datetime.now(UTC).isoformat(),
        "producer": "crm-export",
        "trace_id": "feedfacefeedfacefeedfacefeedface",
        "payload": {"post": {"id": post_id, "platform": "generic", "text": "no author"}},
    }

    async def send() -> None:
        producer = KafkaBus(CommonSettings(kafka_bootstrap_servers=bootstrap)).producer()
        await producer.start()
        try:
            await producer.send_many([OutMessage("chorus.posts.v1", b"ghost", orjson.dumps(bad))])
        finally:
            await producer.stop()

    asyncio.run(send())


def test_chorus_trace_follows_a_post_through_the_running_services(
    tmp_path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHORUS_TOKEN", token("admin"))
    run = uuid.uuid4().hex[:8]
    tid = str(1_900_000_000_000_000_000 + uuid.uuid4().int % 10**17)
    post_id = f"x:{tid}"
    with system(tmp_path) as sysm, sysm.client() as client:
        _tweet(sysm.url("ingest"), tid, "I will sue you: my lawyer has the receipts")
        accepted = client.get(f"{sysm.url('ingest')}/v1/posts/{post_id}").json()
        url = accepted["url"]
        assert url, "the tweet's URL"

        def routed() -> dict[str, Any] | None:
            r = client.get(f"{sysm.url('router')}/v1/posts/{post_id}")
            return r.json() if r.status_code == 200 and r.json()["case"]["assignee"] else None

        found = wait_for_sync(routed, timeout=60, what="the post's case")
        assert found is not None
        case = found["case"]
        author = auth("agent", member_id=case["assignee"], teams=(case["team"],))

        def drafted() -> dict[str, Any] | None:
            r = httpx.post(
                f"{sysm.url('responder')}/v1/cases/{case['id']}/replies",
                json={"text": "We are looking into it."},
                headers=author,
                timeout=30,
            )
            return r.json() if r.status_code == 201 else None

        reply = wait_for_sync(drafted, timeout=60, interval=0.5, what="a draft on the case")
        assert reply is not None
        ghost = f"generic:ghost-{run}"
        _ghost(sysm.bootstrap, ghost)

        def ghost_seen() -> bool:
            r = client.get(f"{sysm.url('analytics')}/v1/dead-letters", params={"post_id": ghost})
            return r.status_code == 200 and len(r.json()["items"]) >= 1

        wait_for_sync(ghost_seen, timeout=60, interval=0.5, what="the ghost's dead letter")

        code, out = _trace(sysm, capsys, post_id)
        by_url_code, by_url = _trace(sysm, capsys, url + "/")
        json_code, as_json = _trace(sysm, capsys, post_id, "--json")
        ghost_code, ghost_out = _trace(sysm, capsys, ghost)
        nobody_code, _ = _trace(sysm, capsys, f"generic:nobody-{run}")
        router_log = sysm.services["router"].log_path.read_text()
    doc = json.loads(as_json)
    assert code == by_url_code == json_code == ghost_code == 0 and nobody_code == 1
    trace_id = doc["trace_id"]
    assert trace_id and f"post        {post_id}   trace {trace_id}" in out
    assert doc["router"]["case_id"] == case["id"] and doc["errors"] == {}
    assert f"case        {case['id']}" in out and f"member {case['assignee']}" in out
    assert f"team {case['team']}" in out and "rules legal-" in out
    assert accepted["trace_id"] == trace_id and url in out
    assert f"reply       {reply['reply_id']}  {reply['status']}  by {case['assignee']}" in out
    assert "dead letter" not in out
    assert by_url.splitlines()[0] == out.splitlines()[0], "the URL leads to the same post"
    decision = next(
        json.loads(line)
        for line in router_log.splitlines()
        if '"post routed"' in line and post_id in line
    )
    assert decision["trace_id"] == trace_id and decision["case_id"] == case["id"]
    assert "lawyer" not in router_log and PEOPLE["sam"].handle not in router_log
    assert "accepted    not by ingest" in ghost_out and "case        none" in ghost_out
    assert "router:chorus.posts.v1  invalid_payload" in ghost_out
