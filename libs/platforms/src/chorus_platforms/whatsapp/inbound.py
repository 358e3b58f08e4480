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

from typing import Any

from chorus_common.contracts.events import Media, Post

from chorus_platforms.kit.fields import (
    ItemProblem,
    Skip,
    as_dict,
    as_id,
    as_list,
    author,
    opt_str,
    require_id,
    require_text,
)
from chorus_platforms.kit.inbound import NormalizeResult, RawInput
from chorus_platforms.kit.items import Built, Items
from chorus_platforms.kit.times import epoch_time
from chorus_platforms.meta.webhooks import Entry, MetaConnector, changes, entries, load_envelope

_MEDIA_TYPES = frozenset({"image", "video", "audio", "document", "sticker"})
_NOT_POSTS = {
    "system": ("system", "a system notice (number change, …)"),
    "ephemeral": ("ephemeral", "a disappearing message WhatsApp does not deliver"),
}
_LISTS = {"messages": "messages", "smb_message_echoes": "message_echoes"}


def _location(body: dict[str, Any]) -> tuple[str, tuple[Media, ...]]:
    text = "\n".join(s for s in (opt_str(body.get("name")), opt_str(body.get("address"))) if s)
    lat, lng = body.get("latitude"), body.get("longitude")
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lng)):
        return text, (Media(type="location", url=f"geo:{lat},{lng}"),)
    return text, ()


def _content(message: dict[str, Any], kind: str) -> tuple[str, tuple[Media, ...]]:
    """(text, media) for one message type; ``Skip`` for types that are not posts."""
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
        if not emoji:
            raise Skip("reaction_removed", "an empty emoji removes a reaction")
        return emoji, ()
    if kind in _NOT_POSTS:
        raise Skip(*_NOT_POSTS[kind])
    raise ItemProblem("unsupported_message", "WhatsApp message type is not supported", "type")


def message_post(phone_id: str, names: dict[str, str], message: Any, echo: bool = False) -> Post:
    """One ``messages[]`` element sent by a customer to the business number, or one
    ``message_echoes[]`` element the business sent (``from_brand``, thread on ``to``)."""
    message = as_dict(message)
    native = require_id(message.get("id"), "id")
    sender = require_id(message.get("from"), "from")
    kind = opt_str(message.get("type")) or ""
    try:
        text, media = _content(message, kind)
    except ItemProblem as exc:
        exc.native_id = native
        raise
    replied = as_id(as_dict(message.get("context")).get("id"))
    if kind == "reaction":
        replied = as_id(as_dict(message.get("reaction")).get("message_id"))
    person = require_id(message.get("to"), "to") if echo else sender
    conversation = as_id(message.get("group_id")) or person
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
        from_brand=echo,
    )


def status_skip(status: Any) -> Built:
    state = opt_str(as_dict(status).get("status")) or "unknown"
    raise Skip("status", f"a {state} status of the business's own message")


def _missing_phone() -> Built:
    raise ItemProblem("missing_field", "metadata.phone_number_id is required", "metadata")


def _unsupported(field: str | None) -> Built:
    raise Skip("unsupported_field", f"the WhatsApp webhook field {field!r} is not read")


def _names(value: dict[str, Any]) -> dict[str, str]:
    return {
        wa: name
        for contact in as_list(value.get("contacts"))
        if (wa := as_id(as_dict(contact).get("wa_id")))
        and (name := opt_str(as_dict(as_dict(contact).get("profile")).get("name")))
    }


def _value(items: Items, path: str, field: str, value: dict[str, Any]) -> None:
    """The messages (or echoes) and statuses of one change value, one item each."""
    phone_id = as_id(as_dict(value.get("metadata")).get("phone_number_id"))
    if phone_id is None:
        items.add(path, value, None, _missing_phone)
        return
    key, names = _LISTS[field], _names(value)
    for k, message in enumerate(as_list(value.get(key))):
        guess = as_id(as_dict(message).get("id"))
        echo = field == "smb_message_echoes"
        args = (phone_id, names, message, echo)
        items.add(f"{path}.value.{key}[{k}]", message, guess, message_post, *args)
    for k, status in enumerate(as_list(value.get("statuses"))):
        guess = as_id(as_dict(status).get("id"))
        items.add(f"{path}.value.statuses[{k}]", status, guess, status_skip, status)


def _whatsapp_entry(items: Items, entry: Entry) -> None:
    for path, field, change in changes(entry):
        if field not in _LISTS:
            items.add(path, change, None, _unsupported, field)
            continue
        _value(items, path, field, as_dict(as_dict(change).get("value")))


def normalize_whatsapp(raw: RawInput) -> NormalizeResult:
    """A WhatsApp Business Account webhook envelope into ``dm`` posts."""
    items = Items()
    for entry in entries(items, load_envelope(raw, ("whatsapp_business_account",))):
        _whatsapp_entry(items, entry)
    return items.result


class WhatsAppConnector(MetaConnector):
    """WhatsApp Cloud API adapter: pure normalize, ``X-Hub-Signature-256``, hub handshake."""

    platform: str = "whatsapp"

    def normalize(self, raw: RawInput) -> NormalizeResult:
        """Parse a WhatsApp webhook into posts; statuses are skipped; pure."""
        return normalize_whatsapp(raw)
