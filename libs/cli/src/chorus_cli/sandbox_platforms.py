"""The sandbox's side of each platform's API: the reply call and the reads used to reconcile.

One router per platform, answering with the platform's documented success body. The order of
``ROUTERS`` is the order the routes match in: a fixed path comes before a pattern that would
also take it (Messenger's ``/me/messages`` before WhatsApp's ``/{phone_number_id}/messages``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request

from chorus_cli.sandbox_store import SandboxStore


async def _form(request: Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}


def x(store: SandboxStore) -> APIRouter:
    """X API v2: post a reply, search replies to a post."""
    router = APIRouter()

    @router.post("/2/tweets", status_code=201)
    async def x_create(request: Request) -> dict[str, Any]:
        body = await request.json()
        tid = store.next_id()
        store.add("x", str(body["reply"]["in_reply_to_tweet_id"]), body["text"], tid)
        return {"data": {"id": tid, "text": body["text"], "edit_history_tweet_ids": [tid]}}

    @router.get("/2/tweets/search/recent")
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

    return router


def google_business(store: SandboxStore) -> APIRouter:
    """Google Business Profile: reply to a review, read it back.

    Any review name is accepted (accounts/*/locations/*/reviews/* on the real API)."""
    router = APIRouter()

    @router.put("/v4/{name:path}/reply")
    async def gbp_reply(name: str, request: Request) -> dict[str, Any]:
        comment = (await request.json())["comment"]
        store.items = [
            i
            for i in store.items
            if not (i["platform"] == "google_business" and i["parent"] == name)
        ]
        store.add("google_business", name, comment, f"{name}/reply")
        return {"comment": comment, "updateTime": datetime.now(UTC).isoformat()}

    @router.get("/v4/{name:path}")
    async def gbp_review(name: str) -> dict[str, Any]:
        body: dict[str, Any] = {"name": name}
        for i in store.of("google_business", name):
            body["reviewReply"] = {"comment": i["text"], "updateTime": i["at"]}
        return body

    return router


def youtube(store: SandboxStore) -> APIRouter:
    """YouTube Data API v3: insert a comment, list a thread's replies."""
    router = APIRouter()

    @router.post("/youtube/v3/comments")
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

    @router.get("/youtube/v3/comments")
    async def yt_list(parentId: str = "") -> dict[str, Any]:
        items = [
            {"kind": "youtube#comment", "id": i["id"], "snippet": {"textOriginal": i["text"]}}
            for i in store.of("youtube", parentId)
        ]
        return {"kind": "youtube#commentListResponse", "items": items}

    return router


def reddit(store: SandboxStore) -> APIRouter:
    """Reddit: comment, list the account's comments."""
    router = APIRouter()

    @router.post("/api/comment")
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

    @router.get("/user/{name}/comments")
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

    return router


def mastodon(store: SandboxStore) -> APIRouter:
    """Mastodon: post a status (idempotent by key), read a status's context."""
    router = APIRouter()

    @router.post("/api/v1/statuses")
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

    @router.get("/api/v1/statuses/{sid}/context")
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

    return router


def messenger(store: SandboxStore) -> APIRouter:
    """Messenger (Meta Graph API): send a message, list a conversation's messages."""
    router = APIRouter()

    @router.post("/{version}/me/messages")
    async def messenger_send(version: str, request: Request) -> dict[str, Any]:
        body = await request.json()
        mid = f"m_{store.next_id()}"
        store.add("messenger", body["recipient"]["id"], body["message"]["text"], mid)
        return {"recipient_id": body["recipient"]["id"], "message_id": mid}

    @router.get("/{version}/{page_id}/conversations")
    async def messenger_conversations(
        version: str, page_id: str, user_id: str = ""
    ) -> dict[str, Any]:
        msgs = [
            {"id": i["id"], "message": i["text"], "from": {"id": page_id}}
            for i in store.of("messenger", user_id)
        ]
        return {"data": [{"id": "t_sandbox", "messages": {"data": msgs}}]}

    return router


def _graph_edge(
    store: SandboxStore,
    platform: str,
    edge: str,
    new_id: Callable[[str], str],
    shown: Callable[[dict[str, Any]], dict[str, Any]],
) -> APIRouter:
    """A Graph API edge under an object: POST a form ``message`` to it, GET what it holds."""
    router = APIRouter()

    @router.post(f"/{{version}}/{{parent}}/{edge}", name=f"{platform}_post")
    async def post(version: str, parent: str, request: Request) -> dict[str, Any]:
        rid = new_id(parent)
        store.add(platform, parent, (await _form(request)).get("message", ""), rid)
        return {"id": rid}

    @router.get(f"/{{version}}/{{parent}}/{edge}", name=f"{platform}_list")
    async def listed(version: str, parent: str) -> dict[str, Any]:
        return {"data": [shown(i) for i in store.of(platform, parent)]}

    return router


def facebook(store: SandboxStore) -> APIRouter:
    """Facebook (Meta Graph API): comment on an object, list its comments."""
    return _graph_edge(
        store,
        "facebook",
        "comments",
        lambda parent: f"{parent}_{store.next_id()}",
        lambda i: {"id": i["id"], "message": i["text"], "from": {"id": "sandbox-page"}},
    )


def instagram(store: SandboxStore) -> APIRouter:
    """Instagram (Meta Graph API): reply to a comment, list its replies."""
    return _graph_edge(
        store,
        "instagram",
        "replies",
        lambda _parent: store.next_id(),
        lambda i: {"id": i["id"], "text": i["text"], "username": "sandbox"},
    )


def whatsapp(store: SandboxStore) -> APIRouter:
    """WhatsApp Cloud API (Meta Graph API): send a message."""
    router = APIRouter()

    @router.post("/{version}/{phone_number_id}/messages")
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

    return router


ROUTERS: tuple[Callable[[SandboxStore], APIRouter], ...] = (
    x,
    google_business,
    youtube,
    reddit,
    mastodon,
    messenger,
    facebook,
    instagram,
    whatsapp,
)
