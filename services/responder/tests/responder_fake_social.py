"""A fake of the Threads Graph API and of a Bluesky PDS's XRPC endpoints, served over real HTTP
with the recording and scripting of :class:`FakePlatform` (answers as the platforms document)."""

from __future__ import annotations

import base64
import secrets
import time
from typing import Any

import orjson
from starlette.routing import Route

from services.responder.tests.responder_fake_platform import FakePlatform, Recorded

THREADS_USER = "17841400000000001"


class FakeSocial(FakePlatform):
    """Threads: container, publish, permalink, replies. Bluesky: see ``FakeBluesky``."""

    def _routes(self) -> list[Route]:
        r = self._handler
        return [
            Route("/v1.0/{user}/threads", r("th_create", self._th_create), methods=["POST"]),
            Route(
                "/v1.0/{user}/threads_publish", r("th_publish", self._th_publish), methods=["POST"]
            ),
            Route("/v1.0/{media}/replies", r("th_replies", self._th_replies), methods=["GET"]),
            Route("/v1.0/{media}", r("th_media", self._th_media), methods=["GET"]),
        ]

    # ------------------------------------------------------------------ Threads
    def _th_create(self, rec: Recorded, p: dict[str, str]) -> tuple[int, Any]:
        form = rec.form()
        container = self._next_id()
        self.created.setdefault("threads_containers", []).append({"id": container, **form})
        return 200, {"id": container}

    def _th_publish(self, rec: Recorded, p: dict[str, str]) -> tuple[int, Any]:
        creation = rec.form().get("creation_id")
        box = next((c for c in self.objects("threads_containers") if c["id"] == creation), None)
        if box is None:
            return 400, {
                "error": {
                    "message": "Invalid parameter",
                    "type": "OAuthException",
                    "code": 100,
                    "fbtrace_id": "Fk",
                }
            }
        media = self._next_id()
        self.created.setdefault("threads", []).append(
            {"id": media, "text": box["text"], "parent": box["reply_to_id"]}
        )
        return 200, {"id": media}

    def _th_media(self, rec: Recorded, p: dict[str, str]) -> tuple[int, Any]:
        return 200, {
            "permalink": f"https://www.threads.net/@brand/post/{p['media']}",
            "id": p["media"],
        }

    def _th_replies(self, rec: Recorded, p: dict[str, str]) -> tuple[int, Any]:
        data = [
            {
                "id": m["id"],
                "text": m["text"],
                "permalink": f"https://www.threads.net/@brand/post/{m['id']}",
                "is_reply_owned_by_me": True,
            }
            for m in self.objects("threads")
            if m["parent"] == p["media"]
        ]
        return 200, {"data": data, "paging": {"cursors": {"before": "B", "after": "A"}}}


BSKY_DID = "did:plc:brand0000000000000000000"
BSKY_HANDLE = "brand.bsky.social"
THEIR_DID = "did:plc:fyh2dc4kfeue7g4oujhuf6mn"
ROOT_URI = "at://did:plc:brand0000000000000000000/app.bsky.feed.post/3jsgcvk4rdc2y"
ROOT_CID = "bafyreidxharwrebruizfpqketlrhy6e2l6wykmlxgkuk54iam54np4qbiq"


def fake_jwt(subject: str, lifetime: float = 7200.0) -> str:
    """An unsigned JWT with the ``exp`` claim a PDS puts in its tokens."""
    claims = {
        "scope": "com.atproto.appPass",
        "sub": subject,
        "exp": int(time.time() + lifetime),
        "jti": secrets.token_hex(8),
    }
    head = base64.urlsafe_b64encode(b'{"typ":"at+jwt","alg":"ES256K"}').rstrip(b"=")
    body = base64.urlsafe_b64encode(orjson.dumps(claims))
    return f"{head.decode()}.{body.decode().rstrip('=')}.sig"


