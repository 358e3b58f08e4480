"""X API v2 responses: tweet objects (lookups, recent search pages, filtered-stream
deliveries) and DM events (``GET /2/dm_events``, see :mod:`.dms`).

Shape: https://developer.x.com/en/docs/twitter-api/data-dictionary/example-payloads and
https://docs.x.com/x-api/fundamentals/data-dictionary — ``data`` (one object or a list),
``includes.users`` / ``includes.media``, ``meta`` {newest_id, oldest_id, result_count,
next_token}. Ask for ``tweet.fields=created_at,conversation_id,public_metrics,lang,entities,
referenced_tweets,attachments,edit_history_tweet_ids,note_tweet,author_id`` and
``expansions=author_id,attachments.media_keys`` with ``user.fields=username,name,verified,
public_metrics`` so every canonical field can be filled. A tweet asked for with the default
fields only (``id``, ``text``, ``edit_history_tweet_ids``) is read as far as it goes: its time
comes from its snowflake id, and without ``author_id`` it is an ``ItemProblem`` that says so.

Thread: ``conversation_id``. An edited tweet keeps the id of its first version
(``edit_history_tweet_ids[0]``) so the edit is published as an update of the known post;
the version's own ``id`` (X gives each edit a new, larger id) is its edit marker, so an
older version delivered later never replaces a newer one. Reposts (``retweeted``) add no
words and are skipped; the brand's own tweets are posts with ``from_brand``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chorus_common.contracts.events import Media, Metrics, PostKind

from chorus_platforms.kit import fields as fk
from chorus_platforms.kit.inbound import Marked, Marker, NormalizeError, NormalizeResult, RawInput
from chorus_platforms.kit.items import Items, require_channel
from chorus_platforms.kit.posts import native_post
from chorus_platforms.kit.times import iso_time
from chorus_platforms.x.common import (
    profile_url,
    snowflake_time,
    tweet_lang,
    tweet_url,
    unescape_tweet_text,
)
from chorus_platforms.x.dms import is_dm_event, v2_dm

_VERIFIED = ("blue", "business", "government")  # verified_type values of a checkmark


@dataclass
class Includes:
    """``includes`` of a v2 response, indexed by id / media key."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    media: dict[str, dict[str, Any]] = field(default_factory=dict)
    tweets: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, includes: Any) -> Includes:
        inc = fk.as_dict(includes)

        def index(key: str, id_key: str) -> dict[str, dict[str, Any]]:
            found: dict[str, dict[str, Any]] = {}
            for obj in fk.as_list(inc.get(key)):
                obj_id = fk.as_id(fk.as_dict(obj).get(id_key))
                if obj_id is not None:
                    found[obj_id] = obj
            return found

        return cls(index("users", "id"), index("media", "media_key"), index("tweets", "id"))


def _media(includes: Includes, tweet: dict[str, Any]) -> tuple[Media, ...]:
    found: list[Media] = []
    for key in fk.as_list(fk.as_dict(tweet.get("attachments")).get("media_keys")):
        item = includes.media.get(fk.as_id(key) or "", {})
        kind = fk.opt_str(item.get("type"))
        url = fk.opt_str(item.get("url")) or fk.opt_str(item.get("preview_image_url"))
        if kind and url:
            found.append(Media(type=kind, url=url))
    return tuple(found)


def _kind(
    channel: str, tweet: dict[str, Any], refs: dict[str, str], includes: Includes
) -> PostKind:
    if "replied_to" in refs:
        return "reply"
    mentions = fk.as_list(fk.as_dict(tweet.get("entities")).get("mentions"))
    mentioned = {fk.as_id(fk.as_dict(m).get("id")) for m in mentions}
    quoted = includes.tweets.get(refs.get("quoted", ""), {})
    if channel in mentioned or fk.as_id(quoted.get("author_id")) == channel:
        return "mention"
    return "post"


