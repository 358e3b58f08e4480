"""Bluesky: a reply is an ``app.bsky.feed.post`` record created in the brand's repository
(``com.atproto.repo.createRecord``) with ``reply.root`` and ``reply.parent`` strong refs
(``{uri, cid}``) of the thread's root post and of the post answered.

https://docs.bsky.app/docs/tutorials/creating-a-post (replies) and
https://docs.bsky.app/docs/advanced-guides/rate-limits (5,000 write points an hour, a
creation costs 3; 429 answers carry ``RateLimit-Reset``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from chorus_platforms.bluesky.facets import facet, spans
from chorus_platforms.bluesky.records import POST_COLLECTION, rkey
from chorus_platforms.bluesky.session import Session, Sessions, service_of, xrpc_reason
from chorus_platforms.kit.outbound import (
    Channel,
    Delivered,
    OutboundReply,
    PermanentSendError,
    Reconcile,
    call,
    same_text,
)


def _ref(value: Any) -> dict[str, str] | None:
    ref = value if isinstance(value, dict) else {}
    uri, cid = ref.get("uri"), ref.get("cid")
    return {"uri": uri, "cid": cid} if isinstance(uri, str) and isinstance(cid, str) else None


class BlueskySender:
    """Posts a reply record as the channel's account, with its app-password session."""

    platform = "bluesky"
    reconcile: Reconcile = "lookup"

    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions

    async def _xrpc(
        self, http: httpx.AsyncClient, channel: Channel, method: str, nsid: str, **kw: Any
    ) -> tuple[Any, Session]:
        """One authenticated XRPC call; an expired access token is refreshed and tried again."""
        service = service_of({"service": channel.base_url})
        identifier = channel.option("identifier") or channel.secret("identifier")
        password = channel.secret("app_password")
        for attempt in (1, 2):
            session = await self.sessions.get(http, service, identifier, password)
            try:
                body = await call(
                    http,
                    method,
                    f"{service}/xrpc/{nsid}",
                    platform="bluesky",
                    reason=xrpc_reason,
                    headers={"Authorization": f"Bearer {session.access}"},
                    **kw,
                )
            except PermanentSendError as exc:
                if exc.code not in ("ExpiredToken", "InvalidToken") or attempt == 2:
                    raise
                self.sessions.expire(service, identifier)
                continue
            return body, session
        raise AssertionError("unreachable")  # pragma: no cover

    async def _refs(
        self, http: httpx.AsyncClient, channel: Channel, uri: str
    ) -> dict[str, dict[str, str]]:
        """The strong refs of the reply: the answered post (parent) and its thread's root."""
        body, _ = await self._xrpc(
            http, channel, "GET", "app.bsky.feed.getPosts", params={"uris": uri}
        )
        posts = body.get("posts") if isinstance(body, dict) else None
        post = posts[0] if isinstance(posts, list) and posts else None
        parent = _ref(post)
        if parent is None or not isinstance(post, dict):
            raise PermanentSendError("post_not_found", f"bluesky: {uri} is not there any more")
        root = _ref((post.get("record") or {}).get("reply", {}).get("root")) or parent
        return {"root": root, "parent": parent}

    async def send(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered:
        """Creates the reply record (not idempotent: each call posts)."""
        refs = await self._refs(http, channel, reply.post_native_id)
        record: dict[str, Any] = {
            "$type": POST_COLLECTION,
            "text": reply.text,
            "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "reply": refs,
        }
        if reply.lang:
            record["langs"] = [reply.lang]
        found = await self._facets(http, channel, reply.text)
        if found:
            record["facets"] = found
        session = await self._session(http, channel)
        body, session = await self._xrpc(
            http,
            channel,
            "POST",
            "com.atproto.repo.createRecord",
            json={"repo": session.did, "collection": POST_COLLECTION, "record": record},
        )
        return self._delivered(str(body["uri"]), session)

    async def _facets(
        self, http: httpx.AsyncClient, channel: Channel, text: str
    ) -> list[dict[str, Any]]:
        """Links, and mentions whose handle resolves to an account (others stay plain text)."""
        out = []
        for span in spans(text):
            did = None
            if span.kind == "mention":
                try:
                    body, _ = await self._xrpc(
                        http,
                        channel,
                        "GET",
                        "com.atproto.identity.resolveHandle",
                        params={"handle": span.value},
                    )
                except PermanentSendError:
                    continue  # no such handle: the text still says it
                did = body.get("did") if isinstance(body, dict) else None
                if not isinstance(did, str):
                    continue
            out.append(facet(span, did))
        return out

    async def _session(self, http: httpx.AsyncClient, channel: Channel) -> Session:
        identifier = channel.option("identifier") or channel.secret("identifier")
        service = service_of({"service": channel.base_url})
        return await self.sessions.get(http, service, identifier, channel.secret("app_password"))

    def _delivered(self, uri: str, session: Session) -> Delivered:
        who = session.handle or session.did
        return Delivered(uri, f"https://bsky.app/profile/{who}/post/{rkey(uri)}")

    async def find(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered | None:
        """Reads the post's direct replies and matches the brand's own (read only)."""
        body, session = await self._xrpc(
            http,
            channel,
            "GET",
            "app.bsky.feed.getPostThread",
            params={"uri": reply.post_native_id, "depth": "1", "parentHeight": "0"},
        )
        thread: Mapping[str, Any] = (body or {}).get("thread") or {}
        for node in thread.get("replies") or []:
            post = (node or {}).get("post") or {}
            mine = (post.get("author") or {}).get("did") == session.did
            if mine and same_text(reply.text, (post.get("record") or {}).get("text")):
                return self._delivered(str(post["uri"]), session)
        return None
