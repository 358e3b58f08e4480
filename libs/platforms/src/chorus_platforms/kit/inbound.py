"""Ports of the ingest adapters: `Connector` (normalize, verify) and `PollSource` (pull-only sources).

A connector is pure: bytes and headers in, canonical posts out. It never publishes, never
touches the database, and reports every problem as a value (`ItemError`) or, when the whole
payload is unusable, as a `NormalizeError` with a stable code and the offending field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

import httpx
from chorus_common.contracts.events import Post

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class RawInput:
    """What arrived, exactly as the platform sent or served it."""

    body: bytes
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-cased names
    channel: str | None = None  # the brand account/page/feed this input belongs to, if known
    query: Mapping[str, str] = field(default_factory=dict)  # URL query of a webhook delivery


@dataclass(frozen=True)
class ItemError:
    """One item of a multi-item envelope that could not be normalized (the rest still are)."""

    code: str
    message: str
    field: str | None = None
    index: int | None = None
    native_id: str | None = None
    raw: Any = None  # the item's own JSON-able value, for the dead-letter copy


@dataclass(frozen=True)
class ItemSkip:
    """One item that is deliberately not a post, and why (``code`` stable, ``reason`` prose)."""

    code: str
    reason: str
    index: int | None = None
    native_id: str | None = None


@dataclass(frozen=True, slots=True)
class Marker:
    """A platform's own edit marker of one version of a post: a later version has a larger
    ``value``. Markers order versions only when their ``kind`` is the same: ``time`` (the
    platform's edit or modification time, in microseconds since the epoch), ``version`` (the
    id the platform gives each version, e.g. an edited tweet's new id) or ``edits`` (how many
    times the post was edited)."""

    kind: str
    value: int

    @classmethod
    def at(cls, when: datetime) -> Marker:
        delta = when - _EPOCH
        return cls("time", (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds)

    @classmethod
    def version(cls, ident: str | None) -> Marker | None:
        """A numeric version id (e.g. a snowflake) as a marker; None when it is not one."""
        if ident is None or not ident.isascii() or not ident.isdigit() or len(ident) > 19:
            return None
        value = int(ident)
        return cls("version", value) if value < 2**63 else None  # a BIGINT column


@dataclass(frozen=True, slots=True)
class Marked:
    """A post with the edit marker of the version it holds (a connector's build result)."""

    post: Post
    marker: Marker | None


@dataclass(frozen=True)
class Fetch:
    """An item the payload names but does not carry (e.g. an Instagram mention: ids only): the
    connector stays pure and says what to read; ingest GETs ``base + path`` with ``params`` and
    the channel's secret ``token`` as a bearer, then ``then(json)`` builds the item (a post,
    ``Skip`` or ``ItemProblem``, as any builder). ``base`` may be overridden per platform
    (``INGEST_FETCH_BASE_URLS``) so a test or sandbox points it at a local server."""

    base: str
    path: str
    then: Callable[[Any], Any]
    params: Mapping[str, str] = field(default_factory=dict)
    token: str = "access_token"
    index: int | None = None
    native_id: str | None = None
    raw: Any = None  # the item as it arrived, for the dead-letter copy when the fetch fails


@dataclass
class NormalizeResult:
    posts: list[Post] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)
    skipped: list[ItemSkip] = field(default_factory=list)
    # The edit marker of ``posts[i]`` (None: the platform gave none; the hash then orders).
    markers: list[Marker | None] = field(default_factory=list)
    # Items that need a follow-up read before they can be built (resolved by ingest).
    fetches: list[Fetch] = field(default_factory=list)

    def add(self, post: Post, marker: Marker | None = None) -> None:
        self.markers.extend([None] * (len(self.posts) - len(self.markers)))
        self.posts.append(post)
        self.markers.append(marker)

    def marker_at(self, index: int) -> Marker | None:
        return self.markers[index] if index < len(self.markers) else None


class NormalizeError(ValueError):
    """The payload as a whole cannot be understood (not JSON, wrong shape, …)."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


class SignatureError(Exception):
    """Webhook authenticity check failed: ``status`` is 401 (missing) or 403 (wrong/replayed)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


@dataclass(frozen=True)
class HandshakeResponse:
    """A subscription handshake answer (Meta `hub.challenge`, X `crc_token`, …)."""

    status: int
    body: bytes
    content_type: str = "text/plain"


class Connector(Protocol):
    """Inbound adapter for one platform slug (see `CONNECTORS`)."""

    platform: str

    def normalize(self, raw: RawInput) -> NormalizeResult:
        """Parse a webhook delivery or API response into posts; pure and deterministic."""
        ...

    def verify(self, raw: RawInput, secrets: Mapping[str, str], now: datetime) -> None:
        """Check the platform's webhook signature on the raw body; raise `SignatureError`."""
        ...

    def handshake(
        self, query: Mapping[str, str], secrets: Mapping[str, str]
    ) -> HandshakeResponse | None:
        """Answer a subscription challenge (GET), or None when the platform has none."""
        ...


class NoHandshake:
    """``handshake`` of a connector whose platform subscribes without a challenge."""

    def handshake(
        self, query: Mapping[str, str], secrets: Mapping[str, str]
    ) -> HandshakeResponse | None:
        return None


@dataclass(frozen=True)
class PollRequest:
    url: str
    # A list value repeats the parameter (``reasons=a&reasons=b``); the URL carries no query.
    params: Mapping[str, str | list[str]] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)


class PollSource(Protocol):
    """Pull-only sources: how to ask for the next page and how to advance the cursor."""

    platform: str

    def poll_request(self, config: Mapping[str, Any], cursor: Mapping[str, Any]) -> PollRequest:
        """The HTTP GET to make next for a channel, given its config and persisted cursor."""
        ...

    def advance(
        self, cursor: Mapping[str, Any], result: NormalizeResult, raw: RawInput
    ) -> dict[str, Any]:
        """The cursor after this page (e.g. newest id seen, next page token); pure."""
        ...


@runtime_checkable
class AuthorizedPollSource(PollSource, Protocol):
    """A pull source that signs in before it polls (a session it creates and renews)."""

    async def authorize(self, config: Mapping[str, Any], http: httpx.AsyncClient) -> dict[str, str]:
        """The headers that authorize the next poll request; may call the platform."""
        ...

    def refused(self, config: Mapping[str, Any]) -> None:
        """The source refused a poll (400/401): the next ``authorize`` renews the sign-in."""
        ...
