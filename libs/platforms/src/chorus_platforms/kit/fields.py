"""Reading the fields of a platform's JSON safely: ids, texts, counts and names, each either a
clean value or an ``ItemProblem`` naming the field (raised inside the item loop)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from chorus_common.contracts.events import Author

TEXT_LIMIT = 100_000  # Post.text max_length


class ItemProblem(Exception):
    """One item cannot be normalized: ``code`` is stable, ``field`` names the culprit."""

    def __init__(
        self, code: str, message: str, field: str | None = None, native_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.native_id = native_id


class Skip(Exception):
    """One item is deliberately not a post (a reaction, a deletion notice, …): it is counted
    as skipped with a stable ``code`` and a ``reason`` a person can read, never dropped."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def opt_str(value: Any) -> str | None:
    """A non-empty string, else None."""
    return value if isinstance(value, str) and value != "" else None


def http_url(value: Any) -> str | None:
    """A non-empty ``http(s)://`` URL, else None."""
    url = opt_str(value)
    return url if url and url.startswith(("https://", "http://")) else None


def as_int(value: Any) -> int | None:
    """A non-negative count (ints or integral numeric strings); anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def count(value: Any) -> int:
    """A non-negative counter; anything unusable counts as 0."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    try:
        return max(0, int(value))
    except (OverflowError, ValueError):
        return 0


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
        raise ItemProblem("missing_field", f"{field} must be a non-empty string id", field)
    return found


def native(value: Any, field: str) -> str:
    """An id as a non-empty string of at most 500 characters, surrounding spaces dropped."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ItemProblem("missing_id", f"{field} must be a string or integer id", field)
    text = str(value).strip()
    if not text:
        raise ItemProblem("missing_id", f"{field} is empty", field)
    if len(text) > 500:
        raise ItemProblem("invalid_id", f"{field} is longer than 500 characters", field)
    return text


def obj(value: Any, field: str) -> Mapping[str, Any]:
    """``value`` as a JSON object, or an ``ItemProblem`` naming ``field``."""
    if not isinstance(value, Mapping):
        raise ItemProblem("invalid_field", f"{field} must be an object", field)
    return value


def opt_obj(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def require_text(value: Any, field: str, *, allow_missing: bool = False) -> str:
    """Text kept exactly as sent; NUL characters are refused (no platform emits them)."""
    if value is None and allow_missing:
        return ""
    if not isinstance(value, str):
        raise ItemProblem("missing_field", f"{field} must be a string", field)
    if "\x00" in value:
        raise ItemProblem("invalid_text", f"{field} contains a NUL character", field)
    return value


def text_of(value: Any, field: str) -> str:
    """A text field kept exactly; absent means empty, anything else but a string is an error."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ItemProblem("invalid_field", f"{field} must be a string", field)
    return value


def optional_name(value: Any) -> str | None:
    """Display names and handles: strings without NUL, else None."""
    if isinstance(value, str) and value and "\x00" not in value:
        return value
    return None


def stars(value: Any, field: str) -> int:
    """A star rating 1..5 (an int, not a bool); anything else is an ``invalid_rating`` problem."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
        return value
    name = field.rsplit(".", 1)[-1]
    raise ItemProblem("invalid_rating", f"{name} {str(value)[:20]!r} is not 1..5", field)


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
