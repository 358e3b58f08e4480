"""End to end through real processes: ingest's HTTP API → broker → router → analytics.

Also: SIGKILL of the router mid-stream (every post still becomes exactly one case) and a
poison record on the posts topic (dead-lettered; the router keeps going).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from chorus_common.messaging.bus.base import OutMessage
from chorus_common.messaging.bus.factory import KafkaBus
from chorus_common.messaging.envelope import Envelope
from chorus_common.settings import CommonSettings

from tests.support.system import System, system
from tests.support.wait import wait_for_sync

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


def _post(run: str, i: int, thread: str | None = None, text: str | None = None) -> dict[str, Any]:
    return {
        "id": f"{run}-{i}",
        "channel": "e2e",
        "kind": "comment",
        "text": text or f"Where is my order {i}? The delivery is late",
        "created_at": datetime.now(UTC).isoformat(),
        "author": {"id": f"u{i}", "handle": f"user{i}"},
        "thread_id": thread or f"{run}-t{i}",
    }


def all_cases(client: httpx.Client, base: str, **params: Any) -> list[dict[str, Any]]:
    """Every case visible to the client, following the cursor."""
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        q = {"limit": 200, **params}
        if cursor:
            q["cursor"] = cursor
        r = client.get(f"{base}/v1/cases", params=q)
        r.raise_for_status()
        body = r.json()
        out += body["items"]
        cursor = body.get("next_cursor")
        if not cursor:
            return out


def _lag_lines(url: str, topic: str) -> set[float]:
    """The values of ``chorus_consumer_lag`` a service exports for ``topic``."""
    text = httpx.get(f"{url}/metrics", timeout=10).text
    return {
        float(ln.split()[-1])
        for ln in text.splitlines()
        if ln.startswith("chorus_consumer_lag") and f'topic="{topic}"' in ln
    }


def _cases_by_thread(
    sysm: System, client: httpx.Client, prefix: str
) -> dict[str, list[dict[str, Any]]]:
    by_thread: dict[str, list[dict[str, Any]]] = {}
    for case in all_cases(client, sysm.url("router")):
        if str(case.get("thread_id", "")).startswith(prefix):
            by_thread.setdefault(case["thread_id"], []).append(case)
    return by_thread


def test_posts_flow_from_ingest_to_assigned_cases_and_analytics(tmp_path) -> None:
    with system(tmp_path) as sysm, sysm.client() as client:
        run = f"e2e{uuid.uuid4().hex[:6]}"
        posts = [
            _post(run, 0),
            _post(run, 1, thread=f"{run}-t0", text="Still nothing, I want a refund"),
            _post(run, 2, text="I will sue you for defamation"),
        ]
        r = client.post(f"{sysm.url('ingest')}/v1/posts", json={"posts": posts})
        assert r.status_code in (200, 202), r.text

        def routed():
            by_thread = _cases_by_thread(sysm, client, f"generic:{run}") or _cases_by_thread(
                sysm, client, run
            )
            cases = [c for cs in by_thread.values() for c in cs]
            return (
                by_thread if len(by_thread) == 2 and all(c.get("assignee") for c in cases) else None
            )

        by_thread = wait_for_sync(routed, timeout=60, what="two assigned cases")
        assert all(len(cs) == 1 for cs in by_thread.values()), "one case per conversation"
        case = client.get(
            f"{sysm.url('router')}/v1/cases/{next(iter(by_thread.values()))[0]['id']}"
        ).json()
        assert case.get("decision"), "the case carries its decision record"

        def counted():
            s = client.get(f"{sysm.url('analytics')}/v1/reports/summary").json()
            return s if s.get("posts_total", 0) >= 3 else None

        summary = wait_for_sync(counted, timeout=60, what="analytics counting the posts")
        assert summary["posts_total"] == 3
        # Everything routed is committed: the router's lag (end offsets on Apache Kafka,
        # high-water marks on the embedded broker) drops to zero on /metrics.
        wait_for_sync(
            lambda: _lag_lines(sysm.url("router"), "chorus.posts.v1") == {0.0},
            timeout=30,
            what="the router's lag on the posts topic at zero",
        )
        # Bad JSON gets a 422 naming the field.
        r = client.post(
            f"{sysm.url('ingest')}/v1/posts",
            content=b'{"posts": [',
            headers={"content-type": "application/json"},
        )
        assert r.status_code == 422
        # Off the routing path, analytics and the responder yield the CPU (CPU_NICE 10), each
        # in a session of its own, so its group's priority is lowered too.
        for name, svc in sysm.services.items():
            want = 10 if name in ("analytics", "responder") else 0
            assert os.getpriority(os.PRIO_PROCESS, svc.proc.pid) == want, name
            group = Path(f"/proc/{svc.proc.pid}/autogroup")
            if group.exists():
                assert group.read_text().split()[-1] == str(want), name


def test_router_killed_mid_stream_turns_every_post_into_exactly_one_case(tmp_path) -> None:
    with system(tmp_path, names=("ingest", "router")) as sysm, sysm.client() as client:
        run = f"kill{uuid.uuid4().hex[:6]}"
        n, batch = 240, 20
        for start in range(0, n, batch):
            posts = [_post(run, i, thread=f"{run}-t{i % 80}") for i in range(start, start + batch)]
            r = client.post(f"{sysm.url('ingest')}/v1/posts", json={"posts": posts})
            assert r.status_code in (200, 202), r.text
            if start == 100:
                sysm.services["router"].kill()  # SIGKILL, mid-stream
        sysm.start("router")

        def all_posts_in_cases():
            by_thread = _cases_by_thread(sysm, client, "")
            mine = {t: cs for t, cs in by_thread.items() if run in t}
            post_ids = [p for cs in mine.values() for c in cs for p in c.get("post_ids", [])]
            return (mine, post_ids) if len(set(post_ids)) == n else None

        mine, post_ids = wait_for_sync(all_posts_in_cases, timeout=120, what="every post in a case")
        assert len(mine) == 80
        assert all(len(cs) == 1 for cs in mine.values()), "exactly one case per conversation"
        assert len(post_ids) == n, "no post is in two cases"


def test_poison_record_on_posts_topic_is_dead_lettered_and_router_keeps_going(tmp_path) -> None:
    with system(tmp_path, names=("ingest", "router")) as sysm, sysm.client() as client:
        settings = CommonSettings(kafka_bootstrap_servers=sysm.bootstrap)

        async def inject_and_read() -> list[Envelope]:
            bus = KafkaBus(settings)
            producer = bus.producer()
            await producer.start()
            await producer.send_many(
                [OutMessage("chorus.posts.v1", b"poison", b"\x00 definitely not an envelope")]
            )
            await producer.stop()
            run = f"p{uuid.uuid4().hex[:6]}"
            r = client.post(f"{sysm.url('ingest')}/v1/posts", json=_post(run, 1))
            assert r.status_code in (200, 202)
            wait_for_sync(
                lambda: (
                    _cases_by_thread(sysm, client, "")
                    and any(run in t for t in _cases_by_thread(sysm, client, ""))
                ),
                timeout=60,
                what="the valid post routed after the poison one",
            )
            consumer = bus.consumer("e2e-dlq-reader", ["chorus.dlq.v1"])
            await consumer.start()
            seen: list[Envelope] = []
            for _ in range(100):
                seen += [Envelope.from_bytes(r.value) for r in await consumer.getmany(200, 100)]
                if any(e.payload.get("original_topic") == "chorus.posts.v1" for e in seen):
                    break
            await consumer.stop()
            return seen

        dead = asyncio.run(inject_and_read())
        poison = [e for e in dead if e.payload.get("original_topic") == "chorus.posts.v1"]
        assert poison, "the poison record reached chorus.dlq.v1"
        assert poison[0].parsed().original() == b"\x00 definitely not an envelope"
        assert poison[0].payload["error_code"] == "invalid_json"
