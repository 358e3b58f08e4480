"""Pure helpers shared by the social connectors (X, Meta, LinkedIn): JSON, ids, times, items.

Every item of an envelope is built inside :func:`run_item`, which turns any failure into an
``ItemError`` value so one bad item never sinks the rest of the envelope.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import partial
from typing import Any

import orjson
from chorus_common.contracts.events import Author, Post
from pydantic import ValidationError

from chorus_ingest.connectors.base import (
    ItemError,
    Marked,
    NormalizeError,
    NormalizeResult,
    RawInput,
    SignatureError,
)

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
# Epoch values above this are milliseconds (1e11 s is the year 5138).
_MS_THRESHOLD = 100_000_000_000


class ItemFailure(Exception):
    """Raised while building one item; :func:`run_item` turns it into an ``ItemError``."""

    def __init__(
        self, code: str, message: str, field: str | None = None, native_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.native_id = native_id


# --------------------------------------------------------------------------- JSON


def load_json(raw: RawInput) -> Any:
    """Parse the raw body as JSON (depth-limited by orjson); raises ``NormalizeError``."""
    try:
        return orjson.loads(raw.body)
    except (orjson.JSONDecodeError, TypeError) as exc:
        raise NormalizeError("invalid_json", f"body is not valid JSON: {exc}") from None


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def as_int(value: Any) -> int | None:
    """A non-negative count (ints or integral numeric strings); anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def as_id(value: Any) -> str | None:
    """An identifier as a string: non-empty strings and integers (never floats or bools)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value
    return None


def require_id(value: Any, field: str) -> str:
    found = as_id(value)
    if found is None:
        raise ItemFailure("missing_field", f"{field} must be a non-empty string id", field)
    return found


def require_text(value: Any, field: str, *, allow_missing: bool = False) -> str:
    """Text kept exactly as sent; NUL characters are refused (no platform emits them)."""
    if value is None and allow_missing:
        return ""
    if not isinstance(value, str):
        raise ItemFailure("missing_field", f"{field} must be a string", field)
    if "\x00" in value:
        raise ItemFailure("invalid_text", f"{field} contains a NUL character", field)
    return value


def optional_name(value: Any) -> str | None:
    """Display names and handles: strings without NUL, else None."""
    if isinstance(value, str) and value and "\x00" not in value:
        return value
    return None


# --------------------------------------------------------------------------- times


def parse_iso(value: Any, field: str) -> datetime:
    """ISO 8601 (``Z``, ``+00:00`` or ``+0000`` offsets) to an aware UTC datetime."""
    if not isinstance(value, str) or not 10 <= len(value) <= 40:
        raise ItemFailure("invalid_time", f"{field} must be an ISO 8601 time", field)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ItemFailure("invalid_time", f"{field} is not an ISO 8601 time", field) from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ItemFailure("invalid_time", f"{field} is out of range", field) from None


def parse_epoch(value: Any, field: str, *, unit: str = "auto") -> datetime:
    """Unix time in seconds or milliseconds (``unit`` "s", "ms" or "auto"); numbers or digits."""
    number: float
    if isinstance(value, bool):
        raise ItemFailure("invalid_time", f"{field} must be a Unix time", field)
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and value.isdigit() and len(value) <= 16:
        number = float(int(value))
    else:
        raise ItemFailure("invalid_time", f"{field} must be a Unix time", field)
    if not math.isfinite(number) or number <= 0:
        raise ItemFailure("invalid_time", f"{field} must be a positive Unix time", field)
    if unit == "ms" or (unit == "auto" and number >= _MS_THRESHOLD):
        number /= 1000.0
    try:
        return datetime.fromtimestamp(number, UTC)
    except (OverflowError, OSError, ValueError):
        raise ItemFailure("invalid_time", f"{field} is out of range", field) from None


def parse_twitter_date(value: Any, field: str) -> datetime:
    """The v1.1 format ``Wed Oct 10 20:19:24 +0000 2018`` (parsed without locale)."""
    parts = value.split(" ") if isinstance(value, str) and len(value) <= 40 else []
    if len(parts) != 6 or parts[1] not in _MONTHS or parts[4] != "+0000":
        raise ItemFailure("invalid_time", f"{field} is not a Twitter date", field)
    try:
        hh, mm, ss = (int(p) for p in parts[3].split(":"))
        return datetime(int(parts[5]), _MONTHS[parts[1]], int(parts[2]), hh, mm, ss, tzinfo=UTC)
    except ValueError:
        raise ItemFailure("invalid_time", f"{field} is not a Twitter date", field) from None


# --------------------------------------------------------------------------- signatures


def hmac_sha256(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison of two strings of any content."""
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def secret_of(secrets: Mapping[str, str], key: str) -> str:
    """The configured secret ``key``; a missing one refuses the request (403)."""
    value = secrets.get(key)
    if not isinstance(value, str) or not value:
        raise SignatureError(403, "secret_not_configured", f"no {key} configured for channel")
    return value


def signature_header(raw: RawInput, name: str) -> str:
    """The signature header (lower-case ``name``) or a 401 when it is absent."""
    value = raw.headers.get(name)
    if not value:
        raise SignatureError(401, "missing_signature", f"missing {name} header")
    return value


# --------------------------------------------------------------------------- items


def run_item(
    result: NormalizeResult,
    *,
    index: int,
    path: str,
    item: Any,
    build: Callable[[], Post | Marked | None],
    native_id: str | None = None,
) -> None:
    """Build one item into ``result``: a post (with its edit marker when the build gives one),
    nothing (ignored event), or an ``ItemError``."""
    try:
        built = build()
    except ItemFailure as exc:
        field = f"{path}.{exc.field}" if exc.field else path
        error = ItemError(exc.code, exc.message, field, index, exc.native_id or native_id, item)
        result.errors.append(error)
        return
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        message = f"canonical post field {loc}: {first['msg']}"
        result.errors.append(ItemError("invalid_field", message, path, index, native_id, item))
        return
    except Exception as exc:  # a connector bug must not sink the rest of the envelope
        message = f"unexpected {type(exc).__name__} while normalizing"
        result.errors.append(ItemError("connector_bug", message, path, index, native_id, item))
        return
    if isinstance(built, Marked):
        result.add(built.post, built.marker)
    elif built is not None:
        result.add(built)


class Items:
    """A running item counter over an envelope (``ItemError.index`` is flat)."""

    def __init__(self) -> None:
        self.result = NormalizeResult()
        self._next = 0

    def add(
        self,
        path: str,
        item: Any,
        native_id: str | None,
        build: Callable[..., Post | Marked | None],
        *args: Any,
    ) -> None:
        """Build ``build(*args)`` as the next item of the envelope (see :func:`run_item`)."""
        run_item(
            self.result,
            index=self._next,
            path=path,
            item=item,
            build=partial(build, *args),
            native_id=native_id,
        )
        self._next += 1


def author(
    author_id: str,
    *,
    handle: Any = None,
    display_name: Any = None,
    followers: Any = None,
    verified: Any = None,
    url: str | None = None,
) -> Author:
    return Author(
        id=author_id,
        handle=optional_name(handle),
        display_name=optional_name(display_name),
        followers=as_int(followers),
        verified=verified is True,
        url=url,
    )


def require_channel(raw: RawInput, found: Any = None) -> str:
    """The brand account: from the payload when it says, else the channel the input came on."""
    channel = as_id(found) or raw.channel
    if not channel:
        raise NormalizeError(
            "missing_channel", "the payload does not name the brand account; pass a channel"
        )
    return channel
