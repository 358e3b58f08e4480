"""X API v1.1 status objects, wherever they appear: Account Activity ``tweet_create_events``,
a single status (``statuses/show``), a timeline (a list of statuses) or a standard search page
(``{"statuses": [...], "search_metadata": {...}}``).

Shape: https://developer.x.com/en/docs/x-api/v1/data-dictionary/object-model/tweet — ``id_str``,
``text`` / ``full_text`` / ``extended_tweet.full_text``, ``created_at`` as
``Wed Oct 10 20:19:24 +0000 2018``, ``user``, ``in_reply_to_status_id_str``, ``entities``,
``retweeted_status`` (a repost) and ``quoted_status`` (a quote). v1.1 has no
``conversation_id``: a reply is threaded under the tweet it answers, anything else under itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chorus_common.contracts.events import Media, Metrics, PostKind

from chorus_platforms.kit import fields as fk
from chorus_platforms.kit.inbound import Marked, Marker
from chorus_platforms.kit.posts import native_post
from chorus_platforms.kit.times import epoch_time, twitter_time
from chorus_platforms.x.common import (
    tweet_lang,
    tweet_url,
    unescape_tweet_text,
    v1_author,
)


def is_status(value: Any) -> bool:
    """A v1.1 status object: its string id and its author."""
    return isinstance(value, dict) and "id_str" in value and "user" in value


def _created(tweet: dict[str, Any]) -> datetime:
    if "created_at" in tweet:
        return twitter_time(tweet.get("created_at"), "created_at")
    return epoch_time(tweet.get("timestamp_ms"), "timestamp_ms", unit="ms")


def _media(tweet: dict[str, Any], extended: dict[str, Any]) -> tuple[Media, ...]:
    entities = fk.as_dict(extended.get("extended_entities")) or fk.as_dict(
        tweet.get("extended_entities")
    )
    found: list[Media] = []
    for item in fk.as_list(entities.get("media")):
        kind = fk.opt_str(fk.as_dict(item).get("type"))
        url = fk.opt_str(fk.as_dict(item).get("media_url_https"))
        if kind and url:
            found.append(Media(type=kind, url=url))
    return tuple(found)


def _text(tweet: dict[str, Any], extended: dict[str, Any]) -> str:
    for value in (extended.get("full_text"), tweet.get("full_text")):
        if isinstance(value, str):
            return fk.require_text(value, "full_text")
    return fk.require_text(tweet.get("text"), "text")


def _kind(channel: str, tweet: dict[str, Any], extended: dict[str, Any], parent: Any) -> PostKind:
    if parent:
        return "reply"
    if fk.as_id(fk.as_dict(tweet.get("user")).get("id_str")) == channel:
        return "post"  # the brand quoting or naming itself is not a mention of it
    entities = fk.as_dict(extended.get("entities")) or fk.as_dict(tweet.get("entities"))
    mentioned = {
        fk.as_id(fk.as_dict(m).get("id_str")) for m in fk.as_list(entities.get("user_mentions"))
    }
    quoted = fk.as_dict(fk.as_dict(tweet.get("quoted_status")).get("user"))
    return (
        "mention" if channel in mentioned or fk.as_id(quoted.get("id_str")) == channel else "post"
    )


def status_post(channel: str, tweet: Any) -> Marked:
    """One v1.1 status as a post (the brand's own with ``from_brand``); a repost is skipped.
    Its edit marker is this version's ``id_str`` (``edit_history.initial_tweet_id`` names it)."""
    tweet = fk.as_dict(tweet)
    tweet_id = fk.require_id(tweet.get("id_str") or tweet.get("id"), "id_str")
    if "retweeted_status" in tweet:
        raise fk.Skip("repost", "a repost adds no words of its own")
    native = fk.as_id(fk.as_dict(tweet.get("edit_history")).get("initial_tweet_id")) or tweet_id
    user = fk.as_dict(tweet.get("user"))
    user_id = fk.as_id(user.get("id_str")) or fk.as_id(user.get("id"))
    if user_id is None:
        raise fk.ItemProblem("missing_author", "user.id_str is required", "user.id_str", native)
    extended = fk.as_dict(tweet.get("extended_tweet"))
    parent = fk.as_id(tweet.get("in_reply_to_status_id_str"))
    thread = fk.as_id(tweet.get("conversation_id")) or parent or native
    post = native_post(
        "x",
        channel,
        native,
        _kind(channel, tweet, extended, parent),
        thread,
        parent,
        url=tweet_url(fk.optional_name(user.get("screen_name")), tweet_id),
        author=v1_author(user_id, user),
        text=unescape_tweet_text(_text(tweet, extended)),
        lang=tweet_lang(tweet.get("lang")),
        created_at=_created(tweet),
        metrics=Metrics(
            likes=fk.as_int(tweet.get("favorite_count")) or 0,
            shares=(fk.as_int(tweet.get("retweet_count")) or 0)
            + (fk.as_int(tweet.get("quote_count")) or 0),
            replies=fk.as_int(tweet.get("reply_count")) or 0,
        ),
        media=_media(tweet, extended),
        from_brand=user_id == channel,
    )
    return Marked(post, Marker.version(tweet_id))
