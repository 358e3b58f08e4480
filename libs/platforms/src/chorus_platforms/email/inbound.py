"""E-mail: RFC 5322 messages (``message/rfc822`` bodies) or a JSON envelope carrying the raw MIME.

Parsed with the stdlib ``email`` package with ``policy.default`` semantics (RFC 2047 encoded
words and RFC 2231 parameters decoded), read through :mod:`.headers`, which gives the
same header text without building header objects.

The body is the first inline ``text/plain`` part, else the first ``text/html`` part reduced to
text. Threads follow RFC 5322 §3.6.4: the thread is the first Message-ID in ``References``,
else ``In-Reply-To``, else the message's own ``Message-ID``; ``in_reply_to`` is the
``In-Reply-To`` id. The channel is the mailbox the message was delivered to (the RawInput
channel, else ``Delivered-To``, else the first ``To``).

JSON envelope (for inbound relays): ``{"raw": "<RFC 5322 text>"}`` or ``{"raw_base64": "…"}``,
optionally ``"channel"``; or ``{"messages": [envelope, …]}`` for several at once.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.errors
import email.policy
import re
from datetime import datetime
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr
from functools import partial
from typing import Any

from chorus_common.contracts.events import Author, Post

from chorus_platforms.email.headers import TEXT_POLICY
from chorus_platforms.kit import fields as fk
from chorus_platforms.kit.html import html_to_text
from chorus_platforms.kit.inbound import (
    NormalizeError,
    NormalizeResult,
    RawInput,
)
from chorus_platforms.kit.items import check_size, collect, load_json
from chorus_platforms.kit.relay import RelayPushed
from chorus_platforms.kit.times import rfc822_time

PLATFORM = "email"
MAX_MESSAGE_BYTES = 10 * 1024 * 1024
_MSG_ID = re.compile(r"<([^<>\s]{1,480})>")
_MAX_PARTS = 200
_POLICY = TEXT_POLICY  # policy.default's reading, faster (see headers)


class EmailConnector(RelayPushed):
    """Pure adapter for inbound e-mail; idempotent by Message-ID (else a hash of the bytes)."""

    platform = PLATFORM

    def normalize(self, raw: RawInput) -> NormalizeResult:
        check_size(raw)
        if raw.content_type.split(";")[0].strip().lower() in ("application/json", "text/json"):
            envelopes = _envelopes(load_json(raw))
        else:
            envelopes = [(raw.body, None)]
        return collect(
            (
                (
                    {"size": len(message)},
                    partial(_post, message, channel or raw.channel),
                )
                for message, channel in envelopes
            )
        )


def _envelopes(data: Any) -> list[tuple[bytes, str | None]]:
    items = data.get("messages") if isinstance(data, dict) and "messages" in data else [data]
    if not isinstance(items, list):
        raise NormalizeError("invalid_shape", "messages must be a list", "messages")
    out: list[tuple[bytes, str | None]] = []
    for item in items:
        if not isinstance(item, dict):
            raise NormalizeError("invalid_shape", "an envelope must be an object")
        channel = fk.opt_str(item.get("channel"))
        if isinstance(item.get("raw"), str):
            out.append((item["raw"].encode("utf-8", "surrogateescape"), channel))
        elif isinstance(item.get("raw_base64"), str):
            try:
                out.append((base64.b64decode(item["raw_base64"], validate=True), channel))
            except (binascii.Error, ValueError) as exc:
                raise NormalizeError(
                    "invalid_base64", "raw_base64 is not base64", "raw_base64"
                ) from exc
        else:
            raise NormalizeError("invalid_shape", "an envelope needs raw or raw_base64", "raw")
    return out


def _post(message: bytes, channel: str | None) -> Post:
    try:
        return _parse(message, channel)
    except email.errors.MessageError as exc:  # HeaderParseError & co. are not ValueErrors
        raise fk.ItemProblem("invalid_message", f"unreadable MIME: {type(exc).__name__}") from exc


def _parse(message: bytes, channel: str | None) -> Post:
    if len(message) > MAX_MESSAGE_BYTES:
        raise fk.ItemProblem("too_large", "message is larger than 10 MiB")
    if not message.strip():
        raise fk.ItemProblem("empty_message", "message is empty")
    msg = email.message_from_bytes(message, policy=_POLICY)
    if not isinstance(msg, EmailMessage) or not msg.keys():
        raise fk.ItemProblem("invalid_message", "no RFC 5322 header section")
    own = _first_id(_header(msg, "message-id"))
    native_id = own or "sha256:" + fk.digest(message.decode("latin-1"), length=64)
    parent = _first_id(_header(msg, "in-reply-to"))
    root = _first_id(_header(msg, "references")) or parent or native_id
    name, address = parseaddr(_header(msg, "from"))
    if not address and not name:
        raise fk.ItemProblem("missing_author", "From is missing or unreadable", "From")
    subject = _header(msg, "subject").strip()
    return Post(
        id=Post.make_id(PLATFORM, native_id),
        platform=PLATFORM,
        channel=(channel or _mailbox(msg) or "email")[:256],
        kind="email",
        native_id=native_id,
        url=None,
        thread_id=Post.make_id(PLATFORM, root),
        in_reply_to=Post.make_id(PLATFORM, parent) if parent else None,
        author=Author(
            id=(address.lower() or name)[:256],
            handle=address[:256] or None,
            display_name=name[:512] or None,
        ),
        text=fk.clip(fk.join_title(subject, _body(msg))),
        lang=_lang(_header(msg, "content-language")),
        created_at=_date(msg),
    )


def _header(msg: Message, name: str) -> str:
    """A header's decoded text ('' when absent); RFC 2047 words are decoded by the policy."""
    value = msg.get(name)
    return "" if value is None else str(value)


def _first_id(value: str) -> str | None:
    found = _MSG_ID.search(value)
    if found:
        return found.group(1)
    bare = value.strip()
    return bare if bare and " " not in bare and len(bare) <= 480 else None


def _mailbox(msg: Message) -> str | None:
    delivered = parseaddr(_header(msg, "delivered-to"))[1]
    if delivered:
        return delivered.lower()
    for _name, addr in getaddresses([_header(msg, "to")]):
        if addr:
            return addr.lower()
    return None


def _date(msg: Message) -> datetime:
    value = _header(msg, "date")
    if value:
        return rfc822_time(value, "Date")
    received = _header(msg, "received")
    if ";" in received:
        return rfc822_time(received.rsplit(";", 1)[1], "Received")
    raise fk.ItemProblem("missing_time", "neither Date nor Received carries a date", "Date")


def _body(msg: EmailMessage) -> str:
    plain = html = None
    for index, part in enumerate(msg.walk()):
        if index > _MAX_PARTS:
            break
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        ctype = part.get_content_type()
        if ctype == "text/plain" and plain is None:
            plain = _decode(part)
        elif ctype == "text/html" and html is None:
            html = _decode(part)
    if plain is not None and plain.strip():
        return plain.strip("\r\n").replace("\r\n", "\n")
    if html is not None:
        return html_to_text(html)
    return ""


def _decode(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, "replace")
    except LookupError:  # an unknown charset name: keep what UTF-8 can read
        return payload.decode("utf-8", "replace")


def _lang(value: str) -> str | None:
    first = value.split(",")[0].strip()
    return first[:16] if first else None
