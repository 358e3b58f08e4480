"""Bluesky (AT Protocol): notifications polled with a cursor, and the post views Chorus fetches.

Shapes: ``app.bsky.notification.listNotifications`` (``{"notifications": [{uri, cid, author,
reason, reasonSubject, record, isRead, indexedAt}], "cursor"}``), ``app.bsky.feed.getPostThread``
(``{"thread": threadViewPost}`` with ``parent`` and ``replies``) and ``app.bsky.feed.getPosts``
(``{"posts": [postView]}``): https://docs.bsky.app/docs/api/app-bsky-notification-list-notifications.

``mention``, ``reply`` and ``quote`` notifications carry the post that names or answers the
brand; every other reason (``like``, ``repost``, ``follow``, …) is skipped with that reason.
Polling asks the account's PDS with the session of its app password (``session.py``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

import httpx
import orjson
from chorus_common.contracts.events import PostKind

from chorus_platforms.bluesky.records import Brand, build_post, view_post
from chorus_platforms.bluesky.session import Sessions, service_of
from chorus_platforms.kit import fields as fk
from chorus_platforms.kit import polling as fp
from chorus_platforms.kit.fields import ItemProblem, Skip
from chorus_platforms.kit.inbound import (
    NoHandshake,
    NormalizeError,
    NormalizeResult,
    PollRequest,
    RawInput,
)
from chorus_platforms.kit.items import Items, load_json, page_list, require_channel
from chorus_platforms.kit.times import iso_time

PLATFORM = "bluesky"
ANSWERED: dict[str, PostKind] = {"mention": "mention", "reply": "comment", "quote": "mention"}
_SKIPS = {
    "like": ("reaction", "a like of the brand's post"),
    "repost": ("repost", "a repost of the brand's post, without words of its own"),
    "follow": ("follow", "a new follower"),
}
_BLOCKED = ("app.bsky.feed.defs#notFoundPost", "app.bsky.feed.defs#blockedPost")
_MAX_DEPTH = 100


def notification_post(item: Any, brand: Brand) -> Any:
    """A ``mention``, ``reply`` or ``quote`` notification as the post it is about."""
    n = fk.obj(item, "notification")
    reason = n.get("reason")
    if not isinstance(reason, str) or reason not in ANSWERED:
        code, why = _SKIPS.get(str(reason), ("unsupported_reason", f"a {reason!r} notification"))
        raise Skip(code, why)
    return build_post(
        uri=n.get("uri"),
        author=n.get("author"),
        record=n.get("record"),
        brand=brand,
        hint=ANSWERED[reason],
        indexed_at=n.get("indexedAt"),
    )


def thread_views(node: Any, depth: int = 0) -> Iterator[tuple[str, Any]]:
    """Every node of a thread view, ancestors first, as (path, node)."""
    view = fk.opt_obj(node)
    if depth > _MAX_DEPTH:
        return
    parent = view.get("parent")
    if isinstance(parent, dict) and depth == 0:
        chain: list[Any] = []
        while isinstance(parent, dict) and len(chain) < _MAX_DEPTH:
            chain.append(parent)
            parent = parent.get("parent")
        for k, ancestor in enumerate(reversed(chain)):
            yield f"thread.parent[{k}]", ancestor
    yield "thread", node
    for i, reply in enumerate(fk.as_list(view.get("replies"))):
        for path, sub in thread_views(reply, depth + 1):
            yield f"replies[{i}].{path}", sub


def thread_node_post(node: Any, brand: Brand) -> Any:
    view = fk.obj(node, "thread")
    if view.get("$type") in _BLOCKED or view.get("notFound") is True:
        raise Skip("unavailable", "a post of the thread is deleted or blocked")
    return view_post(view.get("post"), brand)


def _native(node: Any, *path: str) -> str | None:
    for key in path:
        node = fk.opt_obj(node).get(key)
    return fk.as_id(node)


def normalize_bluesky(raw: RawInput) -> NormalizeResult:
    """A notifications page, a post thread or a list of post views."""
    data = load_json(raw)
    if not isinstance(data, dict):
        raise NormalizeError("unrecognized_payload", "expected a Bluesky XRPC response")
    brand = Brand(require_channel(raw))
    items = Items()
    if "notifications" in data:
        for i, n in enumerate(page_list(data, "notifications")):
            items.add(f"notifications[{i}]", n, _native(n, "uri"), notification_post, n, brand)
    elif "thread" in data:
        for path, node in thread_views(data["thread"]):
            items.add(path, node, _native(node, "post", "uri"), thread_node_post, node, brand)
    elif "posts" in data:
        for i, view in enumerate(page_list(data, "posts")):
            items.add(f"posts[{i}]", view, _native(view, "uri"), view_post, view, brand)
    else:
        raise NormalizeError("unrecognized_payload", "expected notifications, a thread or posts")
    return items.result


def _indexed_times(raw: RawInput) -> list[datetime]:
    """When each notification of the page was indexed (the order the API lists them in)."""
    try:
        data = orjson.loads(raw.body)
    except orjson.JSONDecodeError:
        return []
    times = []
    for n in fk.as_list(fk.opt_obj(data).get("notifications")):
        try:
            times.append(iso_time(fk.opt_obj(n).get("indexedAt"), "indexedAt"))
        except ItemProblem:
            continue
    return times


class BlueskyConnector(NoHandshake):
    """Bluesky adapter: pure normalize; polls notifications newest first with a cursor."""

    platform: str = PLATFORM

    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions

    def normalize(self, raw: RawInput) -> NormalizeResult:
        """Parse notifications, a post thread or post views into posts; pure."""
        return normalize_bluesky(raw)

    def verify(self, raw: RawInput, secrets: Mapping[str, str], now: datetime) -> None:
        """Bluesky has no webhooks: nothing arrives unsigned, there is nothing to check."""

    def poll_request(self, config: Mapping[str, Any], cursor: Mapping[str, Any]) -> PollRequest:
        """``listNotifications`` for the answerable reasons, from ``cursor.page`` when sweeping."""
        url = f"{service_of(config)}/xrpc/app.bsky.notification.listNotifications"
        params: dict[str, str | list[str]] = {"reasons": list(ANSWERED), "limit": "50"}
        if cursor.get("page"):
            params["cursor"] = str(cursor["page"])
        return PollRequest(url=url, params=params, headers={"Accept": "application/json"})

    async def authorize(self, config: Mapping[str, Any], http: httpx.AsyncClient) -> dict[str, str]:
        """The ``Authorization`` of the channel's session (created or refreshed as needed)."""
        session = await self.sessions.get(
            http,
            service_of(config),
            fp.require(config, "identifier"),
            fp.require(config, "app_password"),
        )
        return {"Authorization": f"Bearer {session.access}"}

    def refused(self, config: Mapping[str, Any]) -> None:
        """An expired or revoked session: renew it before the next poll."""
        identifier = config.get("identifier")
        if identifier:
            self.sessions.expire(service_of(config), str(identifier))

    def advance(
        self, cursor: Mapping[str, Any], result: NormalizeResult, raw: RawInput
    ) -> dict[str, Any]:
        """Newest first: a sweep follows ``cursor`` down to the last notification seen; the
        first poll reads only the newest page (no backfill of the account's history)."""
        times = _indexed_times(raw)
        next_page = fp.next_token(raw, "cursor") if cursor.get("since") else None
        return fp.newest_first_advance(cursor, result, next_page, order_times=times)
