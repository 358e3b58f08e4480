"""Messenger and Instagram direct messages: ``entry[].messaging[]`` events.

Shape: ``sender``, ``recipient``, ``timestamp`` (ms), ``message`` {mid, text, attachments,
reply_to, is_echo, is_deleted}, ``message_edit`` {mid, text, num_edit}, ``postback`` {mid,
title} (https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/).
A ``message_echoes`` event (``is_echo: true``) is the page's own message: a ``dm`` with
``from_brand`` in the same conversation (thread on the person, the recipient). Deliveries,
reads, reactions, opt-ins, referrals and hand-overs are skipped with their reason.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from chorus_common.contracts.events import Media, Platform, Post

from chorus_platforms.kit.fields import (
    ItemProblem,
    Skip,
    as_dict,
    as_id,
    as_int,
    as_list,
    author,
    opt_str,
    require_id,
    require_text,
)
from chorus_platforms.kit.inbound import Marked, Marker
from chorus_platforms.kit.items import Items
from chorus_platforms.kit.times import epoch_time
from chorus_platforms.meta.webhooks import Entry

# Events that are not posts, by their key: (skip code, reason).
_NOT_POSTS = {
    "delivery": ("receipt", "a delivery receipt of the page's messages"),
    "read": ("receipt", "a read receipt of the page's messages"),
    "reaction": ("reaction", "a reaction to a message"),
    "optin": ("opt_in", "a messaging opt-in"),
    "referral": ("referral", "a referral into the conversation"),
    "account_linking": ("account_linking", "an account linking event"),
    "pass_thread_control": ("handover", "a conversation hand-over between apps"),
    "take_thread_control": ("handover", "a conversation hand-over between apps"),
    "request_thread_control": ("handover", "a conversation hand-over between apps"),
    "policy-enforcement": ("policy", "a policy enforcement notice"),
}


def attachments_media(attachments: Any) -> tuple[Media, ...]:
    """Messenger/Instagram ``attachments[]`` with a ``payload.url`` as media."""
    found: list[Media] = []
    for attachment in as_list(attachments):
        kind = opt_str(as_dict(attachment).get("type"))
        url = opt_str(as_dict(as_dict(attachment).get("payload")).get("url"))
        if kind and url and url.startswith(("https://", "http://")):
            found.append(Media(type=kind, url=url))
    return tuple(found)


def _not_a_post(event: dict[str, Any]) -> Skip:
    for key, (code, reason) in _NOT_POSTS.items():
        if key in event:
            return Skip(code, reason)
    return Skip("unsupported_event", "a messaging event that carries no message")


class _Said(NamedTuple):
    mid: str
    text: str
    replied: str | None = None
    media: tuple[Media, ...] = ()
    marker: Marker | None = None
    echo: bool = False


def _content(event: dict[str, Any]) -> _Said:
    """What a message, an edit or a postback says; anything else is skipped."""
    message, edit, postback = event.get("message"), event.get("message_edit"), event.get("postback")
    if isinstance(message, dict):
        if message.get("is_deleted") is True:
            raise Skip("deleted", "the sender unsent this message")
        mid = require_id(message.get("mid"), "message.mid")
        text = require_text(message.get("text"), "message.text", allow_missing=True)
        replied = as_id(as_dict(message.get("reply_to")).get("mid"))
        media = attachments_media(message.get("attachments"))
        return _Said(mid, text, replied, media, Marker("edits", 0), message.get("is_echo") is True)
    if isinstance(edit, dict):
        mid = require_id(edit.get("mid"), "message_edit.mid")
        text = require_text(edit.get("text"), "message_edit.text")
        edits = as_int(edit.get("num_edit"))
        return _Said(mid, text, marker=Marker("edits", edits) if edits is not None else None)
    if isinstance(postback, dict):
        mid = require_id(postback.get("mid"), "postback.mid")
        text = require_text(postback.get("title"), "postback.title", allow_missing=True)
        return _Said(mid, text)
    raise _not_a_post(event)


def messaging_post(platform: Platform, channel: str, event: Any) -> Marked:
    """A message, edit or postback as a ``dm``; the page's own (echo) with ``from_brand``.
    The edit marker is the edit count (``message_edit.num_edit``; 0 for the message itself)."""
    event = as_dict(event)
    mid, text, replied, media, marker, echo = _content(event)
    sender = as_id(as_dict(event.get("sender")).get("id"))
    if sender is None:
        raise ItemProblem("missing_field", "sender.id is required", "sender.id", mid)
    from_brand = echo or sender == channel
    person = as_id(as_dict(event.get("recipient")).get("id")) if from_brand else sender
    if person is None or person == channel:
        raise ItemProblem("missing_field", "recipient.id names the person", "recipient.id", mid)
    post = Post(
        id=Post.make_id(platform, mid),
        platform=platform,
        channel=channel,
        kind="dm",
        native_id=mid,
        thread_id=f"{platform}:{channel}:{person}",
        in_reply_to=Post.make_id(platform, replied) if replied else None,
        author=author(sender),
        text=text,
        created_at=epoch_time(event.get("timestamp"), "timestamp"),
        media=media,
        from_brand=from_brand,
    )
    return Marked(post, marker)


def messaging_events(items: Items, platform: Platform, entry: Entry) -> None:
    """Normalize ``entry.messaging[]`` into ``items``, one item per event."""
    for k, event in enumerate(as_list(entry.raw.get("messaging"))):
        mid = as_id(as_dict(as_dict(event).get("message")).get("mid"))
        path = f"{entry.path}.messaging[{k}]"
        items.add(path, event, mid, messaging_post, platform, entry.account_id, event)
