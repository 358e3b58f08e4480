"""Instagram: ``object: instagram`` webhooks (``comments``, ``live_comments``, ``mentions``,
direct messages) and Graph API IG comment objects.

Shapes: https://developers.facebook.com/docs/instagram-platform/webhooks/examples (comment
value ``id``, ``text``, ``from`` {id, username}, ``media`` {id, media_product_type},
``parent_id``; the notification carries no creation time, so ``entry.time`` is used),
https://developers.facebook.com/docs/graph-api/webhooks/reference/instagram (``mentions``:
``media_id``, ``comment_id`` only), and
https://developers.facebook.com/docs/instagram-platform/reference/ig-comment (``id``,
``text``, ``timestamp``, ``username``, ``from``, ``like_count``, ``parent_id``, ``media``,
``replies``). Thread: the IG media id.

A ``mentions`` notification carries ids only (no text, no author): it becomes an
``ItemError`` with code ``content_not_included`` so it is kept (dead-letter copy) rather than
invented; fetch ``GET /{ig-user-id}?fields=mentioned_comment.comment_id(…)`` to read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from chorus_common.contracts.events import Metrics, Post

from chorus_platforms.kit.fields import (
    ItemProblem,
    as_dict,
    as_id,
    as_int,
    as_list,
    author,
    opt_str,
    optional_name,
    require_id,
    require_text,
)
from chorus_platforms.kit.inbound import (
    HandshakeResponse,
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

_COMMENT_FIELDS = frozenset({"comments", "live_comments"})


def _profile_url(username: str | None) -> str | None:
    return f"https://www.instagram.com/{username}/" if username and "/" not in username else None


def _comment(
    account: str,
    comment: dict[str, Any],
    *,
    media_id: str | None,
    parent: str | None,
    created_at: datetime,
) -> Post | None:
    native = require_id(comment.get("id"), "id")
    sender = as_dict(comment.get("from"))
    username = optional_name(sender.get("username")) or optional_name(comment.get("username"))
    sender_id = as_id(sender.get("id")) or username
    if sender_id is None:
        raise ItemProblem("missing_author", "from.id or username is required", "from", native)
    if sender_id == account:
        return None  # the brand's own comment or reply
    if media_id is None:
        raise ItemProblem("unknown_thread", "media.id is required (fields=media)", "media", native)
    return Post(
        id=Post.make_id("instagram", native),
        platform="instagram",
        channel=account,
        kind="reply" if parent else "comment",
        native_id=native,
        thread_id=Post.make_id("instagram", media_id),
        in_reply_to=Post.make_id("instagram", parent or media_id),
        author=author(sender_id, handle=username, url=_profile_url(username)),
        text=require_text(comment.get("text"), "text", allow_missing=True),
        created_at=created_at,
        metrics=Metrics(likes=as_int(comment.get("like_count")) or 0),
    )


def webhook_comment(account: str, value: Any, entry_time: Any) -> Post | None:
    """A ``comments``/``live_comments`` change value."""
    value = as_dict(value)
    return _comment(
        account,
        value,
        media_id=as_id(as_dict(value.get("media")).get("id")),
        parent=as_id(value.get("parent_id")),
        created_at=epoch_time(entry_time, "entry.time"),
    )


def _mention(value: Any) -> Post | None:
    value = as_dict(value)
    native = as_id(value.get("comment_id")) or as_id(value.get("media_id"))
    raise ItemProblem(
        "content_not_included",
        "Instagram mention notifications carry ids only; fetch mentioned_comment/media",
        None,
        native,
    )


def graph_comment(account: str, comment: Any) -> Post | None:
    """One IG comment object (``GET /{ig-media-id}/comments``)."""
    comment = as_dict(comment)
    require_id(comment.get("id"), "id")
    return _comment(
        account,
        comment,
        media_id=as_id(as_dict(comment.get("media")).get("id")),
        parent=as_id(comment.get("parent_id")),
        created_at=iso_time(comment.get("timestamp"), "timestamp"),
    )


def _instagram_entry(items: Items, entry: Entry) -> None:
    for j, change in enumerate(as_list(entry.raw.get("changes"))):
        change_d = as_dict(change)
        field, value = opt_str(change_d.get("field")), change_d.get("value")
        path = f"{entry.path}.changes[{j}].value"
        guess = as_id(as_dict(value).get("id"))
        if field in _COMMENT_FIELDS:
            items.add(path, change, guess, webhook_comment, entry.account_id, value, entry.time)
        elif field == "mentions":
            items.add(path, change, None, _mention, value)
    messaging_events(items, "instagram", entry)


def _graph(items: Items, account: str, comments: list[Any]) -> None:
    """Comments and their ``replies.data[]`` (IG has one level of replies), one item each."""
    for i, comment in enumerate(comments):
        parent = as_dict(comment)
        own = as_id(parent.get("id"))
        items.add(f"data[{i}]", comment, own, graph_comment, account, comment)
        if own is None:
            continue
        for k, reply in enumerate(as_list(as_dict(parent.get("replies")).get("data"))):
            merged = {"media": parent.get("media"), "parent_id": own, **as_dict(reply)}
            guess = as_id(as_dict(reply).get("id"))
            path = f"data[{i}].replies.data[{k}]"
            items.add(path, reply, guess, graph_comment, account, merged)


def normalize_instagram(raw: RawInput) -> NormalizeResult:
    """An Instagram webhook envelope, a Graph ``{"data": [...]}`` page, or one comment."""
    data = load_json(raw)
    items = Items()
    if isinstance(data, dict) and "object" in data:
        for entry in entries(items, meta_envelope(data, ("instagram",))):
            _instagram_entry(items, entry)
        return items.result
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        comments: list[Any] = data["data"]
    elif isinstance(data, dict) and "id" in data and "timestamp" in data:
        comments = [data]
    else:
        raise NormalizeError("unrecognized_payload", "expected an Instagram webhook or IG comments")
    _graph(items, require_channel(raw), comments)
    return items.result


class InstagramConnector:
    """Instagram adapter: pure normalize, ``X-Hub-Signature-256`` check, hub handshake."""

    platform: str = "instagram"

    def normalize(self, raw: RawInput) -> NormalizeResult:
        """Parse an Instagram webhook or IG comment page into posts; pure."""
        return normalize_instagram(raw)

    def verify(self, raw: RawInput, secrets: Mapping[str, str], now: datetime) -> None:
        """HMAC-SHA256 of the raw body with ``app_secret``; raises ``SignatureError``."""
        verify_meta_signature(raw, secrets)

    def handshake(
        self, query: Mapping[str, str], secrets: Mapping[str, str]
    ) -> HandshakeResponse | None:
        """Echo ``hub.challenge`` when ``hub.verify_token`` equals ``verify_token``."""
        return meta_handshake(query, secrets)
