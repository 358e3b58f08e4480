"""Facebook Pages: ``object: page`` webhooks (feed posts, comments, replies; Messenger) and
Graph API comment lists.

Shapes: https://developers.facebook.com/docs/graph-api/webhooks/reference/page (``feed``:
``item``, ``verb``, ``post_id``, ``comment_id``, ``parent_id``, ``from``, ``message``,
``created_time``), https://developers.facebook.com/docs/graph-api/reference/object/comments
(``data`` + ``paging``; comment ``id``, ``message``, ``created_time``, ``from``, ``parent``).

Thread: the page post id (``post_id``, ``{page_id}_{post}``). A Graph comment id is
``{post}_{comment}``, so its post id is ``{channel}_{post}``. Messenger events found in the
same envelope (Meta sends both to the one Page callback URL) become ``messenger`` posts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from chorus_common.contracts.events import Media, Metrics, Post

from chorus_platforms.kit.fields import (
    ItemProblem,
    as_dict,
    as_id,
    as_int,
    as_list,
    author,
    opt_str,
    require_id,
    require_text,
)
from chorus_platforms.kit.inbound import (
    HandshakeResponse,
    Marked,
    Marker,
    NormalizeError,
    NormalizeResult,
    RawInput,
)
from chorus_platforms.kit.items import Items, load_json, require_channel
from chorus_platforms.kit.times import epoch_time, iso_time
from chorus_platforms.meta.webhooks import (
    Entry,
    entries,
    messaging_events,
    meta_envelope,
    meta_handshake,
    verify_meta_signature,
)

_POST_ITEMS = frozenset({"post", "status", "photo", "video", "share"})
_ADD_VERBS = frozenset({"add", "edited", "edit"})


def _http_url(value: Any) -> str | None:
    url = opt_str(value)
    return url if url and url.startswith(("https://", "http://")) else None


def _feed_time(value: dict[str, Any], entry_time: Any) -> datetime:
    created = value.get("created_time")
    if isinstance(created, str) and not created.isdigit():
        return iso_time(created, "created_time")
    if created is not None:
        return epoch_time(created, "created_time", unit="s")
    return epoch_time(entry_time, "entry.time")


def _feed_media(value: dict[str, Any]) -> tuple[Media, ...]:
    urls = [value.get("photo"), *as_list(value.get("photos"))]
    photos = [Media(type="photo", url=u) for u in map(_http_url, urls) if u]
    video = _http_url(value.get("video"))
    return (*photos, *([Media(type="video", url=video)] if video else []))


def _change_marker(entry_time: Any, created: datetime) -> Marker:
    """When Meta recorded the change (``entry.time``; else the item's ``created_time``)."""
    if entry_time is None:
        return Marker.at(created)
    return Marker.at(epoch_time(entry_time, "entry.time"))


def feed_post(page_id: str, value: Any, entry_time: Any) -> Marked | None:
    """One ``feed`` change: a visitor post, a comment or a reply (``add``/``edited`` only);
    its edit marker is the time of the change (``entry.time``)."""
    value = as_dict(value)
    item, verb = opt_str(value.get("item")), opt_str(value.get("verb"))
    if verb not in _ADD_VERBS or (item != "comment" and item not in _POST_ITEMS):
        return None  # reactions, likes, removals, hides: not posts
    post_id = require_id(value.get("post_id"), "post_id")
    native = require_id(value.get("comment_id"), "comment_id") if item == "comment" else post_id
    sender = as_dict(value.get("from"))
    sender_id = as_id(sender.get("id"))
    if sender_id is None:
        raise ItemProblem("missing_author", "from.id is required", "from.id", native)
    if sender_id == page_id:
        return None  # the page's own post or reply
    parent = as_id(value.get("parent_id"))
    kind: Any = "post"
    in_reply_to = None
    if item == "comment":
        kind = "reply" if parent and parent != post_id else "comment"
        in_reply_to = Post.make_id("facebook", parent or post_id)
    created = _feed_time(value, entry_time)
    post = Post(
        id=Post.make_id("facebook", native),
        platform="facebook",
        channel=page_id,
        kind=kind,
        native_id=native,
        url=_http_url(as_dict(value.get("post")).get("permalink_url"))
        if item != "comment"
        else None,
        thread_id=Post.make_id("facebook", post_id),
        in_reply_to=in_reply_to,
        author=author(sender_id, display_name=sender.get("name")),
        text=require_text(value.get("message"), "message", allow_missing=True),
        created_at=created,
        media=_feed_media(value),
    )
    return Marked(post, _change_marker(entry_time, created))


def graph_comment(page_id: str, comment: Any) -> Marked | None:
    """A Graph API comment object (``GET /{post-id}/comments``) on the page's post; its edit
    marker is ``updated_time`` when the object has one (else the content hash orders)."""
    comment = as_dict(comment)
    native = require_id(comment.get("id"), "id")
    post_part, sep, _ = native.partition("_")
    if not sep:
        raise ItemProblem("unknown_thread", "comment id has no post part", "id", native)
    sender = as_dict(comment.get("from"))
    sender_id = as_id(sender.get("id"))
    if sender_id is None:
        raise ItemProblem("missing_author", "from.id is required (fields=from)", "from.id", native)
    if sender_id == page_id:
        return None
    post_id = f"{page_id}_{post_part}"
    parent = as_id(as_dict(comment.get("parent")).get("id"))
    attachment = as_dict(comment.get("attachment"))
    image = _http_url(as_dict(as_dict(attachment.get("media")).get("image")).get("src"))
    updated = comment.get("updated_time")
    marker = Marker.at(iso_time(updated, "updated_time")) if updated is not None else None
    post = Post(
        id=Post.make_id("facebook", native),
        platform="facebook",
        channel=page_id,
        kind="reply" if parent else "comment",
        native_id=native,
        url=_http_url(comment.get("permalink_url")),
        thread_id=Post.make_id("facebook", post_id),
        in_reply_to=Post.make_id("facebook", parent or post_id),
        author=author(sender_id, display_name=sender.get("name")),
        text=require_text(comment.get("message"), "message", allow_missing=True),
        created_at=iso_time(comment.get("created_time"), "created_time"),
        metrics=Metrics(
            likes=as_int(comment.get("like_count")) or 0,
            replies=as_int(comment.get("comment_count")) or 0,
        ),
        media=(Media(type="photo", url=image),) if image else (),
    )
    return Marked(post, marker)


def _page_entry(items: Items, entry: Entry) -> None:
    for j, change in enumerate(as_list(entry.raw.get("changes"))):
        change_d = as_dict(change)
        if change_d.get("field") != "feed":
            continue
        value = change_d.get("value")
        guess = as_id(as_dict(value).get("comment_id")) or as_id(as_dict(value).get("post_id"))
        path = f"{entry.path}.changes[{j}].value"
        items.add(path, change, guess, feed_post, entry.account_id, value, entry.time)
    messaging_events(items, "messenger", entry)


def normalize_page_payload(raw: RawInput) -> NormalizeResult:
    """A Page webhook envelope, a Graph ``{"data": [...]}`` comment page, or one comment."""
    data = load_json(raw)
    items = Items()
    if isinstance(data, dict) and "object" in data:
        for entry in entries(items, meta_envelope(data, ("page",))):
            _page_entry(items, entry)
        return items.result
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        comments: list[Any] = data["data"]
    elif isinstance(data, dict) and "id" in data and "created_time" in data:
        comments = [data]
    else:
        raise NormalizeError("unrecognized_payload", "expected a Page webhook or Graph comments")
    channel = require_channel(raw)
    for i, comment in enumerate(comments):
        guess = as_id(as_dict(comment).get("id"))
        items.add(f"data[{i}]", comment, guess, graph_comment, channel, comment)
    return items.result


class FacebookConnector:
    """Facebook Pages adapter: pure normalize, ``X-Hub-Signature-256`` check, hub handshake."""

    platform: str = "facebook"

    def normalize(self, raw: RawInput) -> NormalizeResult:
        """Parse a Page webhook or Graph comment page into posts; pure, no side effects."""
        return normalize_page_payload(raw)

    def verify(self, raw: RawInput, secrets: Mapping[str, str], now: datetime) -> None:
        """HMAC-SHA256 of the raw body with ``app_secret``; raises ``SignatureError``."""
        verify_meta_signature(raw, secrets)

    def handshake(
        self, query: Mapping[str, str], secrets: Mapping[str, str]
    ) -> HandshakeResponse | None:
        """Echo ``hub.challenge`` when ``hub.verify_token`` equals ``verify_token``."""
        return meta_handshake(query, secrets)
