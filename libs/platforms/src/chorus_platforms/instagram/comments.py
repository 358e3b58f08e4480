"""Instagram comments: the ``comments``/``live_comments`` notification and the Graph IG
comment object. Either may lack what a post needs (the media it is on, its author: the
documented notification once carried only ``id`` and ``text``, and a Graph object has only
the fields asked for); such a comment is read again, with those fields, by its id."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from chorus_common.contracts.events import Metrics, Post

from chorus_platforms.kit.fields import (
    ItemProblem,
    as_dict,
    as_id,
    as_int,
    author,
    optional_name,
    require_id,
    require_text,
)
from chorus_platforms.kit.inbound import Fetch
from chorus_platforms.kit.times import epoch_time, iso_time
from chorus_platforms.meta.graph import graph_fetch

COMMENT_FIELDS = "id,text,timestamp,from,username,media,parent_id,like_count"


def profile_url(username: str | None) -> str | None:
    return f"https://www.instagram.com/{username}/" if username and "/" not in username else None


def _who(comment: dict[str, Any]) -> tuple[str | None, str | None]:
    """(author id, username): ``from`` {id, username}, else ``user`` {id} (Graph returns it
    only on the app user's own comments), else ``username`` alone."""
    sender = as_dict(comment.get("from"))
    username = optional_name(sender.get("username")) or optional_name(comment.get("username"))
    own = as_id(as_dict(comment.get("user")).get("id"))
    return as_id(sender.get("id")) or own or username, username


def comment_post(
    account: str, comment: dict[str, Any], *, media_id: str, created_at: datetime
) -> Post:
    """The comment as a post: a reply when it has a parent comment; the account's own with
    ``from_brand``."""
    native = require_id(comment.get("id"), "id")
    sender, username = _who(comment)
    if sender is None:
        raise ItemProblem("missing_author", "from.id or username is required", "from", native)
    parent = as_id(comment.get("parent_id"))
    return Post(
        id=Post.make_id("instagram", native),
        platform="instagram",
        channel=account,
        kind="reply" if parent else "comment",
        native_id=native,
        thread_id=Post.make_id("instagram", media_id),
        in_reply_to=Post.make_id("instagram", parent or media_id),
        author=author(sender, handle=username, url=profile_url(username)),
        text=require_text(comment.get("text"), "text", allow_missing=True),
        created_at=created_at,
        metrics=Metrics(likes=as_int(comment.get("like_count")) or 0),
        from_brand=sender == account,
    )


def _read_again(account: str, native: str) -> Fetch:
    return graph_fetch(native, COMMENT_FIELDS, partial(graph_comment, account, fetched=True))


def webhook_comment(account: str, value: Any, entry_time: Any) -> Post | Fetch:
    """A ``comments``/``live_comments`` change value; read again when it lacks media or author."""
    value = as_dict(value)
    native = require_id(value.get("id"), "id")
    media_id = as_id(as_dict(value.get("media")).get("id"))
    if media_id is None or _who(value)[0] is None:
        return _read_again(account, native)
    created = epoch_time(entry_time, "entry.time")
    return comment_post(account, value, media_id=media_id, created_at=created)


def graph_comment(account: str, comment: Any, *, fetched: bool = False) -> Post | Fetch:
    """One IG comment object (``GET /{ig-media-id}/comments`` or ``GET /{ig-comment-id}``)."""
    comment = as_dict(comment)
    native = require_id(comment.get("id"), "id")
    media_id = as_id(as_dict(comment.get("media")).get("id"))
    if (media_id is None or _who(comment)[0] is None) and not fetched:
        return _read_again(account, native)
    if media_id is None:
        raise ItemProblem("unknown_thread", "media.id is required (fields=media)", "media", native)
    created = iso_time(comment.get("timestamp"), "timestamp")
    return comment_post(account, comment, media_id=media_id, created_at=created)
