"""What Facebook Pages, Messenger, Instagram and WhatsApp webhooks share.

* Signature: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app_secret, raw body)>``
  (https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads).
* Handshake: ``GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`` echoes the
  challenge when the verify token matches (``verify_token`` secret), else 403.
* Envelope: ``{"object": …, "entry": [{"id", "time", "changes": [{"field", "value"}],
  "messaging": [...]}]}``.
* Messaging events (Messenger and Instagram direct messages): ``sender``, ``recipient``,
  ``timestamp`` (ms), ``message`` {mid, text, attachments, reply_to, is_echo}
  (https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from chorus_common.contracts.events import Media, Platform, Post

from chorus_platforms.kit import signatures
from chorus_platforms.kit.fields import (
    ItemProblem,
    as_dict,
    as_id,
    as_int,
    as_list,
    author,
    opt_str,
    require_id,
    require_text,
)
from chorus_platforms.kit.inbound import (
    HandshakeResponse,
    Marked,
    Marker,
    NormalizeError,
    RawInput,
    SignatureError,
)
from chorus_platforms.kit.items import Items, load_json
from chorus_platforms.kit.times import epoch_time

SIGNATURE_HEADER = "x-hub-signature-256"
_MAX_CHALLENGE = 512


def verify_meta_signature(raw: RawInput, secrets: Mapping[str, str]) -> None:
    """Check ``X-Hub-Signature-256`` against the raw body; 401 missing, 403 wrong."""
    given = signatures.signature_header(raw, SIGNATURE_HEADER)
    secret = signatures.secret(secrets, "app_secret")
    if not given.startswith("sha256="):
        raise SignatureError(403, "bad_signature", f"{SIGNATURE_HEADER} must start with sha256=")
    expected = signatures.hmac_sha256(secret, raw.body).hex()
    if not signatures.equal(given[len("sha256=") :].lower(), expected):
        raise SignatureError(403, "bad_signature", f"{SIGNATURE_HEADER} does not match the body")


def meta_handshake(query: Mapping[str, str], secrets: Mapping[str, str]) -> HandshakeResponse:
    """Answer the ``hub.challenge`` subscription check: echo on a matching token, else 403."""
    expected = secrets.get("verify_token") or ""
    token = query.get("hub.verify_token") or ""
    challenge = query.get("hub.challenge") or ""
    if (
        query.get("hub.mode") != "subscribe"
        or not expected
        or not challenge
        or not signatures.equal(token, expected)
    ):
        return HandshakeResponse(403, b"verification failed")
    if len(challenge) > _MAX_CHALLENGE or not challenge.isprintable():
        return HandshakeResponse(400, b"invalid hub.challenge")
    return HandshakeResponse(200, challenge.encode("utf-8"))


@dataclass(frozen=True)
class Entry:
    """One ``entry[]`` element: the account it concerns and when Meta sent it."""

    account_id: str
    time: Any
    raw: dict[str, Any]
    path: str


def meta_envelope(data: Any, objects: tuple[str, ...]) -> list[Any]:
    """The ``entry`` list of a webhook envelope whose ``object`` is one of ``objects``."""
    if not isinstance(data, dict) or "object" not in data:
        raise NormalizeError("unrecognized_payload", "expected a Meta webhook envelope")
    if data.get("object") not in objects:
        wanted = " or ".join(objects)
        raise NormalizeError("wrong_object", f"object must be {wanted}", "object")
    entries = data.get("entry")
    if not isinstance(entries, list):
        raise NormalizeError("missing_entry", "entry must be a list", "entry")
    return entries


def entries(items: Items, raw_entries: list[Any]) -> Iterator[Entry]:
    """The well-formed entries; a malformed one becomes an ``ItemError``."""
    for i, raw_entry in enumerate(raw_entries):
        path = f"entry[{i}]"
        account = as_id(as_dict(raw_entry).get("id"))
        if account is None:
            items.add(path, raw_entry, None, _bad_entry)
            continue
        yield Entry(account, raw_entry.get("time"), raw_entry, path)


def _bad_entry() -> Post | None:
    raise ItemProblem("missing_field", "entry must be an object with an id", "id")


def load_envelope(raw: RawInput, objects: tuple[str, ...]) -> list[Any]:
    return meta_envelope(load_json(raw), objects)


def attachments_media(attachments: Any) -> tuple[Media, ...]:
    """Messenger/Instagram ``attachments[]`` with a ``payload.url`` as media."""
    found: list[Media] = []
    for attachment in as_list(attachments):
        kind = opt_str(as_dict(attachment).get("type"))
        url = opt_str(as_dict(as_dict(attachment).get("payload")).get("url"))
        if kind and url and url.startswith(("https://", "http://")):
            found.append(Media(type=kind, url=url))
    return tuple(found)


def messaging_post(platform: Platform, channel: str, event: Any) -> Marked | None:
    """A message, message edit or postback to the brand as a ``dm``; other events are ignored.
    The edit marker is the edit count (``message_edit.num_edit``; 0 for the message itself)."""
    event = as_dict(event)
    sender = as_id(as_dict(event.get("sender")).get("id"))
    message = event.get("message")
    edit = event.get("message_edit")
    postback = event.get("postback")
    reply_to: str | None = None
    media: tuple[Media, ...] = ()
    marker: Marker | None = None
    if isinstance(message, dict):
        if message.get("is_echo") is True or message.get("is_deleted") is True:
            return None  # the brand's own outgoing message, or one the sender unsent
        mid = require_id(message.get("mid"), "message.mid")
        text = require_text(message.get("text"), "message.text", allow_missing=True)
        media = attachments_media(message.get("attachments"))
        reply_to = as_id(as_dict(message.get("reply_to")).get("mid"))
        marker = Marker("edits", 0)
    elif isinstance(edit, dict):
        mid = require_id(edit.get("mid"), "message_edit.mid")
        text = require_text(edit.get("text"), "message_edit.text")
        edits = as_int(edit.get("num_edit"))
        marker = Marker("edits", edits) if edits is not None else None
    elif isinstance(postback, dict):
        mid = require_id(postback.get("mid"), "postback.mid")
        text = require_text(postback.get("title"), "postback.title", allow_missing=True)
    else:
        return None  # deliveries, reads, reactions, opt-ins: not posts
    if sender is None:
        raise ItemProblem("missing_field", "sender.id is required", "sender.id", mid)
    if sender == channel:
        return None
    post = Post(
        id=Post.make_id(platform, mid),
        platform=platform,
        channel=channel,
        kind="dm",
        native_id=mid,
        thread_id=f"{platform}:{channel}:{sender}",
        in_reply_to=Post.make_id(platform, reply_to) if reply_to else None,
        author=author(sender),
        text=text,
        created_at=epoch_time(event.get("timestamp"), "timestamp"),
        media=media,
    )
    return Marked(post, marker)


def messaging_events(items: Items, platform: Platform, entry: Entry) -> None:
    """Normalize ``entry.messaging[]`` into ``items``."""
    for k, event in enumerate(as_list(entry.raw.get("messaging"))):
        mid = as_id(as_dict(as_dict(event).get("message")).get("mid"))
        path = f"{entry.path}.messaging[{k}]"
        items.add(path, event, mid, messaging_post, platform, entry.account_id, event)
