"""Shared, pure helpers of the review/feed/e-mail connectors: JSON loading, times, ids, item loops.

Everything here is side-effect free. Item builders raise :class:`ItemProblem` (or any of the
ordinary data errors listed in ``ITEM_ERRORS``); :func:`collect` turns those into ``ItemError``
values so one bad item never sinks the rest of a page.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import orjson
from chorus_common.contracts.events import Post

from chorus_ingest.connectors.base import ItemError, NormalizeError, NormalizeResult, RawInput

MAX_BODY_BYTES = 16 * 1024 * 1024
MAX_ITEMS = 10_000
TEXT_LIMIT = 100_000  # Post.text max_length


class ItemProblem(Exception):
    """One item cannot be normalized: ``code`` is stable, ``field`` names the culprit."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


# The ordinary ways hostile data breaks a builder (pydantic's ValidationError is a ValueError).
ITEM_ERRORS: tuple[type[BaseException], ...] = (
    ItemProblem,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    OverflowError,
    RecursionError,
    LookupError,
)


def check_size(raw: RawInput) -> None:
    if len(raw.body) > MAX_BODY_BYTES:
        raise NormalizeError("too_large", f"body is larger than {MAX_BODY_BYTES} bytes")


def load_json(raw: RawInput) -> Any:
    """The body as JSON, or `NormalizeError('invalid_json')`."""
    check_size(raw)
    try:
        return orjson.loads(raw.body)
    except orjson.JSONDecodeError as exc:
        raise NormalizeError("invalid_json", f"body is not JSON: {exc}") from exc


def collect(
    items: Iterable[tuple[Any, Callable[[], list[Post]]]],
    *,
    native_id: Callable[[Any], str | None] = lambda _item: None,
    dump: Callable[[Any], Any] = lambda item: item,
) -> NormalizeResult:
    """Run each builder; failures become `ItemError`s carrying the item's index and its
    JSON-able raw value (``dump`` turns non-JSON items, e.g. XML elements, into one)."""
    result = NormalizeResult()
    for index, (item, build) in enumerate(items):
        if index >= MAX_ITEMS:
            result.errors.append(
                ItemError(
                    "too_many_items", f"only the first {MAX_ITEMS} items are read", index=index
                )
            )
            break
        try:
            result.posts.extend(build())
        except ITEM_ERRORS as exc:
            code = exc.code if isinstance(exc, ItemProblem) else "invalid_item"
            field = exc.field if isinstance(exc, ItemProblem) else None
            result.errors.append(
                ItemError(
                    code=code,
                    message=_describe(exc),
                    field=field,
                    index=index,
                    native_id=_safe_native_id(native_id, item),
                    raw=_safe_dump(dump, item),
                )
            )
    return result


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:500]


def _safe_dump(dump: Callable[[Any], Any], item: Any) -> Any:
    try:
        return dump(item)
    except ITEM_ERRORS:
        return None


def _safe_native_id(get: Callable[[Any], str | None], item: Any) -> str | None:
    try:
        return get(item)
    except ITEM_ERRORS:
        return None


# --------------------------------------------------------------------------- field access


def obj(value: Any, field: str) -> Mapping[str, Any]:
    """``value`` as a JSON object, or an `ItemProblem` naming ``field``."""
    if not isinstance(value, Mapping):
        raise ItemProblem("invalid_field", f"{field} must be an object", field)
    return value


def opt_obj(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def native(value: Any, field: str) -> str:
    """An id as a non-empty string (JSON ids may be strings or integers, never booleans)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ItemProblem("missing_id", f"{field} must be a string or integer id", field)
    text = str(value).strip()
    if not text:
        raise ItemProblem("missing_id", f"{field} is empty", field)
    if len(text) > 500:
        raise ItemProblem("invalid_id", f"{field} is longer than 500 characters", field)
    return text


def opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def text_of(value: Any, field: str) -> str:
    """A text field kept exactly; absent means empty, anything else but a string is an error."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ItemProblem("invalid_field", f"{field} must be a string", field)
    return value


def count(value: Any) -> int:
    """A non-negative counter; anything unusable counts as 0."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    try:
        return max(0, int(value))
    except (OverflowError, ValueError):
        return 0


def clip(text: str, limit: int = TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[:limit]


def join_title(title: str, body: str) -> str:
    """Title and body as one text, each kept exactly."""
    if title and body:
        return f"{title}\n\n{body}"
    return title or body


def digest(*parts: str, length: int = 32) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()[:length]


# --------------------------------------------------------------------------- times


_ISO_FRACTION = re.compile(r"(\.\d{6})\d+")


def iso_time(value: Any, field: str) -> datetime:
    """An ISO 8601 / RFC 3339 timestamp as an aware UTC datetime (naive means UTC)."""
    if not isinstance(value, str) or not value.strip():
        raise ItemProblem("invalid_time", f"{field} must be an ISO 8601 timestamp", field)
    text = _ISO_FRACTION.sub(r"\1", value.strip())
    if text.endswith(("z", "Z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ItemProblem(
            "invalid_time", f"{field} is not ISO 8601: {value[:64]!r}", field
        ) from exc
    return as_utc(parsed)


def epoch_time(value: Any, field: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ItemProblem("invalid_time", f"{field} must be a Unix time", field)
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise ItemProblem("invalid_time", f"{field} is out of range", field) from exc


def rfc822_time(value: Any, field: str) -> datetime:
    """An RFC 822/2822 date (RSS pubDate, e-mail Date) as UTC."""
    if not isinstance(value, str) or not value.strip():
        raise ItemProblem("invalid_time", f"{field} is missing", field)
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError) as exc:
        raise ItemProblem("invalid_time", f"{field} is not an RFC 822 date", field) from exc
    return as_utc(parsed)


def any_time(value: Any, field: str) -> datetime:
    """RFC 3339 first, then RFC 822: feeds use both, whatever their spec says."""
    try:
        return iso_time(value, field)
    except ItemProblem:
        return rfc822_time(value, field)


def as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def iso(value: datetime) -> str:
    return as_utc(value).isoformat()


def one(build: Callable[..., Post], *args: Any) -> Callable[[], list[Post]]:
    """A deferred builder of one post, for :func:`collect`."""
    return lambda: [build(*args)]


def page_list(data: Mapping[str, Any], key: str) -> list[Any]:
    """The list under ``key`` of a page (absent or null means empty); anything else is unusable."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise NormalizeError("invalid_shape", f"{key} must be a list", key)
    return value
