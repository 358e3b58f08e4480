"""YouTube Data API v3 comments: `commentThreads.list` / `comments.list` pages and single resources.

Shapes: https://developers.google.com/youtube/v3/docs/commentThreads and
https://developers.google.com/youtube/v3/docs/comments. text: ``snippet.textOriginal`` (else
``textDisplay`` as plain text); thread_id: the video (``snippet.videoId``; the top-level
comment's thread when a comment names no video); in_reply_to: the video for a top-level
comment, ``snippet.parentId`` (the top-level comment) for a reply. The brand channel's own
comments (``authorChannelId.value`` = the channel polled, else the thread's ``channelId``)
are posts with ``from_brand``. YouTube has no comment webhooks: the channel is polled, and
pushes from a Chorus relay are accepted with the relay HMAC (see kit.relay).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from chorus_common.contracts.events import Author, Metrics, Post, PostKind

from chorus_platforms.kit import fields as fk
from chorus_platforms.kit import polling as fp
from chorus_platforms.kit.html import html_to_text, looks_like_html
from chorus_platforms.kit.inbound import NormalizeError, NormalizeResult, PollRequest, RawInput
from chorus_platforms.kit.items import collect, load_json, page_list
from chorus_platforms.kit.posts import native_post
from chorus_platforms.kit.relay import RelayPushed
from chorus_platforms.kit.times import iso_time

PLATFORM = "youtube"
API_BASE = "https://www.googleapis.com/youtube/v3"


class YouTubeConnector(RelayPushed):
    """Pure adapter for YouTube comment threads and comments; idempotent by comment id."""

    platform = PLATFORM

    def normalize(self, raw: RawInput) -> NormalizeResult:
        data = load_json(raw)
        if not isinstance(data, dict):
            raise NormalizeError(
                "invalid_shape", "expected a YouTube API resource or list response"
            )
        kind = data.get("kind")
        if "items" in data:
            items = page_list(data, "items")
            return collect(((it, _builder(it, raw.channel)) for it in items), native_id=_id)
        if kind in ("youtube#commentThread", "youtube#comment"):
            return collect([(data, _builder(data, raw.channel))], native_id=_id)
        raise NormalizeError(
            "invalid_shape", "expected items[] or a youtube#comment(Thread)", "kind"
        )

    def poll_request(self, config: Mapping[str, Any], cursor: Mapping[str, Any]) -> PollRequest:
        """``commentThreads.list`` newest first for ``video_id`` or ``channel_id``, with ``api_key``."""
        params = {
            "part": "snippet,replies",
            "maxResults": "100",
            "order": "time",
            "textFormat": "plainText",
            "key": fp.require(config, "api_key"),
        }
        if config.get("video_id"):
            params["videoId"] = str(config["video_id"])
        else:
            params["allThreadsRelatedToChannelId"] = fp.require(config, "channel_id")
        if cursor.get("page"):
            params["pageToken"] = str(cursor["page"])
        base = str(config.get("base_url") or API_BASE).rstrip("/")
        return PollRequest(
            url=f"{base}/commentThreads", params=params, headers={"Accept": "application/json"}
        )

    def advance(
        self, cursor: Mapping[str, Any], result: NormalizeResult, raw: RawInput
    ) -> dict[str, Any]:
        return fp.newest_first_advance(cursor, result, fp.next_token(raw, "nextPageToken"))


@dataclass(frozen=True)
class _Where:
    """Where a comment sits: the ingest channel, the brand's YouTube channel id, the video and
    the top-level comment's thread (both None for a lone ``youtube#comment``)."""

    channel: str | None
    brand: str | None
    video: str | None = None
    thread: str | None = None


def _builder(item: Any, channel: str | None) -> Any:
    def build() -> list[Post]:
        it = fk.obj(item, "item")
        snippet = fk.opt_obj(it.get("snippet"))
        if it.get("kind") == "youtube#comment" or "topLevelComment" not in snippet:
            brand = channel or fk.opt_str(snippet.get("channelId"))
            return [_comment(it, _Where(channel, brand), replies=0)]
        return _thread(it, channel)

    return build


