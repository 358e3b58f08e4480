"""Instagram ``mentions``: the account @mentioned in someone's comment or media caption.

The notification carries ids only (``comment_id`` and ``media_id``, or ``media_id`` for a
caption), so the connector asks for the mentioned object
(https://developers.facebook.com/docs/instagram-api/guides/mentions):
``GET /{ig-user-id}?fields=mentioned_comment.comment_id({id}){…}`` or
``mentioned_media.media_id({id}){…}``. Meta does not say who wrote a mentioned comment
(``username`` is no field of it): its author is ``unknown`` unless the answer names one;
a caption's author is the media's ``username``. Without ``timestamp`` the time is when Meta
sent the notification.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from chorus_common.contracts.events import Metrics, Post

from chorus_platforms.instagram.comments import profile_url
from chorus_platforms.kit.fields import (
    as_dict,
    as_id,
    as_int,
    author,
    http_url,
    obj,
    optional_name,
    require_id,
    text_of,
)
from chorus_platforms.kit.inbound import Fetch
from chorus_platforms.kit.times import epoch_time, iso_time
from chorus_platforms.meta.graph import graph_fetch

UNKNOWN_AUTHOR = "unknown"
_COMMENT = "id,text,timestamp,like_count,media"
_MEDIA = "id,caption,timestamp,username,permalink,like_count,comments_count"


def mention(account: str, value: Any, entry_time: Any) -> Fetch:
    """A ``mentions`` change value: the read of the mentioned comment or caption."""
    value = as_dict(value)
    media_id = require_id(value.get("media_id"), "media_id")
    comment_id = as_id(value.get("comment_id"))
    if comment_id is not None:
        fields = f"mentioned_comment.comment_id({comment_id}){{{_COMMENT}}}"
        then = partial(mentioned_comment, account, media_id, entry_time)
    else:
        fields = f"mentioned_media.media_id({media_id}){{{_MEDIA}}}"
        then = partial(mentioned_media, account, entry_time)
    return graph_fetch(account, fields, then)


def _when(found: dict[str, Any], entry_time: Any) -> datetime:
    stamp = found.get("timestamp")
    if stamp is not None:
        return iso_time(stamp, "timestamp")
    return epoch_time(entry_time, "entry.time")


def _mention(
    account: str, found: dict[str, Any], native: str, entry_time: Any, **fields: Any
) -> Post:
    """A ``mention`` post of the account: the author is the answer's ``username``, if any."""
    username = optional_name(found.get("username"))
    return Post(
        id=Post.make_id("instagram", native),
        platform="instagram",
        channel=account,
        kind="mention",
        native_id=native,
        author=author(username or UNKNOWN_AUTHOR, handle=username, url=profile_url(username)),
        created_at=_when(found, entry_time),
        **fields,
    )


def mentioned_comment(account: str, media_id: str, entry_time: Any, data: Any) -> Post:
    """The ``mentioned_comment`` answer as a ``mention`` on the media it was written under."""
    found = dict(obj(as_dict(data).get("mentioned_comment"), "mentioned_comment"))
    native = require_id(found.get("id"), "mentioned_comment.id")
    media = Post.make_id("instagram", as_id(as_dict(found.get("media")).get("id")) or media_id)
    return _mention(
        account,
        found,
        native,
        entry_time,
        thread_id=media,
        in_reply_to=media,
        text=text_of(found.get("text"), "mentioned_comment.text"),
        metrics=Metrics(likes=as_int(found.get("like_count")) or 0),
    )


def mentioned_media(account: str, entry_time: Any, data: Any) -> Post:
    """The ``mentioned_media`` answer as a ``mention``: the caption of someone's media."""
    found = dict(obj(as_dict(data).get("mentioned_media"), "mentioned_media"))
    native = require_id(found.get("id"), "mentioned_media.id")
    likes, replies = as_int(found.get("like_count")), as_int(found.get("comments_count"))
    return _mention(
        account,
        found,
        native,
        entry_time,
        url=http_url(found.get("permalink")),
        thread_id=Post.make_id("instagram", native),
        text=text_of(found.get("caption"), "mentioned_media.caption"),
        metrics=Metrics(likes=likes or 0, replies=replies or 0),
    )