class FakeBluesky(FakePlatform):
    """A PDS: sessions (create, refresh), getPosts, getPostThread and createRecord, with the
    XRPC error body ``{"error", "message"}``; ``expire_tokens`` ends every access token."""

    def __init__(self, password: str = "app-pass-1234") -> None:
        self.password = password
        self.access: set[str] = set()
        self.refresh: set[str] = set()
        super().__init__()

    def _routes(self) -> list[Route]:
        r = self._handler
        x = "/xrpc/"
        return [
            Route(x + "com.atproto.server.createSession", r("s", self._create), methods=["POST"]),
            Route(x + "com.atproto.server.refreshSession", r("r", self._refresh), methods=["POST"]),
            Route(x + "app.bsky.feed.getPosts", r("p", self._posts), methods=["GET"]),
            Route(x + "app.bsky.feed.getPostThread", r("t", self._thread), methods=["GET"]),
            Route(x + "com.atproto.repo.createRecord", r("c", self._record), methods=["POST"]),
            Route(x + "com.atproto.identity.resolveHandle", r("h", self._handle), methods=["GET"]),
        ]

    def expire_tokens(self) -> None:
        self.access.clear()

    def _session(self) -> dict[str, Any]:
        access, refresh = fake_jwt(BSKY_DID), fake_jwt(BSKY_DID, 86400 * 60)
        self.access.add(access)
        self.refresh.add(refresh)
        return {
            "did": BSKY_DID,
            "handle": BSKY_HANDLE,
            "accessJwt": access,
            "refreshJwt": refresh,
            "active": True,
        }

    def _create(self, rec: Recorded, _p: dict[str, str]) -> tuple[int, Any]:
        body = rec.json()
        if body.get("identifier") != BSKY_HANDLE or body.get("password") != self.password:
            return 401, {
                "error": "AuthenticationRequired",
                "message": "Invalid identifier or password",
            }
        return 200, self._session()

    def _refresh(self, rec: Recorded, _p: dict[str, str]) -> tuple[int, Any]:
        token = rec.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.refresh:
            return 400, {"error": "ExpiredToken", "message": "Token has been revoked"}
        self.refresh.discard(token)
        return 200, self._session()

    def _denied(self, rec: Recorded) -> tuple[int, Any] | None:
        token = rec.headers.get("authorization", "").removeprefix("Bearer ")
        if token in self.access:
            return None
        return 400, {"error": "ExpiredToken", "message": "Token has expired"}

    def _view(self, uri: str, cid: str, author: str, record: dict[str, Any]) -> dict[str, Any]:
        return {
            "uri": uri,
            "cid": cid,
            "author": {"did": author, "handle": "x.bsky.social"},
            "record": record,
            "indexedAt": "2026-12-07T10:00:00.000Z",
        }

    def _posts(self, rec: Recorded, _p: dict[str, str]) -> tuple[int, Any]:
        denied = self._denied(rec)
        if denied:
            return denied
        uri = rec.query["uris"]
        if uri == ROOT_URI:
            top = {
                "$type": "app.bsky.feed.post",
                "text": "root",
                "createdAt": "2026-12-07T09:00:00Z",
            }
            return 200, {"posts": [self._view(ROOT_URI, ROOT_CID, BSKY_DID, top)]}
        if not uri.startswith("at://did:plc:fyh2"):
            return 200, {"posts": []}
        reply = {
            "root": {"uri": ROOT_URI, "cid": ROOT_CID},
            "parent": {"uri": ROOT_URI, "cid": ROOT_CID},
        }
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "text": "a question",
            "reply": reply,
            "createdAt": "2026-12-07T10:00:00Z",
        }
        return 200, {"posts": [self._view(uri, "bafyreichild", THEIR_DID, record)]}

    def _record(self, rec: Recorded, _p: dict[str, str]) -> tuple[int, Any]:
        denied = self._denied(rec)
        if denied:
            return denied
        body = rec.json()
        uri = f"at://{body['repo']}/{body['collection']}/3kreply{self._next_id()}"
        self.created.setdefault("bluesky", []).append({"uri": uri, **body})
        return 200, {
            "uri": uri,
            "cid": f"bafyreireply{self._next_id()}",
            "validationStatus": "valid",
            "commit": {"cid": "bafyreicommit", "rev": "3kcommit"},
        }

    def _thread(self, rec: Recorded, _p: dict[str, str]) -> tuple[int, Any]:
        denied = self._denied(rec)
        if denied:
            return denied
        uri = rec.query["uri"]
        replies = [
            {
                "$type": "app.bsky.feed.defs#threadViewPost",
                "replies": [],
                "post": self._view(r["uri"], "bafyreireply", r["repo"], r["record"]),
            }
            for r in self.objects("bluesky")
            if r["record"]["reply"]["parent"]["uri"] == uri
        ]
        post = self._view(uri, "bafyreichild", THEIR_DID, {"text": "a question"})
        return 200, {
            "thread": {
                "$type": "app.bsky.feed.defs#threadViewPost",
                "post": post,
                "replies": replies,
            }
        }

    def _handle(self, rec: Recorded, _p: dict[str, str]) -> tuple[int, Any]:
        if rec.query.get("handle") == "mar.bsky.social":
            return 200, {"did": THEIR_DID}
        return 400, {"error": "InvalidRequest", "message": "Unable to resolve handle"}
