"""X direct messages: Account Activity ``direct_message_events`` (v1.1 ``message_create``
events with a ``users`` map) and API v2 DM events (``GET /2/dm_events``).

Shapes: https://developer.x.com/en/docs/x-api/enterprise/account-activity-api/guides/account-activity-data-objects
(``type``, ``id``, ``created_timestamp`` in ms, ``message_create`` {``target.recipient_id``,
``sender_id``, ``message_data`` {``text``, ``attachment.media``}}) and
https://docs.x.com/x-api/direct-messages/lookup/integrate (``id``, ``event_type``
``MessageCreate`` / ``ParticipantsJoin`` / ``ParticipantsLeave``, ``text``, ``sender_id``,
``dm_conversation_id``, ``created_at``; every field but ``id`` and ``event_type`` only when
asked for with ``dm_event.fields``).

Both directions are posts: the brand's own messages (sender = the brand account) carry
``from_brand``. The thread is the conversation: ``dm_conversation_id`` when given, else the
one-to-one id ``{smaller user id}-{larger user id}``.
"""

from __future__ import annotations

from typing import Any

from chorus_common.contracts.events import Author, Media, Post

from chorus_platforms.kit import fields as fk
from chorus_platforms.kit.posts import native_post
from chorus_platforms.kit.times import epoch_time, iso_time
from chorus_platforms.x.common import (
    dm_thread,
    profile_url,
    snowflake_time,
    v1_author,
)

_MEMBERSHIP = ("ParticipantsJoin", "ParticipantsLeave")


def activity_dm(channel: str, users: dict[str, Any], event: Any) -> Post:
    """One ``direct_message_events`` element, sent or received by the brand, as a ``dm``."""
    event = fk.as_dict(event)
    if event.get("type") != "message_create":
        raise fk.Skip("unsupported_event", f"DM event type {str(event.get('type'))[:40]!r}")
    native = fk.require_id(event.get("id"), "id")
    create = fk.as_dict(event.get("message_create"))
    sender = fk.as_id(create.get("sender_id"))
    if sender is None:
        raise fk.ItemProblem("missing_author", "sender_id is required", "message_create", native)
    recipient = fk.as_id(fk.as_dict(create.get("target")).get("recipient_id")) or channel
    data = fk.as_dict(create.get("message_data"))
    attachment = fk.as_dict(fk.as_dict(data.get("attachment")).get("media"))
    media_url = fk.opt_str(attachment.get("media_url_https"))
    media_type = fk.opt_str(attachment.get("type"))
    return native_post(
        "x",
        channel,
        native,
        "dm",
        dm_thread(sender, recipient),
        None,
        author=v1_author(sender, users.get(sender)),
        text=fk.require_text(data.get("text"), "message_create.message_data.text"),
        created_at=epoch_time(event.get("created_timestamp"), "created_timestamp", unit="ms"),
        media=(Media(type=media_type, url=media_url),) if media_url and media_type else (),
        from_brand=sender == channel,
    )


def is_dm_event(value: Any) -> bool:
    return isinstance(value, dict) and "event_type" in value


def _v2_author(sender: str, users: dict[str, Any]) -> Author:
    user = fk.as_dict(users.get(sender))
    username = fk.optional_name(user.get("username"))
    return fk.author(
        sender,
        handle=username,
        display_name=user.get("name"),
        followers=fk.as_dict(user.get("public_metrics")).get("followers_count"),
        verified=user.get("verified"),
        url=profile_url(username),
    )


def v2_dm(channel: str, users: dict[str, Any], event: Any) -> Post:
    """One v2 DM event: a ``MessageCreate`` is a ``dm``; joins and leaves are skipped."""
    event = fk.as_dict(event)
    native = fk.require_id(event.get("id"), "id")
    kind = event.get("event_type")
    if kind in _MEMBERSHIP:
        raise fk.Skip("membership", f"{kind}: a change of the conversation's members")
    if kind != "MessageCreate":
        raise fk.Skip("unsupported_event", f"DM event type {str(kind)[:40]!r}")
    sender = fk.as_id(event.get("sender_id"))
    if sender is None:
        raise fk.ItemProblem(
            "missing_author", "sender_id is required (dm_event.fields)", "sender_id", native
        )
    conversation = fk.as_id(event.get("dm_conversation_id"))
    if conversation is None and sender == channel:
        # the brand's own message names no other participant: the conversation is unknown
        raise fk.ItemProblem(
            "unknown_thread",
            "dm_conversation_id is required (dm_event.fields)",
            "dm_conversation_id",
            native,
        )
    created = event.get("created_at")
    return native_post(
        "x",
        channel,
        native,
        "dm",
        conversation or dm_thread(sender, channel),
        None,
        author=_v2_author(sender, users),
        text=fk.require_text(event.get("text"), "text", allow_missing=True),
        created_at=iso_time(created, "created_at")
        if created is not None
        else snowflake_time(native, "created_at"),
        from_brand=sender == channel,
    )
