"""Building a canonical post from native ids: every connector names the post, its root and its
direct parent the same way (``thread`` is the root post or conversation, ``parent`` the item it
answers; a top-level comment's parent is the post)."""

from __future__ import annotations

from typing import Any

from chorus_common.contracts.events import Platform, Post, PostKind


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