def _thread(thread: Mapping[str, Any], channel: str | None) -> list[Post]:
    snippet = fk.obj(thread.get("snippet"), "snippet")
    top = fk.obj(snippet.get("topLevelComment"), "snippet.topLevelComment")
    thread_id = fk.native(thread.get("id") or top.get("id"), "id")
    video = fk.opt_str(snippet.get("videoId"))
    # the channel the thread belongs to (the video's owner): the brand when polled by channel
    brand = channel or fk.opt_str(snippet.get("channelId"))
    where = _Where(
        channel or video or fk.opt_str(snippet.get("channelId")), brand, video, thread_id
    )
    posts = [_comment(top, where, replies=snippet.get("totalReplyCount"))]
    replies = fk.opt_obj(thread.get("replies")).get("comments") or []
    if not isinstance(replies, list):
        raise fk.ItemProblem("invalid_field", "replies.comments must be a list", "replies.comments")
    posts.extend(_comment(fk.obj(r, "replies.comments[]"), where, 0) for r in replies)
    return posts


def _place(
    snippet: Mapping[str, Any], comment_id: str, where: _Where
) -> tuple[PostKind, str, str | None]:
    """Kind, thread and parent: the video is the root post and a top-level comment's parent;
    a reply's parent is its top-level comment (``snippet.parentId``)."""
    parent = fk.opt_str(snippet.get("parentId"))
    if parent is not None:
        parent = fk.native(parent, "snippet.parentId")
    video = fk.opt_str(snippet.get("videoId")) or where.video
    is_reply = parent is not None and parent != comment_id
    top = parent if is_reply and parent else comment_id
    thread = video or where.thread or top
    if is_reply:
        return "reply", thread, parent
    return "comment", thread, video


def _comment(c: Mapping[str, Any], where: _Where, replies: Any) -> Post:
    snippet = fk.obj(c.get("snippet"), "snippet")
    comment_id = fk.native(c.get("id"), "id")
    kind, thread, parent = _place(snippet, comment_id, where)
    video = fk.opt_str(snippet.get("videoId")) or where.video
    author_channel = fk.opt_str(fk.opt_obj(snippet.get("authorChannelId")).get("value"))
    display = fk.opt_str(snippet.get("authorDisplayName"))
    return native_post(
        "youtube",
        where.channel or video or fk.opt_str(snippet.get("channelId")) or "youtube",
        comment_id,
        kind,
        thread,
        parent,
        url=_url(video, comment_id),
        author=Author(
            id=author_channel or display or "unknown",
            handle=display if display and display.startswith("@") else None,
            display_name=display,
            url=fk.opt_str(snippet.get("authorChannelUrl")),
        ),
        text=fk.clip(_text(snippet)),
        created_at=iso_time(snippet.get("publishedAt"), "snippet.publishedAt"),
        metrics=Metrics(likes=fk.count(snippet.get("likeCount")), replies=fk.count(replies)),
        from_brand=author_channel is not None and author_channel == where.brand,
    )


def _text(snippet: Mapping[str, Any]) -> str:
    original = snippet.get("textOriginal")
    if isinstance(original, str):
        return original  # the raw text as posted: kept exactly
    display = fk.text_of(snippet.get("textDisplay"), "snippet.textDisplay")
    # textDisplay is HTML unless the request asked for textFormat=plainText.
    return html_to_text(display) if looks_like_html(display) else display


def _url(video: str | None, comment_id: str) -> str | None:
    if not video:
        return None
    return (
        f"https://www.youtube.com/watch?v={quote(video, safe='')}&lc={quote(comment_id, safe='')}"
    )


def _id(item: Any) -> str | None:
    value = fk.opt_obj(item).get("id")
    return value if isinstance(value, str) else None
