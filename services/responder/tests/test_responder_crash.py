"""Crash between the platform call and the bookkeeping: the responder process is SIGKILLed
while the (fake) platform holds the request it already acted on; after a restart the reply
is reconciled, exists exactly once on the platform and is recorded as sent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from chorus_common.embedded import free_port
from chorus_common.runtime import KafkaBus
from chorus_responder.settings import ResponderSettings

from services.responder.tests.responder_fake_platform import FakePlatform, Scripted, ServedFake
from services.responder.tests.responder_helpers import (
    agent,
    envelopes,
    make_case,
    make_post,
    out_messages,
)
from tests.support.fixtures import FAST_KAFKA_ENV
from tests.support.wait import wait_for, wait_for_sync

WHO = agent("sam", "support")


def _start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "chorus_responder"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


@pytest.mark.e2e
# X: reconciled by looking the reply up. (Mastodon's Idempotency-Key path is covered in
# test_responder_sending.py; one subprocess crash keeps the suite lean.)
@pytest.mark.parametrize("platform", ["x"])
async def test_responder_killed_mid_send_posts_the_reply_exactly_once(
    broker, tmp_path, platform
) -> None:
    fake = FakePlatform()
    key = "POST /2/tweets" if platform == "x" else "POST /api/v1/statuses"
    fake.script(key, Scripted(block=True))
    port = free_port()
    with ServedFake(fake) as served:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/responder.db",
            "KAFKA_BOOTSTRAP_SERVERS": broker,
            "PORT": str(port),
            "ENVIRONMENT": "test",
            # Apache Kafka refuses sessions under 6 s (group.min.session.timeout.ms).
            "KAFKA_SESSION_TIMEOUT_MS": "6000",
            "KAFKA_HEARTBEAT_INTERVAL_MS": "500",
            "RESPONDER_PLATFORM_BASE_URL": served.base_url,
            "RESPONDER_SEND_POLL_SECONDS": "0.1",
            "RESPONDER_SEND_BACKOFF_BASE_SECONDS": "0.1",
            "RESPONDER_ROUTER_URL": "",  # no router: the member of WHO is not looked up
        }
        log = tmp_path / "responder.log"
        proc = _start(env, log)
        base = f"http://127.0.0.1:{port}"
        try:
            post = make_post(platform=platform, channel="brand@social.example")
            case = make_case(post)
            producer = KafkaBus(
                ResponderSettings(kafka_bootstrap_servers=broker, **FAST_KAFKA_ENV)
            ).producer()
            await producer.start()
            await producer.send_many(out_messages(envelopes(post, case)))
            await producer.stop()
            async with httpx.AsyncClient(base_url=base, timeout=10) as client:

                async def drafted():
                    try:
                        r = await client.post(
                            f"/v1/cases/{case.case_id}/replies",
                            json={"text": "We fixed it."},
                            headers=WHO,
                        )
                    except httpx.TransportError:
                        return None
                    return r.json() if r.status_code == 201 else None

                reply = await wait_for(
                    drafted, timeout=60, what="responder up with the case seeded"
                )
                rid = reply["reply_id"]
                assert (
                    await client.post(f"/v1/replies/{rid}/send", headers=WHO)
                ).status_code == 202

            wait_for_sync(lambda: fake.calls(key), timeout=30, what="the platform call")
            proc.send_signal(signal.SIGKILL)  # the platform acted; the responder never hears back
            proc.wait(timeout=10)

            proc = _start(env, log)
            async with httpx.AsyncClient(base_url=base, timeout=10) as client:

                async def sent():
                    try:
                        r = await client.get(f"/v1/replies/{rid}", headers=WHO)
                    except httpx.TransportError:
                        return None
                    return (
                        r.json() if r.status_code == 200 and r.json()["status"] == "sent" else None
                    )

                final = await wait_for(sent, timeout=60, what="reply reconciled after restart")
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        assert len(fake.objects(platform)) == 1, log.read_text()[-3000:]
        assert final["platform_reply_id"] == str(fake.objects(platform)[0]["id"])
        steps = [h["step"] for h in final["history"]]
        assert steps.count("attempt") == (1 if platform == "x" else 2)
        if platform == "x":
            assert len(fake.calls(key)) == 1, "X was looked up, not called again"
            assert fake.calls("GET /2/tweets/search/recent")
            assert final["history"][-1]["data"]["reconciled"] is True
        else:
            calls = fake.calls(key)
            assert len(calls) == 2 and len({c.headers["idempotency-key"] for c in calls}) == 1
