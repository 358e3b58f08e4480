"""Bluesky polling against a local fake PDS: the app-password session, the recorded
notifications page, then a sweep that follows the cursor down to what was already read."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from chorus_ingest.app import create_app
from chorus_ingest.settings import IngestSettings

from services.ingest.tests.connector_kit import fixture, fixture_json
from services.ingest.tests.ingest_helpers import envelopes, settings_kw
from tests.support.fixtures import auth, running
from tests.support.wait import wait_for

pytestmark = pytest.mark.unit
BRAND = "shinyakato.dev"
PASSWORD = "app-pass-1234"
NEW_URI = "at://did:plc:w7jicbitabtexqstm5ezqwsc/app.bsky.feed.post/3jsnewmention"


class PdsState:
    """What the fake PDS serves and what it was asked."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sessions = 0
        self.valid: set[str] = set()
        self.refused = 0
        self.requests: list[tuple[str, dict[str, list[str]], str]] = []
        self.newer: list[dict[str, Any]] = []

    def page(self, cursor: str | None) -> bytes:
        if self.newer and cursor is None:
            return json.dumps({"notifications": self.newer, "cursor": "after-new"}).encode()
        return fixture("bluesky", "list_notifications.json")


def _handler(state: PdsState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            sent = json.loads(self.rfile.read(length) or b"{}")
            if self.path != "/xrpc/com.atproto.server.createSession":
                return self._send(404, b'{"error": "MethodNotImplemented"}')
            if sent != {"identifier": BRAND, "password": PASSWORD}:
                return self._send(401, b'{"error": "AuthenticationRequired"}')
            with state.lock:
                state.sessions += 1
                access = f"access-{state.sessions}"
                state.valid = {access}
            session = {"did": "did:plc:iijrtk7ocored6zuziwmqq3c", "handle": BRAND,
                       "accessJwt": access, "refreshJwt": "refresh-1"}  # fmt: skip
            self._send(200, json.dumps(session).encode())

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = parse_qs(url.query)
            with state.lock:
                state.requests.append((url.path, query, self.headers.get("Authorization", "")))
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            with state.lock:
                denied = token not in state.valid
                state.refused += denied
            if denied:
                return self._send(400, b'{"error": "ExpiredToken", "message": "Token has expired"}')
            with state.lock:
                body = state.page(query["cursor"][0] if "cursor" in query else None)
            self._send(200, body)

        def log_message(self, format: str, *args: object) -> None:
            return None

    return Handler


@contextmanager
def fake_pds() -> Iterator[tuple[str, PdsState]]:
    state = PdsState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _newer_mention() -> dict[str, Any]:
    doc = fixture_json("bluesky", "list_notifications.json")
    mention = next(n for n in doc["notifications"] if n["reason"] == "mention")
    record = {**mention["record"], "text": "@shinyakato.dev is the export fixed?"}
    record["createdAt"] = "2023-04-04T09:00:00.000Z"
    return {**mention, "uri": NEW_URI, "record": record, "indexedAt": "2023-04-04T09:00:01.000Z"}


def _polling_app(memory_broker: Any, sqlite_url: str) -> Any:
    kw = settings_kw(poller_enabled=True, poll_tick_seconds=0.05, poll_min_interval_seconds=0.2)
    return create_app(IngestSettings(database_url=sqlite_url, **kw), bus=memory_broker)


async def _open_channel(client: Any, url: str) -> None:
    channel = {
        "platform": "bluesky",
        "external_id": BRAND,
        "secrets": {"identifier": BRAND, "app_password": PASSWORD},
        "poll": {"url": url, "interval_seconds": 0.2},
    }
    r = await client.post("/v1/channels", json=channel, headers=auth("admin"))
    assert r.status_code == 201, r.text


def _native_ids(memory_broker: Any) -> list[str]:
    return [e.payload["post"]["native_id"] for e in envelopes(memory_broker, "chorus.posts.v1")]


async def _first_page(memory_broker: Any) -> None:
    async def read() -> bool:
        return len(_native_ids(memory_broker)) == 4

    await wait_for(read, timeout=30, what="the four answerable notifications")


async def test_polling_signs_in_once_reads_new_notifications_and_sweeps_to_the_known_ones(
    memory_broker, sqlite_url
) -> None:
    app = _polling_app(memory_broker, sqlite_url)
    with fake_pds() as (url, pds):
        async with running(app) as client:
            await _open_channel(client, url)

            def native_ids() -> list[str]:
                return _native_ids(memory_broker)

            await _first_page(memory_broker)
            with pds.lock:
                pds.newer = [_newer_mention()]

            async def swept() -> bool:
                with pds.lock:
                    followed = any(q.get("cursor") == ["after-new"] for _, q, _ in pds.requests)
                return followed and NEW_URI in native_ids()

            await wait_for(swept, timeout=30, what="the new mention and a sweep to the known page")
    ids = native_ids()
    assert len(ids) == len(set(ids)) == 5  # the page read again in the sweep is not repeated
    assert pds.sessions == 1
    path, query, authorization = pds.requests[0]
    assert path == "/xrpc/app.bsky.notification.listNotifications"
    assert query["reasons"] == ["mention", "reply", "quote"] and query["limit"] == ["50"]
    assert authorization == "Bearer access-1"


async def test_a_refused_session_is_renewed_and_polling_resumes(memory_broker, sqlite_url) -> None:
    app = _polling_app(memory_broker, sqlite_url)
    with fake_pds() as (url, pds):
        async with running(app) as client:
            await _open_channel(client, url)

            def native_ids() -> list[str]:
                return _native_ids(memory_broker)

            await _first_page(memory_broker)
            with pds.lock:
                pds.valid.clear()  # the PDS revokes the session
                pds.newer = [_newer_mention()]

            async def resumed() -> bool:
                return NEW_URI in native_ids()

            await wait_for(resumed, timeout=60, what="the new mention after a new sign-in")
    assert pds.refused >= 1 and pds.sessions == 2
