"""The demo's sandbox platform: one local server that accepts every platform's reply call and
answers with each platform's documented success body, so `chorus run` shows replies going
out without touching a real network. Point the responder at it with
``RESPONDER_PLATFORM_BASE_URL=http://127.0.0.1:8099`` (and, for e-mail,
``RESPONDER_SMTP_HOST=127.0.0.1 RESPONDER_SMTP_PORT=8025`` with :func:`start_smtp_sink`).

It keeps what it received (``GET /sandbox/replies``) and serves the read endpoints the
responder uses to reconcile after a crash, so exactly-once delivery works against it too.
This is demo tooling, not a test fake: it never fails on purpose.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request

DEFAULT_PORT = 8099
DEFAULT_SMTP_PORT = 8025


class _Store:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.idempotency: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(int(datetime.now(UTC).timestamp()) * 1000)

    def next_id(self) -> str:
        return str(next(self._ids))

    def add(self, platform: str, parent: str, text: str, reply_id: str, **extra: Any) -> None:
        self.items.append(
            {
                "platform": platform,
                "parent": parent,
                "text": text,
                "id": reply_id,
                "at": datetime.now(UTC).isoformat(),
                **extra,
            }
        )

    def of(self, platform: str, parent: str | None = None) -> list[dict[str, Any]]:
        return [
            i
            for i in self.items
            if i["platform"] == platform and (parent is None or i["parent"] == parent)
        ]


async def _form(request: Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}


def create_sandbox_app() -> FastAPI:
    """The sandbox as an ASGI app (serve it with uvicorn on port 8099)."""
    app = FastAPI(title="Chorus sandbox platform", version="0.1.0")
    store = _Store()
    app.state.store = store

    @app.get("/sandbox/replies")
    async def received(platform: str | None = None) -> dict[str, Any]:
        items = store.items if platform is None else store.of(platform)
        return {"count": len(items), "replies": items[-200:]}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    # X API v2 --------------------------------------------------------------------
    @app.post("/2/tweets", status_code=201)
    async def x_create(request: Request) -> dict[str, Any]:
        body = await request.json()
        tid = store.next_id()
        store.add("x", str(body["reply"]["in_reply_to_tweet_id"]), body["text"], tid)
        return {"data": {"id": tid, "text": body["text"], "edit_history_tweet_ids": [tid]}}

    @app.get("/2/tweets/search/recent")
    async def x_search(query: str) -> dict[str, Any]:
        parent = (
            query.split("in_reply_to_tweet_id:")[-1].split()[0] if "in_reply_to" in query else None
        )
        hits = [{"id": i["id"], "text": i["text"]} for i in store.of("x", parent)]
        return (
            {"data": hits, "meta": {"result_count": len(hits)}}
            if hits
            else {"meta": {"result_count": 0}}
        )

    # Google Business Profile, YouTube ---------------------------------------------
    # Any review name is accepted (accounts/*/locations/*/reviews/* on the real API).
    @app.put("/v4/{name:path}/reply")
    async def gbp_reply(name: str, request: Request) -> dict[str, Any]:
        comment = (await request.json())["comment"]
        store.items = [
            i
            for i in store.items
            if not (i["platform"] == "google_business" and i["parent"] == name)
        ]
        store.add("google_business", name, comment, f"{name}/reply")
        return {"comment": comment, "updateTime": datetime.now(UTC).isoformat()}

    @app.get("/v4/{name:path}")
    async def gbp_review(name: str) -> dict[str, Any]:
        body: dict[str, Any] = {"name": name}
        for i in store.of("google_business", name):
            body["reviewReply"] = {"comment": i["text"], "updateTime": i["at"]}
        return body

    @app.post("/youtube/v3/comments")
    async def yt_insert(request: Request) -> dict[str, Any]:
        snippet = (await request.json())["snippet"]
        cid = f"{snippet['parentId']}.{store.next_id()}"
        store.add("youtube", snippet["parentId"], snippet["textOriginal"], cid)
        return {
            "kind": "youtube#comment",
            "etag": store.next_id(),
            "id": cid,
            "snippet": {
                "parentId": snippet["parentId"],
                "textOriginal": snippet["textOriginal"],
                "textDisplay": snippet["textOriginal"],
            },
        }

    @app.get("/youtube/v3/comments")
    async def yt_list(parentId: str = "") -> dict[str, Any]:
        items = [
            {"kind": "youtube#comment", "id": i["id"], "snippet": {"textOriginal": i["text"]}}
            for i in store.of("youtube", parentId)
        ]
        return {"kind": "youtube#commentListResponse", "items": items}

    # Reddit, Mastodon ---------------------------------------------------------------
    @app.post("/api/comment")
    async def reddit_comment(request: Request) -> dict[str, Any]:
        form = await _form(request)
        cid = store.next_id()
        thing = {
            "id": cid,
            "name": f"t1_{cid}",
            "parent_id": form["thing_id"],
            "body": form["text"],
            "permalink": f"/r/sandbox/comments/{cid}/",
        }
        store.add("reddit", form["thing_id"], form["text"], thing["name"])
        return {"json": {"errors": [], "data": {"things": [{"kind": "t1", "data": thing}]}}}

    @app.get("/user/{name}/comments")
    async def reddit_user_comments(name: str) -> dict[str, Any]:
        children = [
            {
                "kind": "t1",
                "data": {
                    "id": i["id"][3:],
                    "name": i["id"],
                    "parent_id": i["parent"],
                    "body": i["text"],
                },
            }
            for i in store.of("reddit")
        ]
        return {"kind": "Listing", "data": {"children": children, "after": None}}

    @app.post("/api/v1/statuses")
    async def mastodon_status(request: Request) -> dict[str, Any]:
        key = request.headers.get("idempotency-key")
        if key and key in store.idempotency:
            return store.idempotency[key]
        body = await request.json()
        sid = store.next_id()
        status = {
            "id": sid,
            "uri": f"https://sandbox.invalid/users/brand/statuses/{sid}",
            "url": f"https://sandbox.invalid/@brand/{sid}",
            "content": f"<p>{body['status']}</p>",
            "visibility": body.get("visibility", "public"),
            "in_reply_to_id": body.get("in_reply_to_id"),
            "created_at": datetime.now(UTC).isoformat(),
            "account": {"id": "1", "acct": "brand"},
        }
        store.add("mastodon", str(body.get("in_reply_to_id")), body["status"], sid)
        if key:
            store.idempotency[key] = status
        return status

    @app.get("/api/v1/statuses/{sid}/context")
    async def mastodon_context(sid: str) -> dict[str, Any]:
        desc = [
            {
                "id": i["id"],
                "in_reply_to_id": sid,
                "content": f"<p>{i['text']}</p>",
                "account": {"id": "1"},
            }
            for i in store.of("mastodon", sid)
        ]
        return {"ancestors": [], "descendants": desc}

    # Meta Graph API (Facebook, Messenger, Instagram, WhatsApp) -----------------------
    @app.post("/{version}/me/messages")
    async def messenger_send(version: str, request: Request) -> dict[str, Any]:
        body = await request.json()
        mid = f"m_{store.next_id()}"
        store.add("messenger", body["recipient"]["id"], body["message"]["text"], mid)
        return {"recipient_id": body["recipient"]["id"], "message_id": mid}

    @app.get("/{version}/{page_id}/conversations")
    async def messenger_conversations(
        version: str, page_id: str, user_id: str = ""
    ) -> dict[str, Any]:
        msgs = [
            {"id": i["id"], "message": i["text"], "from": {"id": page_id}}
            for i in store.of("messenger", user_id)
        ]
        return {"data": [{"id": "t_sandbox", "messages": {"data": msgs}}]}

    @app.post("/{version}/{object_id}/comments")
    async def facebook_comment(version: str, object_id: str, request: Request) -> dict[str, Any]:
        cid = f"{object_id}_{store.next_id()}"
        store.add("facebook", object_id, (await _form(request)).get("message", ""), cid)
        return {"id": cid}

    @app.get("/{version}/{object_id}/comments")
    async def facebook_comments(version: str, object_id: str) -> dict[str, Any]:
        return {
            "data": [
                {"id": i["id"], "message": i["text"], "from": {"id": "sandbox-page"}}
                for i in store.of("facebook", object_id)
            ]
        }

    @app.post("/{version}/{comment_id}/replies")
    async def instagram_reply(version: str, comment_id: str, request: Request) -> dict[str, Any]:
        rid = store.next_id()
        store.add("instagram", comment_id, (await _form(request)).get("message", ""), rid)
        return {"id": rid}

    @app.get("/{version}/{comment_id}/replies")
    async def instagram_replies(version: str, comment_id: str) -> dict[str, Any]:
        return {
            "data": [
                {"id": i["id"], "text": i["text"], "username": "sandbox"}
                for i in store.of("instagram", comment_id)
            ]
        }

    @app.post("/{version}/{phone_number_id}/messages")
    async def whatsapp_send(version: str, phone_number_id: str, request: Request) -> dict[str, Any]:
        body = await request.json()
        wamid = f"wamid.{store.next_id()}"
        parent = (body.get("context") or {}).get("message_id", "")
        store.add(
            "whatsapp", parent, (body.get("text") or {}).get("body", ""), wamid, to=body.get("to")
        )
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
            "messages": [{"id": wamid}],
        }

    return app


def start_smtp_sink(port: int = DEFAULT_SMTP_PORT, host: str = "127.0.0.1") -> Any:
    """An SMTP server that accepts and discards mail (for e-mail replies in the demo).
    Returns the aiosmtpd Controller; call ``.stop()`` to end it."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    controller = Controller(Sink(), hostname=host, port=port)
    controller.start()
    return controller


def main() -> None:
    """Serve the sandbox (HTTP on PORT, default 8099) and its SMTP sink (SMTP_PORT, 8025)."""
    import os

    import uvicorn

    smtp = start_smtp_sink(int(os.environ.get("SMTP_PORT", DEFAULT_SMTP_PORT)))
    try:
        uvicorn.run(
            create_sandbox_app(),
            host="127.0.0.1",
            port=int(os.environ.get("PORT", DEFAULT_PORT)),
            log_level="warning",
        )
    finally:
        smtp.stop()


if __name__ == "__main__":
    main()
