"""The generic JSON shape for internal systems: one post, ``{"posts": [...]}``, or a JSON list.

Shape of one item (``native_id`` may be given as ``id``)::

    {"id": "crm-42", "channel": "crm", "text": "…", "created_at": "2026-01-01T10:00:00Z",
     "author": {"id": "u1", "handle": "jane", "followers": 10},
     "kind": "comment", "platform": "generic", "thread_id": "crm-40", "in_reply_to": "crm-41",
     "url": "…", "lang": "fr", "rating": 4, "metrics": {"likes": 1}, "media": [{"type": "image",
     "url": "…"}], "edited_at": "2026-01-01T10:05:00Z"}

``edited_at`` (optional) is when the source system last changed the item: its edit marker,
so an older version delivered later never replaces a newer one. Without it the content hash
orders versions: content seen before is a duplicate.

Webhook deliveries are signed with the Chorus relay scheme: ``X-Chorus-Timestamp`` (Unix
seconds) and ``X-Chorus-Signature: sha256=<hex HMAC-SHA256(signing_secret, "<ts>." + body)>``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson
from chorus_common.contracts.events import PLATFORMS, Post
from pydantic import ValidationError

from chorus_ingest.connectors.base import (
    HandshakeResponse,
    ItemError,
    Marked,
    Marker,
    NormalizeError,
    NormalizeResult,
    RawInput,
    SignatureError,
)

MAX_ITEMS = 10_000
REPLAY_TOLERANCE_SECONDS = 300
SECRET_NAME = "signing_secret"
_ITEM_FIELDS = frozenset(
    {
        "id", "native_id", "platform", "channel", "kind", "url", "thread_id", "in_reply_to",
        "author", "text", "lang", "created_at", "rating", "metrics", "media", "received_at",
        "edited_at",
    }
)  # fmt: skip


def relay_signature(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Chorus-Signature`` value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def load_items(body: bytes) -> list[Any]:
    """Split a body into raw items; raises NormalizeError naming what is wrong."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise NormalizeError("invalid_json", f"body is not JSON: {exc}", "body") from exc
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


def _item_error(index: int, item: Any, code: str, message: str, field: str | None) -> ItemError:
    native = item.get("id") or item.get("native_id") if isinstance(item, dict) else None
    return ItemError(
        code=code,
        message=message,
        field=field,
        index=index,
        native_id=str(native)[:512] if isinstance(native, str | int) else None,
        raw=item,
    )


def to_post(item: Any, default_channel: str | None = None) -> Post:
    """One generic item as a canonical Post; raises ValueError/ValidationError with the field."""
    return to_marked(item, default_channel).post


def _edit_marker(value: Any) -> Marker | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Problem("invalid_field", "edited_at must be an ISO 8601 time", "edited_at")
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise _Problem("invalid_field", "edited_at is not an ISO 8601 time", "edited_at") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return Marker.at(when)


def to_marked(item: Any, default_channel: str | None = None) -> Marked:
    """One generic item as a canonical Post with its edit marker (``edited_at``)."""
    if not isinstance(item, dict):
        raise _Problem("invalid_item", "each post must be a JSON object", None)
    unknown = sorted(k for k in item if k not in _ITEM_FIELDS)
    if unknown:
        raise _Problem("unknown_field", f"unknown field {unknown[0]!r}", str(unknown[0])[:100])
    native = item.get("native_id", item.get("id"))
    if isinstance(native, int) and not isinstance(native, bool):
        native = str(native)
    if not isinstance(native, str) or not native.strip():
        raise _Problem("missing_field", "id (native id) is required as a string", "id")
    platform = item.get("platform", "generic")
    if platform not in PLATFORMS:
        raise _Problem("invalid_platform", "platform is not a known platform slug", "platform")
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


class _Problem(ValueError):
    def __init__(self, code: str, message: str, field: str | None) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


def normalize_indexed(
    items: list[Any], default_channel: str | None = None
) -> tuple[list[tuple[int, Post]], list[ItemError]]:
    """Normalize each item independently: (index, post) for good ones, ItemErrors for bad ones."""
    marked, errors = normalize_marked(items, default_channel)
    return [(index, m.post) for index, m in marked], errors


def normalize_marked(
    items: list[Any], default_channel: str | None = None
) -> tuple[list[tuple[int, Marked]], list[ItemError]]:
    """Like :func:`normalize_indexed`, each good post with its edit marker."""
    posts: list[tuple[int, Marked]] = []
    errors: list[ItemError] = []
    for index, item in enumerate(items):
        try:
            posts.append((index, to_marked(item, default_channel)))
        except _Problem as exc:
            errors.append(_item_error(index, item, exc.code, str(exc), exc.field))
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"]) or None
            message = f"{field}: {err['msg']}" if field else str(err["msg"])
            errors.append(_item_error(index, item, "invalid_field", message, field))
        except (TypeError, ValueError) as exc:
            errors.append(_item_error(index, item, "invalid_item", str(exc)[:300], None))
    return posts, errors


def normalize_items(items: list[Any], default_channel: str | None = None) -> NormalizeResult:
    marked, errors = normalize_marked(items, default_channel)
    result = NormalizeResult(errors=errors)
    for _, m in marked:
        result.add(m.post, m.marker)
    return result


class GenericConnector:
    """Generic JSON: pure normalize; relay-HMAC verify; no handshake."""

    platform = "generic"

    def normalize(self, raw: RawInput) -> NormalizeResult:
        """Parse the generic shape (one post, a list, or {"posts": [...]}); pure."""
        return normalize_items(load_items(raw.body), raw.channel)

    def verify(self, raw: RawInput, secrets: Mapping[str, str], now: datetime) -> None:
        """Timestamped HMAC-SHA256 of the body with ``signing_secret``; replays are refused."""
        secret = secrets.get(SECRET_NAME)
        if not secret:
            raise SignatureError(403, "secret_not_configured", "no signing_secret for generic")
        stamp = raw.headers.get("x-chorus-timestamp", "").strip()
        given = raw.headers.get("x-chorus-signature", "").strip().lower()
        if not stamp or not given:
            raise SignatureError(401, "signature_missing", "X-Chorus-Timestamp/Signature missing")
        if not stamp.isdigit() or len(stamp) > 12:
            raise SignatureError(403, "signature_invalid", "X-Chorus-Timestamp is not Unix seconds")
        if abs(now.timestamp() - int(stamp)) > REPLAY_TOLERANCE_SECONDS:
            raise SignatureError(403, "signature_replayed", "X-Chorus-Timestamp is outside 5 min")
        expected = relay_signature(secret, stamp, raw.body)
        if not hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace")):
            raise SignatureError(403, "signature_mismatch", "X-Chorus-Signature does not match")

    def handshake(
        self, query: Mapping[str, str], secrets: Mapping[str, str]
    ) -> HandshakeResponse | None:
        """No subscription handshake for the generic shape."""
        return None