def _refs(tweet: dict[str, Any]) -> dict[str, str]:
    return {
        ref_type: ref_id
        for ref in fk.as_list(tweet.get("referenced_tweets"))
        if (ref_type := fk.opt_str(fk.as_dict(ref).get("type")))
        and (ref_id := fk.as_id(fk.as_dict(ref).get("id")))
    }


def _metrics(tweet: dict[str, Any]) -> Metrics:
    metrics = fk.as_dict(tweet.get("public_metrics"))
    return Metrics(
        likes=fk.as_int(metrics.get("like_count")) or 0,
        shares=(fk.as_int(metrics.get("retweet_count")) or 0)
        + (fk.as_int(metrics.get("quote_count")) or 0),
        replies=fk.as_int(metrics.get("reply_count")) or 0,
        views=fk.as_int(metrics.get("impression_count")) or 0,
    )


def v2_tweet(channel: str, includes: Includes, tweet: Any) -> Marked:
    """One v2 tweet object (with the response's ``includes``) as a canonical post; its edit
    marker is this version's own tweet id (an edit gets a new, larger id)."""
    tweet = fk.as_dict(tweet)
    tweet_id = fk.require_id(tweet.get("id"), "id")
    refs = _refs(tweet)
    if "retweeted" in refs:
        raise fk.Skip("repost", "a repost adds no words of its own")
    history = fk.as_list(tweet.get("edit_history_tweet_ids"))
    native = (fk.as_id(history[0]) if history else None) or tweet_id
    author_id = fk.as_id(tweet.get("author_id"))
    if author_id is None:
        raise fk.ItemProblem(
            "missing_author", "author_id is required (tweet.fields)", "author_id", native
        )
    user = includes.users.get(author_id, {})
    username = fk.optional_name(user.get("username"))
    note = fk.as_dict(tweet.get("note_tweet")).get("text")
    text = fk.require_text(note if isinstance(note, str) else tweet.get("text"), "text")
    created = tweet.get("created_at")
    parent = refs.get("replied_to")
    post = native_post(
        "x",
        channel,
        native,
        _kind(channel, tweet, refs, includes),
        fk.as_id(tweet.get("conversation_id")) or parent or native,
        parent,
        url=tweet_url(username, tweet_id),
        author=fk.author(
            author_id,
            handle=username,
            display_name=user.get("name"),
            followers=fk.as_dict(user.get("public_metrics")).get("followers_count"),
            verified=user.get("verified") is True or user.get("verified_type") in _VERIFIED,
            url=profile_url(username),
        ),
        text=unescape_tweet_text(text),
        lang=tweet_lang(tweet.get("lang")),
        created_at=iso_time(created, "created_at")
        if created is not None
        else snowflake_time(tweet_id, "created_at"),
        metrics=_metrics(tweet),
        media=_media(includes, tweet),
        from_brand=author_id == channel,
    )
    return Marked(post, Marker.version(tweet_id))


def normalize_v2(raw: RawInput, body: dict[str, Any]) -> NormalizeResult:
    """A v2 response: ``data`` is one object or a page (tweets or DM events); ``meta`` alone is
    an empty page."""
    data = body.get("data")
    if isinstance(data, list):
        objects = data
    elif isinstance(data, dict):
        objects = [data]
    elif data is None and isinstance(body.get("meta"), dict):
        objects = []
    else:
        raise NormalizeError("unrecognized_payload", "data must be an object or a list", "data")
    channel = require_channel(raw)
    includes = Includes.of(body.get("includes"))
    items = Items()
    for i, obj in enumerate(objects):
        guess = fk.as_id(fk.as_dict(obj).get("id"))
        if is_dm_event(obj):
            items.add(f"data[{i}]", obj, guess, v2_dm, channel, includes.users, obj)
        else:
            items.add(f"data[{i}]", obj, guess, v2_tweet, channel, includes, obj)
    return items.result
