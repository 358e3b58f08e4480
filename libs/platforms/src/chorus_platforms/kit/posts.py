"""Building a canonical post from native ids: every connector names the post, its root and its
direct parent the same way (``thread`` is the root post or conversation, ``parent`` the item it
answers; a top-level comment's parent is the post)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chorus_common.contracts.events import Author, Platform, Post, PostKind

from chorus_platforms.kit.inbound import Marked, Marker


def native_post(
    platform: Platform,
    channel: str,
    native: str,
    kind: PostKind,
    thread: str,
    parent: str | None,
    **fields: Any,
) -> Post:
    """A post whose ``id``, ``thread_id`` and ``in_reply_to`` are the canonical ids of the
    native ``native``, ``thread`` and ``parent``."""
    return Post(
        id=Post.make_id(platform, native),
        platform=platform,
        channel=channel,
        kind=kind,
        native_id=native,
        thread_id=Post.make_id(platform, thread),
        in_reply_to=Post.make_id(platform, parent) if parent else None,
        **fields,
    )


def review_post(
    platform: Platform, channel: str, review: str, reviewer: str | None, **fields: Any
) -> Post:
    """A review, its own thread, by the ``reviewer``'s name: review APIs give reviewers no id,
    so a nameless reviewer stays distinct per review instead of merging into one."""
    who = Author(id=reviewer or f"anonymous:{review}", display_name=reviewer)
    return native_post(platform, channel, review, "review", review, None, author=who, **fields)


def review_answer(
    platform: Platform, channel: str, native: str, review: str, text: str, when: datetime
) -> Marked:
    """The developer's answer to a review: the brand's own reply (its author the channel) in
    the review's thread, marked by its modification time."""
    post = native_post(
        platform,
        channel,
        native,
        "reply",
        review,
        review,
        author=Author(id=channel),
        text=text,
        created_at=when,
        from_brand=True,
    )
    return Marked(post, Marker.at(when))
