"""The item loop every connector runs: an envelope or page is read item by item, and a bad item
becomes an ``ItemError`` value so it never sinks the rest. Also the body checks (size, JSON).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

import orjson
from chorus_common.contracts.events import Post
from pydantic import ValidationError

from chorus_platforms.kit.fields import ItemProblem, Skip, as_id
from chorus_platforms.kit.inbound import (
    Fetch,
    ItemError,
    ItemSkip,
    Marked,
    NormalizeError,
    NormalizeResult,
    RawInput,
)

MAX_BODY_BYTES = 16 * 1024 * 1024
MAX_ITEMS = 10_000

Built = Post | Marked | list[Post] | Fetch | None


# The ordinary ways hostile data breaks a parser underneath a builder (the stdlib's e-mail and
# XML readers); a lenient loop reports them as ``invalid_item``, a strict one as a bug.
ORDINARY_ERRORS: tuple[type[BaseException], ...] = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    OverflowError,
    RecursionError,
    LookupError,
)
# What a builder may raise on bad data, its own problems included.
ITEM_ERRORS: tuple[type[BaseException], ...] = (ItemProblem, *ORDINARY_ERRORS)


def check_size(raw: RawInput) -> None:
    if len(raw.body) > MAX_BODY_BYTES:
        raise NormalizeError("too_large", f"body is larger than {MAX_BODY_BYTES} bytes")


def load_json(raw: RawInput, field: str | None = None) -> Any:
    """The body as JSON (depth-limited by orjson), or ``NormalizeError('invalid_json')``."""
    check_size(raw)
    try:
        return orjson.loads(raw.body)
    except (orjson.JSONDecodeError, TypeError) as exc:
        raise NormalizeError("invalid_json", f"body is not valid JSON: {exc}", field) from None


def page_list(data: Any, key: str) -> list[Any]:
    """The list under ``key`` of a page (absent or null means empty); anything else is unusable."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise NormalizeError("invalid_shape", f"{key} must be a list", key)
    return value


def require_channel(raw: RawInput, found: Any = None) -> str:
    """The brand account: from the payload when it says, else the channel the input came on."""
    channel = as_id(found) or raw.channel
    if not channel:
        raise NormalizeError(
            "missing_channel", "the payload does not name the brand account; pass a channel"
        )
    return channel


def _none(_item: Any) -> str | None:
    return None


def _same(item: Any) -> Any:
    return item


class Items:
    """The items of one envelope or page, built one at a time into ``result``.

    ``lenient``: the builders sit on parsers that raise ordinary errors on hostile data (see
    ``ORDINARY_ERRORS``), which are then the item's fault; otherwise they are a connector bug.
    ``native_id`` and ``dump`` give a failed item's id and JSON-able copy when the caller has none.
    """

    def __init__(
        self,
        *,
        lenient: bool = False,
        native_id: Callable[[Any], str | None] = _none,
        dump: Callable[[Any], Any] = _same,
    ) -> None:
        self.result = NormalizeResult()
        self.origins: list[int] = []  # the index of the item each post of ``result`` came from
        self._lenient = lenient
        self._native_id = native_id
        self._dump = dump
        self._next = 0

    def add(
        self,
        path: str,
        item: Any,
        native_id: str | None,
        build: Callable[..., Built],
        *args: Any,
    ) -> None:
        """Build ``build(*args)`` as the next item: posts (with their edit marker when the build
        gives one), a ``Fetch`` to resolve, an ``ItemSkip`` (the build raised ``Skip``) or an
        ``ItemError``."""
        index, self._next = self._next, self._next + 1
        if index > MAX_ITEMS:
            return
        if index == MAX_ITEMS:
            message = f"only the first {MAX_ITEMS} items are read"
            self.result.errors.append(ItemError("too_many_items", message, index=index))
            return
        try:
            built = build(*args)
        except Skip as skip:
            found = native_id if native_id is not None else _safely(self._native_id, item)
            self.result.skipped.append(ItemSkip(skip.code, skip.reason, index, found))
            return
        except Exception as exc:  # every failure is this item's error, never the envelope's
            self.result.errors.append(self._error(exc, path, index, item, native_id))
            return
        if built is None or built == []:
            # a builder that says nothing about an item is still accounted for
            reason = "the connector reads nothing from this item"
            self.result.skipped.append(ItemSkip("not_read", reason, index, native_id))
            return
        if isinstance(built, Fetch):
            raw = _safely(self._dump, item)
            found = replace(built, index=index, native_id=built.native_id or native_id, raw=raw)
            self.result.fetches.append(found)
        elif isinstance(built, Marked):
            self.result.add(built.post, built.marker)
        elif isinstance(built, list):
            for post in built:
                self.result.add(post)
        else:
            self.result.add(built)
        self.origins.extend([index] * (len(self.result.posts) - len(self.origins)))

    def _error(
        self, exc: Exception, path: str, index: int, item: Any, native_id: str | None
    ) -> ItemError:
        code, field = "connector_bug", path or None
        message = f"unexpected {type(exc).__name__} while normalizing"
        if isinstance(exc, ItemProblem):
            code, message = exc.code, exc.message
            field = f"{path}.{exc.field}" if path and exc.field else exc.field or path or None
            native_id = exc.native_id or native_id
        elif isinstance(exc, ValidationError):
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            code, message = "invalid_field", f"{loc}: {first['msg']}" if loc else str(first["msg"])
            field = f"{path}.{loc}" if path and loc else loc or path or None
        elif self._lenient and isinstance(exc, ORDINARY_ERRORS):
            code, message = "invalid_item", (str(exc) or type(exc).__name__)[:500]
        if native_id is None:
            native_id = _safely(self._native_id, item)
        return ItemError(code, message, field, index, native_id, _safely(self._dump, item))


def _safely(get: Callable[[Any], Any], item: Any) -> Any:
    try:
        return get(item)
    except Exception:  # a hostile item may break its own description too
        return None


def collect(
    pairs: Iterable[tuple[Any, Callable[[], Built]]],
    *,
    native_id: Callable[[Any], str | None] = _none,
    dump: Callable[[Any], Any] = _same,
) -> NormalizeResult:
    """A page of (item, builder) pairs through a lenient :class:`Items` loop."""
    items = Items(lenient=True, native_id=native_id, dump=dump)
    for item, build in pairs:
        items.add("", item, None, build)
    return items.result


def complete(fetch: Fetch, data: Any) -> NormalizeResult:
    """The item a ``Fetch`` stood for, built from the JSON it read (at the item's own index)."""
    items = Items(lenient=True)
    items.add("", fetch.raw, fetch.native_id, fetch.then, data)
    done = items.result
    at = fetch.index
    if done.fetches:  # one follow-up read per item: a second is a connector bug
        message = "the fetched item asks for another fetch"
        done.errors.append(ItemError("fetch_chain", message, None, at, fetch.native_id, fetch.raw))
    done.fetches = []
    done.errors = [replace(e, index=at, raw=fetch.raw) for e in done.errors]
    done.skipped = [replace(k, index=at) for k in done.skipped]
    return done


def merge(into: NormalizeResult, more: NormalizeResult) -> None:
    """Append ``more``'s posts (with their markers), errors and skips to ``into``."""
    for i, post in enumerate(more.posts):
        into.add(post, more.marker_at(i))
    into.errors.extend(more.errors)
    into.skipped.extend(more.skipped)
