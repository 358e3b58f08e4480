"""Another team's Kafka client reads and writes Chorus's topics: kcat (librdkafka) against
Apache Kafka (`make test-kafka`). It produces posts the router routes, reads the case events,
and puts every key on the partition Chorus's producer puts it on (Kafka's murmur2)."""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from chorus_common.contracts import topics
from chorus_common.contracts.asyncapi import document
from chorus_common.messaging.bus.partition import murmur2
from chorus_common.messaging.envelope import Envelope

from tests.support import kcat
from tests.support.asyncapi import ROOT, message_validator
from tests.support.system import System, system
from tests.support.wait import wait_for_sync

pytestmark = [pytest.mark.integration, pytest.mark.interop, pytest.mark.timeout(240)]

ENVELOPE_FIELDS = {"event_id", "type", "schema_version", "occurred_at", "producer", "trace_id"}


@pytest.fixture(scope="module")
def router(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    kcat.require_apache_kafka()
    kcat.kcat()
    with system(tmp_path_factory.mktemp("interop"), names=("router",)) as sysm:
        yield sysm


def post_envelope(run: str, i: int, trace_id: str) -> dict[str, Any]:
    """A `post.received` envelope as another team writes it: plain JSON, per docs/asyncapi.yaml."""
    now = datetime.now(UTC).isoformat()
    return {
        "event_id": str(uuid.uuid4()),
        "type": "post.received",
        "schema_version": 1,
        "occurred_at": now,
        "producer": "crm-export",
        "trace_id": trace_id,
        "payload": {
            "post": {
                "id": f"generic:{run}-{i}",
                "platform": "generic",
                "channel": "crm",
                "kind": "comment",
                "native_id": f"{run}-{i}",
                "thread_id": f"generic:{run}-t{i}",
                "author": {"id": f"crm-{i}", "handle": f"customer{i}"},
                "text": f"Where is my order {i}? The delivery is late",
                "lang": "en",
                "created_at": now,
                "received_at": now,
            },
            "is_update": False,
            "revision": 1,
        },
    }


def kcat_posts(bootstrap: str, run: str, n: int) -> dict[str, dict[str, Any]]:
    """``n`` posts produced by kcat, keyed by thread_id; returns them by thread_id."""
    validator = message_validator(document(), "post.received")
    posts = {}
    for i in range(n):
        env = post_envelope(run, i, trace_id=uuid.uuid4().hex)
        assert list(validator.iter_errors(env)) == [], "the document accepts what we send"
        posts[env["payload"]["post"]["thread_id"]] = env
    kcat.produce(bootstrap, topics.POSTS, [(t, orjson.dumps(e)) for t, e in posts.items()])
    return posts


def thread_cases(router: System, thread: str) -> list[dict[str, Any]]:
    """The router's cases of one generic conversation, every page of the list read."""
    out: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 200, "platform": "generic"}
    with router.client() as client:
        while True:
            r = client.get(f"{router.url('router')}/v1/cases", params=params)
            r.raise_for_status()
            body = r.json()
            out += [c for c in body["items"] if c.get("thread_id") == thread]
            if not body.get("next_cursor"):
                return out
            params["cursor"] = body["next_cursor"]


def case_records(bootstrap: str, threads: set[str]) -> list[dict[str, Any]]:
    return [r for r in kcat.consume(bootstrap, topics.CASES) if r["key"] in threads]


def test_a_post_produced_by_kcat_is_routed_to_an_assigned_case(router: System) -> None:
    run = f"kc{uuid.uuid4().hex[:8]}"
    posts = kcat_posts(router.bootstrap, run, 1)
    thread = next(iter(posts))

    def assigned():
        hits = thread_cases(router, thread)
        return hits[0] if len(hits) == 1 and hits[0].get("assignee") else None

    case = wait_for_sync(assigned, timeout=60, what=f"an assigned case for {thread}")
    with router.client() as client:
        full = client.get(f"{router.url('router')}/v1/cases/{case['id']}").json()
    assert posts[thread]["payload"]["post"]["id"] in str(full), "the case holds the kcat post"


def test_kcat_reads_the_case_events_as_documented_envelopes(router: System) -> None:
    run = f"kc{uuid.uuid4().hex[:8]}"
    posts = kcat_posts(router.bootstrap, run, 3)
    threads = set(posts)

    def all_assigned():
        records = case_records(router.bootstrap, threads)
        done = {r["key"] for r in records if b'"case.assigned"' in r["payload"].encode()}
        return records if done == threads else None

    records = wait_for_sync(all_assigned, timeout=90, interval=0.5, what="case.assigned x3")
    doc = document()
    n = kcat.partitions(router.bootstrap, topics.CASES)
    for rec in records:
        env = Envelope.from_bytes(rec["payload"].encode())
        raw = orjson.loads(rec["payload"])
        assert set(raw) >= ENVELOPE_FIELDS, raw
        assert env.type.startswith("case.") and env.producer == "router"
        assert rec["key"] == env.payload["thread_id"], "cases are keyed by thread_id"
        assert list(message_validator(doc, env.type).iter_errors(raw)) == [], env.type
        if env.type in ("case.opened", "case.assigned"):
            # routing carries the post's trace on (the document's correlationId)
            assert env.trace_id == posts[rec["key"]]["trace_id"]
        # Chorus's producer chose the partition Kafka's default partitioner would
        assert rec["partition"] == (murmur2(rec["key"].encode()) & 0x7FFFFFFF) % n


def readme_block(containing: str) -> str:
    """The README's one ```bash block that contains ``containing``."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```bash\n(.*?)^```$", text, flags=re.S | re.M)
    (block,) = [b for b in blocks if containing in b]
    return block


def run_block(block: str, bootstrap: str, cwd: Path) -> str:
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block],
        cwd=cwd,
        env={**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap},
        text=True,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, f"{block}\n{done.stderr[-2000:]}"
    return done.stdout


def test_the_readme_kcat_example_writes_a_post_and_reads_its_case(
    router: System, tmp_path: Path
) -> None:
    write, read = readme_block("kcat -P"), readme_block("kcat -C")
    run_block(write, router.bootstrap, tmp_path)
    example = orjson.loads((tmp_path / "post.json").read_bytes())
    assert list(message_validator(document(), "post.received").iter_errors(example)) == []
    thread = example["payload"]["post"]["thread_id"]
    assert f"-k {thread}" in write and thread in read

    def assigned():
        return [c for c in thread_cases(router, thread) if c.get("assignee")]

    wait_for_sync(assigned, timeout=60, what=f"the README's post routed ({thread})")
    lines = run_block(read, router.bootstrap, tmp_path).splitlines()
    events = [Envelope.from_bytes(line.split(" ", 1)[1].encode()) for line in lines]
    assert {e.type for e in events} >= {"case.opened", "case.assigned"}
    assert all(e.payload["thread_id"] == thread for e in events)
