"""Threads (Meta): reply and mention webhooks, and Graph lists of Threads media.

Shapes: https://developers.facebook.com/docs/threads/webhooks (one notification per delivery:
``{"app_id", "topic", "target_id", "time", "values": {"field", "value"}}``; fields
``replies``, ``mentions``, ``publish``, ``delete``; signed ``X-Hub-Signature-256`` with the
app secret, subscribed with ``hub.challenge``) and
https://developers.facebook.com/docs/threads/retrieve-and-manage-replies/replies-and-conversations
(``{"data": [media…], "paging"}``; ``root_post``, ``replied_to``, ``is_reply_owned_by_me``).

Threads: ``thread_id`` is ``root_post.id`` (the top-level post of the reply tree), else the
media itself; ``in_reply_to`` is ``replied_to.id``. The API names authors by ``username``
only (no user id), and leaves it out for private profiles: those replies still need an
answer, so their author is ``private``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from chorus_common.contracts.events import Media, Post, PostKind

from chorus_platforms.kit import fields as fk
from chorus_platforms.kit import polling as fp
from chorus_platforms.kit.fields import ItemProblem, Skip
from chorus_platforms.kit.inbound import (
    NormalizeError,
    NormalizeResult,
    PollRequest,
    RawInput,
)
from chorus_platforms.kit.items import Items, load_json, page_list, require_channel
from chorus_platforms.kit.posts import native_post
from chorus_platforms.kit.times import iso_time
from chorus_platforms.meta.webhooks import MetaConnector

PLATFORM: Final = "threads"
PRIVATE_AUTHOR = "private"
GRAPH_BASE = "https://graph.threads.net/v1.0"
MENTION_FIELDS = (
    "id,text,username,permalink,timestamp,media_type,media_url,gif_url,is_verified,"
    "is_reply,root_post,replied_to"
)
_MEDIA_TYPES = {"IMAGE": "image", "VIDEO": "video", "CAROUSEL_ALBUM": "carousel", "AUDIO": "audio"}


def _ref(value: Any, field: str) -> str | None:
    """The ``id`` of a ``{"id": …}`` reference (``root_post``, ``replied_to``), if any."""
    found = fk.opt_obj(value).get("id")
    return fk.native(found, f"{field}.id") if found is not None else None


def _media(m: Mapping[str, Any]) -> tuple[Media, ...]:
    out: list[Media] = []
    url = fk.opt_str(m.get("media_url"))
    kind = _MEDIA_TYPES.get(str(m.get("media_type")))
    if url and kind and url.startswith("https://"):
        out.append(Media(type=kind, url=url))
    gif = fk.opt_str(m.get("gif_url"))
    if gif and gif.startswith("https://"):
        out.append(Media(type="gif", url=gif))
    return tuple(out)


def media_post(
    m: Mapping[str, Any], channel: str, *, hint: PostKind | None, from_brand: bool
) -> Post:
    """One Threads media object (a reply, a mention, the brand's own post) as a post."""
    native = fk.native(m.get("id"), "id")
    root = _ref(m.get("root_post"), "root_post")
    parent = _ref(m.get("replied_to"), "replied_to")
    kind: PostKind
    if parent is not None:
        kind = "comment" if parent == root else "reply"
    else:
        kind = "post" if from_brand else hint or "post"
    username = fk.optional_name(m.get("username"))
    return native_post(
        PLATFORM,
        channel,
        native,
        kind,
        root or native,
        parent,
        url=fk.opt_str(m.get("permalink")),
        author=fk.author(
            username or PRIVATE_AUTHOR,
            handle=username,
            verified=m.get("is_verified"),
            url=f"https://www.threads.net/@{username}" if username else None,
        ),
        text=fk.clip(fk.text_of(m.get("text"), "text")),
        created_at=iso_time(m.get("timestamp"), "timestamp"),
        media=_media(m),
        from_brand=from_brand,
    )


def _notification(data: Mapping[str, Any], raw: RawInput) -> Post:
    """One webhook notification: ``values.field`` says what ``values.value`` is."""
    values = fk.obj(data.get("values"), "values")
    field = values.get("field")
    value = fk.obj(values.get("value"), "values.value")
    target = fk.as_id(data.get("target_id"))
    if field == "replies":
        root = fk.opt_obj(value.get("root_post"))
        # replies arrive for media the brand owns: the root post's owner is the brand
        channel = fk.as_id(root.get("owner_id")) or raw.channel
        mine = fk.opt_str(root.get("username"))
        own = mine is not None and value.get("username") == mine
        return media_post(value, _need(channel), hint="comment", from_brand=own)
    if field == "mentions":
        return media_post(value, _need(raw.channel or target), hint="mention", from_brand=False)
    if field == "publish":
        return media_post(value, _need(raw.channel or target), hint="post", from_brand=True)
    if field == "delete":
        raise Skip("deleted", "a Threads post was deleted; nothing to answer")
    raise Skip("unsupported_field", f"Threads webhook field {field!r} is not read")


def _need(channel: str | None) -> str:
    if not channel:
        raise ItemProblem("missing_channel", "the notification does not name the account")
    return channel


def _list_item(item: Any, channel: str) -> Post:
    """One media object of a Graph list (replies, conversation, mentions, the brand's posts)."""
    m = fk.obj(item, "item")
    owner = fk.as_id(fk.opt_obj(m.get("owner")).get("id"))
    own = m.get("is_reply_owned_by_me") is True or owner == channel
    return media_post(m, channel, hint="mention", from_brand=own)


def normalize_threads(raw: RawInput) -> NormalizeResult:
    """A webhook notification, a Graph ``{"data": [...]}`` list or one media object."""
    data = load_json(raw)
    if not isinstance(data, dict):
        raise NormalizeError("unrecognized_payload", "expected a Threads webhook or Graph list")
    items = Items()
    if "values" in data:
        native = fk.as_id(fk.opt_obj(fk.opt_obj(data["values"]).get("value")).get("id"))
        items.add("values.value", data, native, _notification, data, raw)
        return items.result
    if "data" in data:
        channel = require_channel(raw)
        for i, item in enumerate(page_list(data, "data")):
            native = fk.as_id(fk.opt_obj(item).get("id"))
            items.add(f"data[{i}]", item, native, _list_item, item, channel)
        return items.result
    if "id" in data and "timestamp" in data:
        items.add("", data, fk.as_id(data.get("id")), _list_item, data, require_channel(raw))
        return items.result
    raise NormalizeError("unrecognized_payload", "expected a Threads webhook or Graph list")


class ThreadsConnector(MetaConnector):
    """Threads adapter: pure normalize; Meta's ``X-Hub-Signature-256`` check and hub handshake."""

    platform: str = PLATFORM

    def normalize(self, raw: RawInput) -> NormalizeResult:
        """Parse a Threads webhook or Graph media list into posts; pure, no side effects."""
        return normalize_threads(raw)

    def poll_request(self, config: Mapping[str, Any], cursor: Mapping[str, Any]) -> PollRequest:
        """``GET /{user-id}/mentions`` newest first, from ``cursor.page`` when sweeping."""
        user = str(config.get("user_id") or fp.require(config, "channel"))
        base = str(config.get("base_url") or GRAPH_BASE).rstrip("/")
        params: dict[str, str | list[str]] = {"fields": MENTION_FIELDS, "limit": "50"}
        if cursor.get("page"):
            params["after"] = str(cursor["page"])
        headers = {"Authorization": f"Bearer {fp.require(config, 'access_token')}"}
        return PollRequest(url=f"{base}/{user}/mentions", params=params, headers=headers)

    def advance(
        self, cursor: Mapping[str, Any], result: NormalizeResult, raw: RawInput
    ) -> dict[str, Any]:
        """Newest first: a sweep follows ``paging.cursors.after`` down to the newest mention of
        the previous sweep; the first poll reads only the newest page."""
        after = fp.next_token(raw, "paging", "cursors", "after") if cursor.get("since") else None
        return fp.newest_first_advance(cursor, result, after)
