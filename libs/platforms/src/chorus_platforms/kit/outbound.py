"""The ``Sender`` port, what it is given and what it answers, and the HTTP call helper
that turns platform answers into success, transient and permanent outcomes."""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Literal, Protocol

import httpx
import orjson

Reconcile = Literal["idempotent", "lookup", "none"]


@dataclass(frozen=True, slots=True)
class Channel:
    """Where and as whom to send: from the channel configuration (or the sandbox override)."""

    platform: str
    channel: str
    base_url: str
    options: Mapping[str, str] = field(default_factory=dict)
    credentials: Mapping[str, str] = field(default_factory=dict)

    def secret(self, name: str) -> str:
        value = self.credentials.get(name)
        if not value:
            raise PermanentSendError(
                "channel_not_configured",
                f"channel {self.platform}/{self.channel} has no credential {name!r}",
            )
        return value

    def option(self, name: str, default: str | None = None) -> str | None:
        return self.options.get(name) or default

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path


@dataclass(frozen=True, slots=True)
class OutboundReply:
    """One reply to deliver, with what the platform needs to attach it to the right post."""

    reply_id: str
    idempotency_key: str
    adapter: str
    visibility: str
    mode: str
    text: str
    post_native_id: str
    post_kind: str
    post_url: str | None
    parent_native_id: str | None
    author_id: str
    author_handle: str | None
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class Delivered:
    platform_reply_id: str
    url: str | None = None


class SendError(Exception):
    """A failed call: ``code`` is stable, the message is the platform's reason."""

    transient = False

    def __init__(
        self,
        code: str,
        message: str,
        *,
        retry_after: float | None = None,
        ambiguous: bool = False,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.retry_after = retry_after
        # True when the platform may have acted although we saw no success (timeout, 5xx).
        self.ambiguous = ambiguous
        self.status = status


class TransientSendError(SendError):
    transient = True


class PermanentSendError(SendError):
    transient = False


class Sender(Protocol):
    """Posts one reply on one platform. ``reconcile`` says how a possibly-made call is checked:
    ``idempotent`` (repeating it is harmless), ``lookup`` (``find`` looks the reply up) or
    ``none`` (cannot be checked: never repeated automatically)."""

    platform: str
    reconcile: Reconcile

    async def send(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered:
        """Create (or, for ``mode=update``, replace) the reply on the platform; not idempotent
        unless ``reconcile == 'idempotent'``."""
        ...

    async def find(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered | None:
        """Look for this reply on the platform (read only); None when it is not there."""
        ...


# --------------------------------------------------------------------------- helpers

_URLISH = re.compile(r"https?://\S+")


def same_text(ours: str, theirs: str | None) -> bool:
    """Whether the platform's copy is our text (NFC, whitespace and link rewriting ignored)."""
    if theirs is None:
        return False

    def norm(s: str) -> str:
        s = unicodedata.normalize("NFC", s)
        s = _URLISH.sub("<url>", s)
        return " ".join(s.split())

    return norm(ours) == norm(theirs)


def retry_after_seconds(headers: httpx.Headers) -> float | None:
    """``Retry-After`` (seconds or HTTP date), else the reset time in epoch seconds of X's
    ``x-rate-limit-reset`` or the ``RateLimit-Reset`` of AT Protocol servers."""
    raw = headers.get("retry-after")
    if raw:
        raw = raw.strip()
        if raw.isdigit():
            return float(raw)
        try:
            return max(0.0, parsedate_to_datetime(raw).timestamp() - time.time())
        except (TypeError, ValueError):
            return None
    reset = headers.get("x-rate-limit-reset") or headers.get("ratelimit-reset")
    if reset and reset.strip().isdigit():
        return max(0.0, float(reset) - time.time())
    return None


def _json(resp: httpx.Response) -> Any:
    try:
        return orjson.loads(resp.content) if resp.content else {}
    except orjson.JSONDecodeError:
        return {"raw": resp.text[:500]}


def default_reason(body: Any) -> tuple[str | None, str]:
    """Pull a (code, message) out of the error shapes the platforms document."""
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict):  # Graph API and Google APIs
            code = err.get("status") or err.get("type") or err.get("code")
            msg = err.get("message") or str(err)
            sub = err.get("error_subcode")
            return (f"{code}" + (f":{sub}" if sub else "") if code else None, str(msg))
        if isinstance(err, str):  # Mastodon
            return None, err + (
                f": {body['error_description']}" if body.get("error_description") else ""
            )
        if "detail" in body or "title" in body:  # X v2 problem details
            return body.get("type") or body.get("title"), str(
                body.get("detail") or body.get("title")
            )
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("code") or "") or None, str(errors[0].get("message"))
        if "message" in body:
            return None, str(body["message"])
    return None, str(body)[:500]


ReasonFn = Callable[[Any], tuple[str | None, str]]


async def call(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    platform: str,
    reason: ReasonFn = default_reason,
    **kw: Any,
) -> Any:
    """One HTTP call; returns the JSON body of a 2xx, raises Transient/PermanentSendError."""
    try:
        resp = await http.request(method, url, **kw)
    except httpx.ConnectError as exc:  # nothing reached the platform
        raise TransientSendError("connect_error", f"{platform}: cannot connect ({exc})") from exc
    except httpx.ConnectTimeout as exc:
        raise TransientSendError("connect_timeout", f"{platform}: connect timed out") from exc
    except httpx.TimeoutException as exc:
        raise TransientSendError(
            "timeout", f"{platform}: no answer in time", ambiguous=True
        ) from exc
    except httpx.TransportError as exc:
        raise TransientSendError(
            "transport_error", f"{platform}: {type(exc).__name__}", ambiguous=True
        ) from exc
    body = _json(resp)
    if resp.is_success:
        return body
    code, message = reason(body)
    status = resp.status_code
    if status == 429:
        raise TransientSendError(
            "rate_limited",
            f"{platform} rate limit: {message}",
            retry_after=retry_after_seconds(resp.headers),
            status=status,
        )
    if status >= 500 or status == 408:
        raise TransientSendError(
            f"http_{status}",
            f"{platform} {status}: {message}",
            retry_after=retry_after_seconds(resp.headers),
            ambiguous=True,
            status=status,
        )
    raise PermanentSendError(
        code or f"http_{status}", f"{platform} {status}: {message}", status=status
    )


def bearer(channel: Channel) -> dict[str, str]:
    """The ``Authorization`` header of an OAuth 2.0 access token (credential ``access_token``)."""
    return {"Authorization": f"Bearer {channel.secret('access_token')}"}


async def bearer_call(
    http: httpx.AsyncClient,
    channel: Channel,
    method: str,
    path: str,
    platform: str | None = None,
    **kw: Any,
) -> Any:
    """``call`` on the channel's API (``channel.url(path)``) with its OAuth 2.0 access token;
    errors name ``platform`` (default: the channel's)."""
    url = channel.url(path)
    who = platform or channel.platform
    return await call(http, method, url, platform=who, headers=bearer(channel), **kw)


async def fetch(
    http: httpx.AsyncClient,
    channel: Channel,
    path: str,
    *,
    params: dict[str, str],
    headers: dict[str, str],
) -> Any:
    """A read-only GET on the channel's API (a sender's ``find``): the JSON body."""
    url = channel.url(path)
    return await call(http, "GET", url, platform=channel.platform, params=params, headers=headers)
