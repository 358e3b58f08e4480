"""X Account Activity API webhook deliveries: ``for_user_id`` plus one ``*_events`` list.

Shape: https://developer.x.com/en/docs/x-api/enterprise/account-activity-api/guides/account-activity-data-objects.
The channel is ``for_user_id`` (the subscribed brand account). ``tweet_create_events`` are
v1.1 statuses (:mod:`.v1`) and ``direct_message_events`` DMs with a ``users`` map
(:mod:`.dms`), the brand's own included (``from_brand``). Every element of every other event
list is counted as skipped with its reason: likes, follows, blocks, mutes, deletes, typing
indicators and read receipts are not posts.
"""

from __future__ import annotations

from typing import Any

from chorus_platforms.kit import fields as fk
from chorus_platforms.kit.inbound import NormalizeError, NormalizeResult
from chorus_platforms.kit.items import Items
from chorus_platforms.x.dms import activity_dm
from chorus_platforms.x.v1 import status_post

# The event lists that are not posts, with the skip code of their elements.
_NOT_POSTS = {
    "favorite_events": ("reaction", "a like"),
    "follow_events": ("follow", "a follow"),
    "unfollow_events": ("follow", "an unfollow"),
    "block_events": ("block", "a block"),
    "unblock_events": ("block", "an unblock"),
    "mute_events": ("mute", "a mute"),
    "unmute_events": ("mute", "an unmute"),
    "user_event": ("revoke", "an authorization revoke"),
    "tweet_delete_events": ("deleted", "a deletion notice"),
    "direct_message_indicate_typing_events": ("typing", "a typing indicator"),
    "direct_message_mark_read_events": ("read_receipt", "a read receipt"),
}


def _skip(code: str, reason: str) -> None:
    raise fk.Skip(code, reason)


def _other_events(items: Items, body: dict[str, Any]) -> None:
    for key, value in body.items():
        if key in ("tweet_create_events", "direct_message_events") or not key.endswith(
            ("_events", "_event")
        ):
            continue
        code, what = _NOT_POSTS.get(key, ("unsupported_event", f"an event of {key[:40]}"))
        events = value if isinstance(value, list) else [value]
        for i, event in enumerate(events):
            found = fk.as_dict(event)
            guess = fk.as_id(found.get("id")) or fk.as_id(fk.as_dict(found.get("status")).get("id"))
            items.add(f"{key}[{i}]", event, guess, _skip, code, f"{what} is not a post")


def is_activity(body: dict[str, Any]) -> bool:
    """An Account Activity delivery: ``for_user_id``, or (a revoke) only ``user_event``."""
    return "for_user_id" in body or "user_event" in body


def normalize_activity(body: dict[str, Any]) -> NormalizeResult:
    """An Account Activity delivery: every event of every list is a post, an error or a skip."""
    channel = fk.as_id(body.get("for_user_id"))
    has_posts = "tweet_create_events" in body or "direct_message_events" in body
    if channel is None and (has_posts or "for_user_id" in body):
        raise NormalizeError("missing_channel", "for_user_id must be a user id", "for_user_id")
    items = Items()
    for i, tweet in enumerate(fk.as_list(body.get("tweet_create_events"))):
        guess = fk.as_id(fk.as_dict(tweet).get("id_str"))
        items.add(f"tweet_create_events[{i}]", tweet, guess, status_post, channel or "", tweet)
    users = fk.as_dict(body.get("users"))
    for i, event in enumerate(fk.as_list(body.get("direct_message_events"))):
        guess = fk.as_id(fk.as_dict(event).get("id"))
        path = f"direct_message_events[{i}]"
        items.add(path, event, guess, activity_dm, channel or "", users, event)
    _other_events(items, body)
    return items.result
