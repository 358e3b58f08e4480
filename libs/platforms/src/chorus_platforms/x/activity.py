"""X Account Activity API webhook events: ``tweet_create_events`` and ``direct_message_events``.

Shapes: https://developer.x.com/en/docs/x-api/enterprise/account-activity-api/guides/account-activity-data-objects
(``for_user_id`` + one ``*_events`` list; DMs add ``users`` keyed by user id),
https://developer.twitter.com/en/docs/twitter-api/v1/data-dictionary/object-model/tweet
(v1.1 tweet: ``id_str``, ``text`` / ``extended_tweet.full_text``, ``created_at`` as
``Wed Oct 10 20:19:24 +0000 2018``, ``user``, ``in_reply_to_status_id_str``, ``entities``) and
https://developer.x.com/en/docs/x-api/v1/direct-messages/sending-and-receiving/guides/message-create-object.

The channel is ``for_user_id`` (the subscribed brand account); its own tweets and DMs are
ignored, as are reposts and every other event type (likes, follows, typing, reads, deletes).
v1.1 tweets carry no ``conversation_id``: a reply is threaded under the tweet it answers.
A one-to-one DM thread is X's conversation id ``{smaller user id}-{larger user id}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chorus_common.contracts.events import Media, Metrics, Post

from chorus_platforms.kit.fields import (
    ItemProblem,
    as_dict,
    as_id,
    as_int,
    as_list,
    author,
    opt_str,
    optional_name,
    require_id,
    require_text,
)
from chorus_platforms.kit.inbound import Marked, Marker, NormalizeError, NormalizeResult
from chorus_platforms.kit.items import Items
from chorus_platforms.kit.times import epoch_time, twitter_time
from chorus_platforms.x.v2 import profile_url, tweet_lang, tweet_url, unescape_tweet_text


def _created(tweet: dict[str, Any]) -> datetime:
    if "created_at" in tweet:
        return twitter_time(tweet.get("created_at"), "created_at")
    return epoch_time(tweet.get("timestamp_ms"), "timestamp_ms", unit="ms")


def _media(tweet: dict[str, Any], extended: dict[str, Any]) -> tuple[Media, ...]:
    entities = as_dict(extended.get("extended_entities")) or as_dict(tweet.get("extended_entities"))
    found: list[Media] = []
    for item in as_list(entities.get("media")):
        kind, url = (
            opt_str(as_dict(item).get("type")),
            opt_str(as_dict(item).get("media_url_https")),
        )
        if kind and url:
            found.append(Media(type=kind, url=url))
    return tuple(found)


def activity_tweet(channel: str, tweet: Any) -> Marked | None:
    """One v1.1 tweet of ``tweet_create_events`` as a canonical post; its edit marker is this
    version's own ``id_str`` (an edit gets a new, larger id; ``edit_history.initial_tweet_id``
    names the post)."""
    tweet = as_dict(tweet)
    tweet_id = require_id(tweet.get("id_str") or tweet.get("id"), "id_str")
    if "retweeted_status" in tweet:
        return None
    native = as_id(as_dict(tweet.get("edit_history")).get("initial_tweet_id")) or tweet_id
    user = as_dict(tweet.get("user"))
    user_id = as_id(user.get("id_str")) or as_id(user.get("id"))
    if user_id is None:
        raise ItemProblem("missing_author", "user.id_str is required", "user.id_str", native)
    if user_id == channel:
        return None  # the brand's own tweet or reply
    extended = as_dict(tweet.get("extended_tweet"))
    full = extended.get("full_text")
    text = require_text(full if isinstance(full, str) else tweet.get("text"), "text")
    parent = as_id(tweet.get("in_reply_to_status_id_str"))
    entities = as_dict(extended.get("entities")) or as_dict(tweet.get("entities"))
    mentioned = {as_id(as_dict(m).get("id_str")) for m in as_list(entities.get("user_mentions"))}
    quoted_owner = as_id(as_dict(as_dict(tweet.get("quoted_status")).get("user")).get("id_str"))
    kind: Any = "post"
    if parent:
        kind = "reply"
    elif channel in mentioned or quoted_owner == channel:
        kind = "mention"
    username = optional_name(user.get("screen_name"))
    conversation = as_id(tweet.get("conversation_id")) or parent or native
    post = Post(
        id=Post.make_id("x", native),
        platform="x",
        channel=channel,
        kind=kind,
        native_id=native,
        url=tweet_url(username, tweet_id),
        thread_id=Post.make_id("x", conversation),
        in_reply_to=Post.make_id("x", parent) if parent else None,
        author=author(
            user_id,
            handle=username,
            display_name=user.get("name"),
            followers=user.get("followers_count"),
            verified=user.get("verified"),
            url=profile_url(username),
        ),
        text=unescape_tweet_text(text),
        lang=tweet_lang(tweet.get("lang")),
        created_at=_created(tweet),
        metrics=Metrics(
            likes=as_int(tweet.get("favorite_count")) or 0,
            shares=(as_int(tweet.get("retweet_count")) or 0)
            + (as_int(tweet.get("quote_count")) or 0),
            replies=as_int(tweet.get("reply_count")) or 0,
        ),
        media=_media(tweet, extended),
    )
    return Marked(post, Marker.version(tweet_id))


def dm_thread(a: str, b: str) -> str:
    """X's one-to-one conversation id: the two user ids, numerically smaller first."""
    if a.isdigit() and b.isdigit():
        lo, hi = sorted((a, b), key=int)
    else:
        lo, hi = sorted((a, b))
    return f"{lo}-{hi}"


