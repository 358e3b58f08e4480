"""TikTok comments on the brand's videos: TikTok API for Business (TikTok accounts).

Read from ``GET /business/comment/list/`` and ``/business/comment/reply/list/`` pages
(``{"code", "message", "request_id", "data": {"comments", "cursor", "has_more"}}``; a
comment's ``reply_list`` when asked with ``include_replies``) and from ``comment.update``
webhooks (see ``webhook``). A comment the business account wrote (``owner``) is the brand's
own post. Ids: a comment's native id is ``<video_id>:<comment_id>`` so a reply can always be
sent (the reply call needs both); the thread is the video.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

import orjson
from chorus_common.contracts.events import Author, Metrics, Post, PostKind

from chorus_platforms.kit import fields as fk
from chorus_platforms.kit import polling as fp
from chorus_platforms.kit.inbound import (
    NoHandshake,
    NormalizeError,
    NormalizeResult,
    PollRequest,
    RawInput,
)
from chorus_platforms.kit.items import Items, load_json, require_channel
from chorus_platforms.kit.posts import native_post
from chorus_platforms.kit.times import epoch_time
from chorus_platforms.tiktok import webhook

PLATFORM: Final = "tiktok"
API_BASE = "https://business-api.tiktok.com/open_api/v1.3"


# The callback URL is confirmed in the developer portal, not by a challenge.
class TikTokConnector(NoHandshake):
    """Pure adapter for TikTok business comments; idempotent by ``<video_id>:<comment_id>``."""

    platform = PLATFORM

    def normalize(self, raw: RawInput) -> NormalizeResult:
        doc = load_json(raw)
        if not isinstance(doc, dict):
            raise NormalizeError("invalid_shape", "expected a TikTok response or webhook event")
        items = Items(lenient=True)
        if "event" in doc and "content" in doc:
            business = require_channel(raw, doc.get("user_openid"))
            items.add("", doc, None, _from_event, doc, business)
            return items.result
        if doc.get("code") not in (0, None):
            message = str(doc.get("message"))[:200]
            raise NormalizeError("platform_error", f"TikTok answered {doc['code']}: {message}")
        data = doc.get("data")
        comments = fk.as_dict(data).get("comments")
        if not isinstance(data, dict) or not isinstance(comments, list):
            raise NormalizeError("invalid_shape", "expected data.comments[]", "data.comments")
        business = require_channel(raw)
        for index, comment in enumerate(comments):
            path = f"data.comments[{index}]"
            items.add(path, comment, _id(comment), _comment, comment, business)
            replies = fk.as_list(fk.opt_obj(comment).get("reply_list"))
            for n, reply in enumerate(replies):
                parent = fk.opt_obj(comment).get("comment_id")
                items.add(
                    f"{path}.reply_list[{n}]", reply, _id(reply), _reply, reply, parent, business
                )
        return items.result

    def verify(self, raw: RawInput, secrets: Mapping[str, str], now: datetime) -> None:
        """``TikTok-Signature`` with the app's ``client_secret`` (see ``webhook``)."""
        webhook.verify(raw, secrets, now)

    def poll_request(self, config: Mapping[str, Any], cursor: Mapping[str, Any]) -> PollRequest:
        """``GET /business/comment/list/`` of one video, newest first with replies; config:
        ``video_id``, ``business_id`` (else the channel), ``access_token``."""
        params = {
            "business_id": str(config.get("business_id") or fp.require(config, "channel")),
            "video_id": fp.require(config, "video_id"),
            "include_replies": "true",
            "status": "ALL",
            "sort_field": "create_time",
            "sort_order": "desc",
            "max_count": "30",
        }
        if cursor.get("page"):
            params["cursor"] = str(cursor["page"])
        base = str(config.get("base_url") or API_BASE).rstrip("/")
        headers = {"Access-Token": fp.require(config, "access_token")}
        return PollRequest(url=f"{base}/business/comment/list/", params=params, headers=headers)

    def advance(
        self, cursor: Mapping[str, Any], result: NormalizeResult, raw: RawInput
    ) -> dict[str, Any]:
        """Follow ``data.cursor`` while ``has_more``, until a comment older than ``since``."""
        return fp.newest_first_advance(cursor, result, _next_page(raw))


def _comment(comment: Any, business: str) -> Post:
    c = fk.obj(comment, "comment")
    parent = fk.as_id(c.get("parent_comment_id"))
    return _post(c, business, parent if parent not in (None, "0") else None)


def _reply(reply: Any, parent: Any, business: str) -> Post:
    r = fk.obj(reply, "reply")
    return _post(r, business, fk.as_id(r.get("parent_comment_id")) or fk.as_id(parent))


def _from_event(event: Mapping[str, Any], business: str) -> Post:
    c = webhook.comment_event(event)
    parent = fk.as_id(c.get("parent_comment_id"))
    return _post(c, business, parent if parent not in (None, "0") else None)


def _post(c: Mapping[str, Any], business: str, parent: str | None) -> Post:
    video = fk.native(c.get("video_id"), "video_id")
    comment = fk.native(c.get("comment_id"), "comment_id")
    native = f"{video}:{comment}"
    kind: PostKind = "reply" if parent else "comment"
    username = fk.optional_name(c.get("username"))
    user = fk.as_id(c.get("user_id")) or username
    owner = c.get("owner") is True
    return native_post(
        PLATFORM,
        business,
        native,
        kind,
        video,
        # A top-level comment's parent is the video; a reply's, the comment it answers.
        f"{video}:{parent}" if parent else video,
        author=Author(
            id=business if owner else user or f"unknown:{comment}",
            handle=username,
            url=f"https://www.tiktok.com/@{username}" if username else None,
        ),
        text=fk.clip(fk.require_text(c.get("text"), "text")),
        created_at=epoch_time(c.get("create_time"), "create_time"),
        metrics=Metrics(likes=fk.count(c.get("likes")), replies=fk.count(c.get("replies"))),
        from_brand=owner,
    )


def _id(comment: Any) -> str | None:
    c = fk.opt_obj(comment)
    video, comment_id = fk.as_id(c.get("video_id")), fk.as_id(c.get("comment_id"))
    return f"{video}:{comment_id}" if video and comment_id else comment_id


def _next_page(raw: RawInput) -> str | None:
    try:
        data = fk.as_dict(fk.as_dict(orjson.loads(raw.body)).get("data"))
    except orjson.JSONDecodeError:
        return None
    cursor = data.get("cursor")
    if data.get("has_more") is not True or isinstance(cursor, bool):
        return None
    return str(cursor) if isinstance(cursor, int | str) and str(cursor) else None
