"""A fake of every platform's reply API, served over real HTTP on 127.0.0.1 for tests.

It records each request (method, path, query, headers, body), keeps what was "created" so
the adapters' look-ups find it, answers with the documented success bodies, and can be
scripted per route to answer errors, delay, or block after recording (crash tests).
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import orjson
import uvicorn
from chorus_cli.embedded import free_port
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return orjson.loads(self.body)

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class Scripted:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    block: bool = False  # record and create, then hang until released (crash tests)
    create: bool = False  # create the object before answering (a 5xx that still posted)


class FakePlatform:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.scripts: dict[str, list[Scripted]] = {}
        self.created: dict[str, list[dict[str, Any]]] = {}
        self.idempotency: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1000)
        self.release = threading.Event()
        self.app = Starlette(routes=self._routes())

    # ------------------------------------------------------------------ scripting
    def script(self, key: str, *answers: Scripted) -> None:
        """Queue answers for ``key`` (e.g. ``"POST /2/tweets"``), used before the default."""
        self.scripts.setdefault(key, []).extend(answers)

    def calls(self, key: str) -> list[Recorded]:
        method, _, prefix = key.partition(" ")
        return [r for r in self.requests if r.method == method and r.path.startswith(prefix)]

    def objects(self, kind: str) -> list[dict[str, Any]]:
        return self.created.get(kind, [])

    def _next_id(self) -> str:
        return str(next(self._ids))

    # ------------------------------------------------------------------ plumbing
    def _routes(self) -> list[Route]:
        r = self._handler
        return [
            Route("/2/tweets", r("x_create", self._x_create), methods=["POST"]),
            Route("/2/tweets/search/recent", r("x_search", self._x_search), methods=["GET"]),
            Route(
                "/v4/accounts/{a}/locations/{loc}/reviews/{rev}/reply",
                r("gbp", self._gbp_put),
                methods=["PUT"],
            ),
            Route(
                "/v4/accounts/{a}/locations/{loc}/reviews/{rev}",
                r("gbp_get", self._gbp_get),
                methods=["GET"],
            ),
            Route("/youtube/v3/comments", r("yt", self._yt_insert), methods=["POST"]),
            Route("/youtube/v3/comments", r("yt_list", self._yt_list), methods=["GET"]),
            Route("/api/comment", r("reddit", self._reddit), methods=["POST"]),
            Route("/user/{name}/comments", r("reddit_list", self._reddit_list), methods=["GET"]),
            Route("/api/v1/statuses", r("masto", self._masto), methods=["POST"]),
            Route(
                "/api/v1/statuses/{sid}/context", r("masto_ctx", self._masto_ctx), methods=["GET"]
            ),
            Route("/{v}/me/messages", r("messenger", self._messenger), methods=["POST"]),
            Route("/{v}/{page}/conversations", r("convs", self._conversations), methods=["GET"]),
            Route("/{v}/{obj}/comments", r("fb_comment", self._fb_comment), methods=["POST"]),
            Route("/{v}/{obj}/comments", r("fb_list", self._fb_list), methods=["GET"]),
            Route("/{v}/{obj}/replies", r("ig_reply", self._ig_reply), methods=["POST"]),
            Route("/{v}/{obj}/replies", r("ig_list", self._ig_list), methods=["GET"]),
            Route("/{v}/{phone}/messages", r("wa", self._whatsapp), methods=["POST"]),
        ]

    def _handler(self, _name: str, fn: Any) -> Any:
        async def handle(request: Request) -> Response:
            body = await request.body()
            rec = Recorded(
                request.method,
                request.url.path,
                dict(request.query_params),
                {k.lower(): v for k, v in request.headers.items()},
                body,
            )
            self.requests.append(rec)
            key = f"{request.method} {request.url.path}"
            queue = self.scripts.get(key) or []
            scripted = queue.pop(0) if queue else None
            made = None
            if scripted is not None and (scripted.block or scripted.create):
                made = fn(rec, dict(request.path_params))
            if scripted is not None:
                if scripted.block:
                    while not self.release.is_set():
                        await asyncio.sleep(0.05)
                if scripted.delay:
                    await asyncio.sleep(scripted.delay)
                if not scripted.block and (scripted.body is not None or made is None):
                    return JSONResponse(scripted.body, scripted.status, headers=scripted.headers)
                if made is not None:
                    return JSONResponse(made[1], made[0])
            status, answer = fn(rec, dict(request.path_params))
            return JSONResponse(answer, status)

        return handle

    # ------------------------------------------------------------------ X
    def _x_create(self, rec: Recorded, _p: dict[str, str]) -> tuple[int, Any]:
        body = rec.json()
        if not rec.headers.get("authorization", "").startswith("Bearer "):
            return 401, {
                "title": "Unauthorized",
                "type": "about:blank",
                "status": 401,
                "detail": "Unauthorized",
            }
        parent = body["reply"]["in_reply_to_tweet_id"]
        for t in self.objects("x"):
            if t["text"] == body["text"] and t["parent"] == parent:
                return 403, {
                    "detail": "You are not allowed to create a Tweet with duplicate content.",
                    "type": "about:blank",
                    "title": "Forbidden",
                    "status": 403,
                }
        tid = self._next_id()
        self.created.setdefault("x", []).append({"id": tid, "text": body["text"], "parent": parent})
        return 201, {"data": {"id": tid, "text": body["text"], "edit_history_tweet_ids": [tid]}}

    def _x_search(self, rec: Recorded, _p: dict[str, str]) -> tuple[int, Any]:
        query = rec.query["query"]
        parent = query.split("in_reply_to_tweet_id:")[1].split()[0]
        hits = [
            {"id": t["id"], "text": t["text"]} for t in self.objects("x") if t["parent"] == parent
        ]
        return 200, {"data": hits, "meta": {"result_count": len(hits)}} if hits else {
            "meta": {"result_count": 0}
        }

    # ------------------------------------------------------------------ Meta
    def _fb_comment(self, rec: Recorded, p: dict[str, str]) -> tuple[int, Any]:
        cid = f"{p['obj']}_{self._next_id()}"
        self.created.setdefault("facebook", []).append(
            {"id": cid, "message": rec.form()["message"], "parent": p["obj"]}
        )
        return 200, {"id": cid}

    def _fb_list(self, rec: Recorded, p: dict[str, str]) -> tuple[int, Any]:
        data = [
            {"id": c["id"], "message": c["message"], "from": {"id": "page-1", "name": "Brand"}}
            for c in self.objects("facebook")
            if c["parent"] == p["obj"]
        ]
        return 200, {"data": data, "paging": {}}

    def _messenger(self, rec: Recorded, _p: dict[str, str]) -> tuple[int, Any]:
        body = rec.json()
        mid = f"m_{self._next_id()}"
        self.created.setdefault("messenger", []).append(
            {"id": mid, "message": body["message"]["text"], "to": body["recipient"]["id"]}
        )
        return 200, {"recipient_id": body["recipient"]["id"], "message_id": mid}

    def _conversations(self, rec: Recorded, p: dict[str, str]) -> tuple[int, Any]:
        msgs = [
            {"id": m["id"], "message": m["message"], "from": {"id": p["page"]}}
            for m in self.objects("messenger")
            if m["to"] == rec.query.get("user_id")
        ]
        return 200, {"data": [{"id": "t_1", "messages": {"data": msgs}}]}

    def _ig_reply(self, rec: Recorded, p: dict[str, str]) -> tuple[int, Any]:
        rid = self._next_id()
        self.created.setdefault("instagram", []).append(
            {"id": rid, "text": rec.form()["message"], "parent": p["obj"]}
        )
        return 200, {"id": rid}

    def _ig_list(self, rec: Recorded, p: dict[str, str]) -> tuple[int, Any]:
        data = [
            {"id": c["id"], "text": c["text"], "username": "brand"}
            for c in self.objects("instagram")
            if c["parent"] == p["obj"]
        ]
        return 200, {"data": data}

    def _whatsapp(self, rec: Recorded, _p: dict[str, str]) -> tuple[int, Any]:
        body = rec.json()
        wamid = f"wamid.{self._next_id()}"
        self.created.setdefault("whatsapp", []).append({"id": wamid, "body": body["text"]["body"]})
        return 200, {
            "messaging_product": "whatsapp",
            "contacts": [{"input": body["to"], "wa_id": body["to"]}],
            "messages": [{"id": wamid}],
        }

    # ------------------------------------------------------------------ Google
    def _gbp_put(self, rec: Recorded, p: dict[str, str]) -> tuple[int, Any]:
        comment = rec.json()["comment"]
        replies = self.created.setdefault("google_business", [])
        replies[:] = [r for r in replies if r["review"] != p["rev"]]  # one reply per review
        replies.append({"review": p["rev"], "comment": comment})
        return 200, {"comment": comment, "updateTime": "2026-11-21T10:00:00Z"}

    def _gbp_get(self, rec: Recorded, p: dict[str, str]) -> tuple[int, Any]:
        reply = next((r for r in self.objects("google_business") if r["review"] == p["rev"]), None)
        body: dict[str, Any] = {"name": rec.path[4:], "starRating": "TWO"}
        if reply:
            body["reviewReply"] = {
                "comment": reply["comment"],
                "updateTime": "2026-11-21T10:00:00Z",
            }
        return 200, body

    def _yt_insert(self, rec: Recorded, _p: dict[str, str]) -> tuple[int, Any]:
        snip = rec.json()["snippet"]
        cid = f"{snip['parentId']}.{self._next_id()}"
        self.created.setdefault("youtube", []).append(
            {"id": cid, "text": snip["textOriginal"], "parent": snip["parentId"]}
        )
        return 200, {
            "kind": "youtube#comment",
            "etag": "etag-1",
            "id": cid,
            "snippet": {
                "textOriginal": snip["textOriginal"],
                "parentId": snip["parentId"],
                "authorChannelId": {"value": "UCbrand"},
            },
        }

    def _yt_list(self, rec: Recorded, _p: dict[str, str]) -> tuple[int, Any]:
        items = [
            {
                "kind": "youtube#comment",
                "id": c["id"],
                "snippet": {"textOriginal": c["text"], "authorChannelId": {"value": "UCbrand"}},
            }
            for c in self.objects("youtube")
            if c["parent"] == rec.query.get("parentId")
        ]
        return 200, {"kind": "youtube#commentListResponse", "items": items}

    # ------------------------------------------------------------------ Reddit, Mastodon
    def _reddit(self, rec: Recorded, _p: dict[str, str]) -> tuple[int, Any]:
        form = rec.form()
        cid = f"c{self._next_id()}"
        thing = {
            "id": cid,
            "name": f"t1_{cid}",
            "parent_id": form["thing_id"],
            "body": form["text"],
            "permalink": f"/r/brand/comments/abc/x/{cid}/",
        }
        self.created.setdefault("reddit", []).append(thing)
        return 200, {"json": {"errors": [], "data": {"things": [{"kind": "t1", "data": thing}]}}}

    def _reddit_list(self, rec: Recorded, _p: dict[str, str]) -> tuple[int, Any]:
        children = [{"kind": "t1", "data": c} for c in self.objects("reddit")]
        return 200, {"kind": "Listing", "data": {"children": children, "after": None}}

    def _masto(self, rec: Recorded, _p: dict[str, str]) -> tuple[int, Any]:
        key = rec.headers.get("idempotency-key")
        if key and key in self.idempotency:
            return 200, self.idempotency[key]
        body = rec.json()
        sid = self._next_id()
        status = {
            "id": sid,
            "uri": f"https://social.example/users/brand/statuses/{sid}",
            "url": f"https://social.example/@brand/{sid}",
            "content": f"<p>{body['status']}</p>",
            "visibility": body.get("visibility", "public"),
            "in_reply_to_id": body.get("in_reply_to_id"),
            "account": {"id": "1", "acct": "brand"},
        }
        self.created.setdefault("mastodon", []).append(status)
        if key:
            self.idempotency[key] = status
        return 200, status

    def _masto_ctx(self, rec: Recorded, p: dict[str, str]) -> tuple[int, Any]:
        desc = [s for s in self.objects("mastodon") if s["in_reply_to_id"] == p["sid"]]
        return 200, {"ancestors": [], "descendants": desc}


class ServedFake:
    """Run a FakePlatform with uvicorn in a thread (usable from async tests and subprocesses)."""

    def __init__(self, fake: FakePlatform) -> None:
        self.fake = fake
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            fake.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServedFake:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake platform did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.fake.release.set()
        self.server.should_exit = True
        self.thread.join(timeout=10)
