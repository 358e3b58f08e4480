"""WhatsApp Business Cloud API: ``object: whatsapp_business_account`` webhooks.

Shape: https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages
(``entry[].changes[].value`` with ``metadata`` {display_phone_number, phone_number_id},
``contacts`` [{profile.name, wa_id}], ``messages`` [{from, id, timestamp, type, text|image|…,
context}], ``statuses`` for the brand's own outgoing messages, which are not posts and are
ignored).

Every message is a ``dm`` on channel ``phone_number_id``; thread
``whatsapp:{phone_number_id}:{customer wa_id}`` (or the group id for group messages). Media
messages carry a media id, not a URL: ``media.url`` is the Graph endpoint
``https://graph.facebook.com/{media-id}`` that returns the download URL to a holder of the
business access token. Locations become a ``geo:`` URI (RFC 5870).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from chorus_common.contracts.events import Media, Post

from chorus_platforms.kit.fields import (
    ItemProblem,
    as_dict,
    as_id,
    as_list,
    author,
    opt_str,
    require_id,
    require_text,
)
from chorus_platforms.kit.inbound import HandshakeResponse, NormalizeResult, RawInput
from chorus_platforms.kit.items import Items
from chorus_platforms.kit.times import epoch_time
from chorus_platforms.meta.webhooks import (
    Entry,
    entries,
    load_envelope,
    meta_handshake,
    verify_meta_signature,
)

_MEDIA_TYPES = frozenset({"image", "video", "audio", "document", "sticker"})
_IGNORED_TYPES = frozenset({"system", "ephemeral"})


def _location(body: dict[str, Any]) -> tuple[str, tuple[Media, ...]]:
    text = "\n".join(s for s in (opt_str(body.get("name")), opt_str(body.get("address"))) if s)
    lat, lng = body.get("latitude"), body.get("longitude")
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lng)):
        return text, (Media(type="location", url=f"geo:{lat},{lng}"),)
    return text, ()


def _content(message: dict[str, Any], kind: str) -> tuple[str, tuple[Media, ...]] | None:
    """(text, media) for one message type; None for types that are not posts."""
    body = as_dict(message.get(kind))
    if kind == "text":
        return require_text(body.get("body"), "text.body"), ()
    if kind in _MEDIA_TYPES:
        media_id = require_id(body.get("id"), f"{kind}.id")
        caption = require_text(body.get("caption"), f"{kind}.caption", allow_missing=True)
        return caption, (Media(type=kind, url=f"https://graph.facebook.com/{media_id}"),)
    if kind == "location":
        return _location(body)
    if kind == "button":
        return require_text(body.get("text"), "button.text"), ()
    if kind == "interactive":
        reply = as_dict(body.get("button_reply")) or as_dict(body.get("list_reply"))
        return require_text(reply.get("title"), "interactive.title"), ()
    if kind == "reaction":
        emoji = require_text(body.get("emoji"), "reaction.emoji", allow_missing=True)
        return (emoji, ()) if emoji else None  # an empty emoji removes a reaction
    if kind in _IGNORED_TYPES:
        return None
    raise ItemProblem("unsupported_message", "WhatsApp message type is not supported", "type")


def message_post(phone_id: str, names: dict[str, str], message: Any) -> Post | None:
    """One ``messages[]`` element sent by a customer to the business number."""
    message = as_dict(message)
    native = require_id(message.get("id"), "id")
    sender = require_id(message.get("from"), "from")
    kind = opt_str(message.get("type")) or ""
    try:
        content = _content(message, kind)
    except ItemProblem as exc:
        exc.native_id = native
        raise
    if content is None:
        return None
    text, media = content
    replied = as_id(as_dict(message.get("context")).get("id"))
    if kind == "reaction":
        replied = as_id(as_dict(message.get("reaction")).get("message_id"))
    conversation = as_id(message.get("group_id")) or sender
    return Post(
        id=Post.make_id("whatsapp", native),
        platform="whatsapp",
        channel=phone_id,
        kind="dm",
        native_id=native,
        thread_id=f"whatsapp:{phone_id}:{conversation}",
        in_reply_to=Post.make_id("whatsapp", replied) if replied else None,
        author=author(sender, display_name=names.get(sender)),
        text=text,
        created_at=epoch_time(message.get("timestamp"), "timestamp", unit="s"),
        media=media,
    )


def _missing_phone() -> Post | None:
    raise ItemProblem("missing_field", "metadata.phone_number_id is required", "metadata")


def _whatsapp_entry(items: Items, entry: Entry) -> None:
    for j, change in enumerate(as_list(entry.raw.get("changes"))):
        value = as_dict(as_dict(change).get("value"))
        if as_dict(change).get("field") != "messages" or "messages" not in value:
            continue  # statuses, template and account updates: not posts
        path = f"{entry.path}.changes[{j}].value"
        phone_id = as_id(as_dict(value.get("metadata")).get("phone_number_id"))
        if phone_id is None:
            items.add(path, change, None, _missing_phone)
            continue
        names = {
            wa: name
            for contact in as_list(value.get("contacts"))
            if (wa := as_id(as_dict(contact).get("wa_id")))
            and (name := opt_str(as_dict(as_dict(contact).get("profile")).get("name")))
        }
        for k, message in enumerate(as_list(value.get("messages"))):
            guess = as_id(as_dict(message).get("id"))
            items.add(
                f"{path}.messages[{k}]", message, guess, message_post, phone_id, names, message
            )


def normalize_whatsapp(raw: RawInput) -> NormalizeResult:
    """A WhatsApp Business Account webhook envelope into ``dm`` posts."""
    items = Items()
    for entry in entries(items, load_envelope(raw, ("whatsapp_business_account",))):
        _whatsapp_entry(items, entry)
    return items.result


class WhatsAppConnector:
    """WhatsApp Cloud API adapter: pure normalize, ``X-Hub-Signature-256``, hub handshake."""

    platform: str = "whatsapp"

    def normalize(self, raw: RawInput) -> NormalizeResult:
        """Parse a WhatsApp webhook into posts; statuses are ignored; pure."""
        return normalize_whatsapp(raw)

    def verify(self, raw: RawInput, secrets: Mapping[str, str], now: datetime) -> None:
        """HMAC-SHA256 of the raw body with ``app_secret``; raises ``SignatureError``."""
        verify_meta_signature(raw, secrets)

    def handshake(
        self, query: Mapping[str, str], secrets: Mapping[str, str]
    ) -> HandshakeResponse | None:
        """Echo ``hub.challenge`` when ``hub.verify_token`` equals ``verify_token``."""
        return meta_handshake(query, secrets)
