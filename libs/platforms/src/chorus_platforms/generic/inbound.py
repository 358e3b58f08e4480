"""The generic JSON shape for internal systems: one post, ``{"posts": [...]}``, or a JSON list.

Shape of one item (``native_id`` may be given as ``id``)::

    {"id": "crm-42", "channel": "crm", "text": "…", "created_at": "2026-01-01T10:00:00Z",
     "author": {"id": "u1", "handle": "jane", "followers": 10},
     "kind": "comment", "platform": "generic", "thread_id": "crm-40", "in_reply_to": "crm-41",
     "url": "…", "lang": "fr", "rating": 4, "metrics": {"likes": 1}, "media": [{"type": "image",
     "url": "…"}], "edited_at": "2026-01-01T10:05:00Z"}

``from_brand`` (optional, default false): the item was written by the brand's own account
(brand activity: it never opens a case, a reply answers its conversation's case).

``edited_at`` (optional) is when the source system last changed the item: its edit marker,
so an older version delivered later never replaces a newer one. Without it the content hash
orders versions: content seen before is a duplicate.

Webhook deliveries are signed with the Chorus relay scheme: ``X-Chorus-Timestamp`` (Unix
seconds) and ``X-Chorus-Signature: sha256=<hex HMAC-SHA256(signing_secret, "<ts>." + body)>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from chorus_common.contracts.events import PLATFORMS, Post

from chorus_platforms.kit import signatures
from chorus_platforms.kit.fields import ItemProblem
from chorus_platforms.kit.inbound import (
    ItemError,
    Marked,
    Marker,
    NoHandshake,
    NormalizeError,
    NormalizeResult,
    RawInput,
)
from chorus_platforms.kit.items import Items, load_json

MAX_ITEMS = 10_000
SECRET_NAME = "signing_secret"
_ITEM_FIELDS = frozenset(
    {
        "id", "native_id", "platform", "channel", "kind", "url", "thread_id", "in_reply_to",
        "author", "text", "lang", "created_at", "rating", "metrics", "media", "received_at",
        "edited_at", "from_brand",
    }
)  # fmt: skip


def load_items(body: bytes) -> list[Any]:
    """Split a body into raw items; raises NormalizeError naming what is wrong."""
    data = load_json(RawInput(body=body), "body")
    if isinstance(data, list):
        items = data
    elif isinstance(data, dict) and "posts" in data:
        items = data["posts"]
        if not isinstance(items, list):
            raise NormalizeError("invalid_shape", "posts must be a JSON array", "posts")
    elif isinstance(data, dict):
        items = [data]
    else:
        raise NormalizeError("invalid_shape", "body must be a JSON object or array", "body")
    if not items:
        raise NormalizeError("empty", "no posts in the body", "posts")
    if len(items) > MAX_ITEMS:
        raise NormalizeError("too_many_items", f"at most {MAX_ITEMS} posts per request", "posts")
    return items


def _native_of(item: Any) -> str | None:
    native = item.get("id") or item.get("native_id") if isinstance(item, dict) else None
    return str(native)[:512] if isinstance(native, str | int) else None


def to_post(item: Any, default_channel: str | None = None) -> Post:
    """One generic item as a canonical Post; raises ValueError/ValidationError with the field."""
    return to_marked(item, default_channel).post


def _edit_marker(value: Any) -> Marker | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ItemProblem("invalid_field", "edited_at must be an ISO 8601 time", "edited_at")
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise ItemProblem(
            "invalid_field", "edited_at is not an ISO 8601 time", "edited_at"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return Marker.at(when)


def to_marked(item: Any, default_channel: str | None = None) -> Marked:
    """One generic item as a canonical Post with its edit marker (``edited_at``)."""
    if not isinstance(item, dict):
        raise ItemProblem("invalid_item", "each post must be a JSON object", None)
    unknown = sorted(k for k in item if k not in _ITEM_FIELDS)
    if unknown:
        raise ItemProblem("unknown_field", f"unknown field {unknown[0]!r}", str(unknown[0])[:100])
    native = item.get("native_id", item.get("id"))
    if isinstance(native, int) and not isinstance(native, bool):
        native = str(native)
    if not isinstance(native, str) or not native.strip():
        raise ItemProblem("missing_field", "id (native id) is required as a string", "id")
    platform = item.get("platform", "generic")
    if platform not in PLATFORMS:
        raise ItemProblem("invalid_platform", "platform is not a known platform slug", "platform")
    data = dict(item)
    marker = _edit_marker(data.pop("edited_at", None))
    data.pop("id", None)
    data.pop("received_at", None)
    data["native_id"] = native
    data["platform"] = platform
    data["id"] = Post.make_id(platform, native)
    data.setdefault("kind", "post")
    if "channel" not in data and default_channel:
        data["channel"] = default_channel
    thread = data.get("thread_id")
    data["thread_id"] = Post.make_id(platform, thread) if isinstance(thread, str) else thread
    if data["thread_id"] is None:
        parent = data.get("in_reply_to")
        data["thread_id"] = (
            Post.make_id(platform, parent) if isinstance(parent, str) else data["id"]
        )
    parent = data.get("in_reply_to")
    if isinstance(parent, str):
        data["in_reply_to"] = Post.make_id(platform, parent)
    return Marked(Post.model_validate(data), marker)


def normalize_indexed(
    items: list[Any], default_channel: str | None = None
) -> tuple[list[tuple[int, Post]], list[ItemError]]:
    """Normalize each item independently: (index, post) for good ones, ItemErrors for bad ones."""
    marked, errors = normalize_marked(items, default_channel)
    return [(index, m.post) for index, m in marked], errors


def _items(items: list[Any], default_channel: str | None) -> Items:
    loop = Items(lenient=True, native_id=_native_of)
    for item in items:
        loop.add("", item, None, to_marked, item, default_channel)
    return loop


def normalize_marked(
    items: list[Any], default_channel: str | None = None
) -> tuple[list[tuple[int, Marked]], list[ItemError]]:
    """Like :func:`normalize_indexed`, each good post with its edit marker."""
    loop = _items(items, default_channel)
    result = loop.result
    marked = [
        (index, Marked(post, result.marker_at(i)))
        for i, (index, post) in enumerate(zip(loop.origins, result.posts, strict=True))
    ]
    return marked, result.errors


def normalize_items(items: list[Any], default_channel: str | None = None) -> NormalizeResult:
    return _items(items, default_channel).result


class GenericConnector(NoHandshake):
    """Generic JSON: pure normalize; relay-HMAC verify; no handshake."""

    platform = "generic"

    def normalize(self, raw: RawInput) -> NormalizeResult:
        """Parse the generic shape (one post, a list, or {"posts": [...]}); pure."""
        return normalize_items(load_items(raw.body), raw.channel)

    def verify(self, raw: RawInput, secrets: Mapping[str, str], now: datetime) -> None:
        """Timestamped HMAC-SHA256 of the body with ``signing_secret``; replays are refused."""
        signatures.relay_hmac(raw, secrets, now, SECRET_NAME)