def activity_dm(channel: str, users: dict[str, Any], event: Any) -> Post | None:
    """One ``direct_message_events`` element received by the brand as a ``dm``."""
    event = as_dict(event)
    if event.get("type") != "message_create":
        return None
    native = require_id(event.get("id"), "id")
    create = as_dict(event.get("message_create"))
    sender = as_id(create.get("sender_id"))
    if sender is None:
        raise ItemProblem("missing_author", "sender_id is required", "message_create", native)
    if sender == channel:
        return None  # a DM the brand sent
    recipient = as_id(as_dict(create.get("target")).get("recipient_id")) or channel
    data = as_dict(create.get("message_data"))
    attachment = as_dict(as_dict(data.get("attachment")).get("media"))
    media_url, media_type = (
        opt_str(attachment.get("media_url_https")),
        opt_str(attachment.get("type")),
    )
    user = as_dict(users.get(sender))
    username = optional_name(user.get("screen_name"))
    return Post(
        id=Post.make_id("x", native),
        platform="x",
        channel=channel,
        kind="dm",
        native_id=native,
        thread_id=Post.make_id("x", dm_thread(sender, recipient)),
        author=author(
            sender,
            handle=username,
            display_name=user.get("name"),
            followers=user.get("followers_count"),
            verified=user.get("verified"),
            url=profile_url(username),
        ),
        text=require_text(data.get("text"), "message_create.message_data.text"),
        created_at=epoch_time(event.get("created_timestamp"), "created_timestamp", unit="ms"),
        media=(Media(type=media_type, url=media_url),) if media_url and media_type else (),
    )


def normalize_activity(body: dict[str, Any]) -> NormalizeResult:
    """An Account Activity delivery; event types other than tweets and DMs are ignored."""
    channel = as_id(body.get("for_user_id"))
    if channel is None:
        raise NormalizeError("missing_channel", "for_user_id must be a user id", "for_user_id")
    items = Items()
    for i, tweet in enumerate(as_list(body.get("tweet_create_events"))):
        guess = as_id(as_dict(tweet).get("id_str"))
        items.add(f"tweet_create_events[{i}]", tweet, guess, activity_tweet, channel, tweet)
    users = as_dict(body.get("users"))
    for i, event in enumerate(as_list(body.get("direct_message_events"))):
        guess = as_id(as_dict(event).get("id"))
        path = f"direct_message_events[{i}]"
        items.add(path, event, guess, activity_dm, channel, users, event)
    return items.result
