"""Google Play polling with a service account against a local fake token endpoint and API:
the poller exchanges a signed assertion for a token once, polls with it, and exchanges a
fresh one when the API refuses the token."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import jwt
import pytest
from chorus_ingest.app import create_app
from chorus_ingest.settings import IngestSettings
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from services.ingest.tests.connector_kit import fixture
from services.ingest.tests.ingest_helpers import envelopes, settings_kw
from tests.support.fixtures import auth, running
from tests.support.wait import wait_for

pytestmark = pytest.mark.integration
APP = "com.example.app"
EMAIL = "poller@chorus-demo.iam.gserviceaccount.com"
SCOPE = "https://www.googleapis.com/auth/androidpublisher"


class Google:
    """What the fake serves and what it was asked."""

    def __init__(self, public_pem: bytes) -> None:
        self.public_pem = public_pem
        self.lock = threading.Lock()
        self.issued: list[str] = []
        self.valid: set[str] = set()
        self.refused = 0
        self.polls: list[str] = []
        self.token_url = ""


def _handler(g: Google) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
            try:
                claims = jwt.decode(form["assertion"][0], g.public_pem, algorithms=["RS256"],
                                    audience=g.token_url, issuer=EMAIL)  # fmt: skip
            except (KeyError, jwt.PyJWTError):
                return self._send(400, b'{"error": "invalid_grant"}')
            if claims.get("scope") != SCOPE:
                return self._send(400, b'{"error": "invalid_scope"}')
            with g.lock:
                token = f"ya29.play-{len(g.issued) + 1}"
                g.issued.append(token)
                g.valid = {token}
            self._send(200, json.dumps({"access_token": token, "expires_in": 3599}).encode())

        def do_GET(self) -> None:
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            with g.lock:
                g.polls.append(token)
                denied = token not in g.valid
                g.refused += denied
            if denied:
                return self._send(401, b'{"error": {"code": 401, "status": "UNAUTHENTICATED"}}')
            self._send(200, fixture("google_play", "reviews_list.json"))

        def log_message(self, format: str, *args: object) -> None:
            return None

    return Handler


@contextmanager
def fake_google() -> Iterator[tuple[str, Google, str]]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    g = Google(public_pem)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(g))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    g.token_url = f"{url}/token"
    key_file = {"type": "service_account", "client_email": EMAIL, "private_key": private_pem,
                "private_key_id": "k1", "token_uri": g.token_url}  # fmt: skip
    try:
        yield url, g, json.dumps(key_file)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


async def test_polls_with_an_exchanged_token_and_exchanges_again_when_refused(
    memory_broker, sqlite_url
) -> None:
    kw = settings_kw(poller_enabled=True, poll_tick_seconds=0.05, poll_min_interval_seconds=0.2)
    app = create_app(IngestSettings(database_url=sqlite_url, **kw), bus=memory_broker)
    with fake_google() as (url, google, key_file):
        async with running(app) as client:
            channel = {
                "platform": "google_play",
                "external_id": APP,
                "secrets": {"service_account_json": key_file},
                "poll": {"url": url, "interval_seconds": 0.2, "config": {"base_url": url}},
            }
            r = await client.post("/v1/channels", json=channel, headers=auth("admin"))
            assert r.status_code == 201, r.text

            async def reviews_published() -> bool:
                return len(envelopes(memory_broker, "chorus.posts.v1")) >= 3

            await wait_for(reviews_published, timeout=30, what="the page's reviews published")
            with google.lock:
                assert google.issued == ["ya29.play-1"]
                google.valid.clear()  # the API stops taking the token

            async def exchanged_again() -> bool:
                with google.lock:
                    return google.polls[-1:] == ["ya29.play-2"]

            await wait_for(exchanged_again, timeout=30, what="a poll with a fresh token")
    assert google.refused >= 1
    assert set(google.polls) <= {"ya29.play-1", "ya29.play-2"}
