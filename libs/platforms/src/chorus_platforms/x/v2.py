"""X API v2 tweet objects: lookups, recent search pages, filtered-stream deliveries.

Shape: https://developer.x.com/en/docs/twitter-api/data-dictionary/example-payloads and
https://docs.x.com/x-api/fundamentals/data-dictionary — ``data`` (one tweet or a list),
``includes.users`` / ``includes.media``, ``meta`` {newest_id, oldest_id, result_count,
next_token}. Ask for ``tweet.fields=created_at,conversation_id,public_metrics,lang,entities,
referenced_tweets,attachments,edit_history_tweet_ids,note_tweet`` and
``expansions=author_id,attachments.media_keys`` with ``user.fields=username,name,verified,
public_metrics`` so every canonical field can be filled.

Thread: ``conversation_id``. An edited tweet keeps the id of its first version
(``edit_history_tweet_ids[0]``) so the edit is published as an update of the known post;
the version's own ``id`` (X gives each edit a new, larger id) is its edit marker, so an
older version delivered later never replaces a newer one.
Reposts (``retweeted``) add no words to answer and are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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
from chorus_platforms.kit.inbound import (
    Marked,
    Marker,
    NormalizeError,
    NormalizeResult,
    RawInput,
)
from chorus_platforms.kit.items import Items, require_channel
from chorus_platforms.kit.times import iso_time

_USERNAME = re.compile(r"^[A-Za-z0-9_]{1,50}$")
_VERIFIED = ("blue", "business", "government")  # verified_type values of a checkmark
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})?$")


def unescape_tweet_text(text: str) -> str:
    """X escapes exactly ``&``, ``<`` and ``>`` in tweet text; undo that and nothing else."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def tweet_lang(value: Any) -> str | None:
    """The BCP 47 tag X detected; ``und``, ``zxx`` and X's private ``q*`` codes mean none."""
    lang = opt_str(value)
    if lang is None or not _LANG.match(lang) or lang in ("und", "zxx") or lang.startswith("q"):
        return None
    return lang


def tweet_url(username: str | None, tweet_id: str) -> str:
    if username and _USERNAME.match(username):
        return f"https://x.com/{username}/status/{tweet_id}"
    return f"https://x.com/i/web/status/{tweet_id}"


def profile_url(username: str | None) -> str | None:
    return f"https://x.com/{username}" if username and _USERNAME.match(username) else None


@dataclass
class Includes:
    """``includes`` of a v2 response, indexed by id / media key."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    media: dict[str, dict[str, Any]] = field(default_factory=dict)
    tweets: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, includes: Any) -> Includes:
        inc = as_dict(includes)

        def index(key: str, id_key: str) -> dict[str, dict[str, Any]]:
            found: dict[str, dict[str, Any]] = {}
            for obj in as_list(inc.get(key)):
                obj_id = as_id(as_dict(obj).get(id_key))
                if obj_id is not None:
                    found[obj_id] = obj
            return found

        return cls(index("users", "id"), index("media", "media_key"), index("tweets", "id"))


def _media(includes: Includes, tweet: dict[str, Any]) -> tuple[Media, ...]:
    found: list[Media] = []
    for key in as_list(as_dict(tweet.get("attachments")).get("media_keys")):
        item = includes.media.get(as_id(key) or "", {})
        kind = opt_str(item.get("type"))
        url = opt_str(item.get("url")) or opt_str(item.get("preview_image_url"))
        if kind and url:
            found.append(Media(type=kind, url=url))
    return tuple(found)


def _kind(channel: str, tweet: dict[str, Any], refs: dict[str, str], includes: Includes) -> Any:
    if "replied_to" in refs:
        return "reply"
    mentioned = {
        as_id(as_dict(m).get("id")) for m in as_list(as_dict(tweet.get("entities")).get("mentions"))
    }
    quoted = includes.tweets.get(refs.get("quoted", ""), {})
    if channel in mentioned or as_id(quoted.get("author_id")) == channel:
        return "mention"
    return "post"


def v2_tweet(channel: str, includes: Includes, tweet: Any) -> Marked | None:
    """One v2 tweet object (with the response's ``includes``) as a canonical post; its edit
    marker is this version's own tweet id (an edit gets a new, larger id)."""
    tweet = as_dict(tweet)
    tweet_id = require_id(tweet.get("id"), "id")
    refs = {
        ref_type: ref_id
        for ref in as_list(tweet.get("referenced_tweets"))
        if (ref_type := opt_str(as_dict(ref).get("type")))
        and (ref_id := as_id(as_dict(ref).get("id")))
    }
    if "retweeted" in refs:
        return None
    history = as_list(tweet.get("edit_history_tweet_ids"))
    native = (as_id(history[0]) if history else None) or tweet_id
    author_id = as_id(tweet.get("author_id"))
    if author_id is None:
        raise ItemProblem(
            "missing_author", "author_id is required (tweet.fields)", "author_id", native
        )
    if author_id == channel:
        return None  # the brand's own tweet
    user = includes.users.get(author_id, {})
    username = optional_name(user.get("username"))
    note = as_dict(tweet.get("note_tweet")).get("text")
    text = require_text(note if isinstance(note, str) else tweet.get("text"), "text")
    metrics = as_dict(tweet.get("public_metrics"))
    conversation = as_id(tweet.get("conversation_id")) or refs.get("replied_to") or native
    post = Post(
        id=Post.make_id("x", native),
        platform="x",
        channel=channel,
        kind=_kind(channel, tweet, refs, includes),
        native_id=native,
        url=tweet_url(username, tweet_id),
        thread_id=Post.make_id("x", conversation),
        in_reply_to=Post.make_id("x", refs["replied_to"]) if "replied_to" in refs else None,
        author=author(
            author_id,
            handle=username,
            display_name=user.get("name"),
            followers=as_dict(user.get("public_metrics")).get("followers_count"),
            verified=user.get("verified") is True or user.get("verified_type") in _VERIFIED,
            url=profile_url(username),
        ),
        text=unescape_tweet_text(text),
        lang=tweet_lang(tweet.get("lang")),
        created_at=iso_time(tweet.get("created_at"), "created_at"),
        metrics=Metrics(
            likes=as_int(metrics.get("like_count")) or 0,
            shares=(as_int(metrics.get("retweet_count")) or 0)
            + (as_int(metrics.get("quote_count")) or 0),
            replies=as_int(metrics.get("reply_count")) or 0,
            views=as_int(metrics.get("impression_count")) or 0,
        ),
        media=_media(includes, tweet),
    )
    return Marked(post, Marker.version(tweet_id))


def normalize_v2(raw: RawInput, body: dict[str, Any]) -> NormalizeResult:
    """A v2 response: ``data`` is one tweet or a page of tweets; ``meta`` alone is an empty page."""
    data = body.get("data")
    if isinstance(data, list):
        tweets = data
    elif isinstance(data, dict):
        tweets = [data]
    elif data is None and isinstance(body.get("meta"), dict):
        tweets = []
    else:
        raise NormalizeError("unrecognized_payload", "data must be a tweet or a list", "data")
    channel = require_channel(raw)
    includes = Includes.of(body.get("includes"))
    items = Items()
    for i, tweet in enumerate(tweets):
        guess = as_id(as_dict(tweet).get("id"))
        items.add(f"data[{i}]", tweet, guess, v2_tweet, channel, includes, tweet)
    return items.result
