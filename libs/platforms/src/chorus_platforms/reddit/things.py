"""Reddit things as posts: ``t3`` submissions, ``t1`` comments (in a comment tree or in the
inbox as a username mention, comment reply or post reply) and ``t4`` private messages.

Shapes: https://github.com/reddit-archive/reddit/wiki/JSON (``link``, ``comment``,
``message``) and the ``/message/inbox``, ``/message/mentions``, ``/message/messages`` pages
PRAW records. Native ids are fullnames (``t3_…``, ``t1_…``, ``t4_…``).

* text: a submission's ``title`` and ``selftext``; a comment's ``body``; a message's
  ``subject`` and ``body``.
* thread_id: the submission (``link_id``; an inbox comment names it only in ``context``,
  ``/r/{sub}/comments/{link id}/…``); for a message, the conversation's first message
  (``first_message_name``, else the message itself).
* in_reply_to: a comment's ``parent_id`` (the submission for a top-level comment); a
  message's ``parent_id`` (none for the first message).

The brand account's own items (``author`` = the channel's ``u/{name}``) are posts with
``from_brand``. ``more`` stubs (comments not loaded in this page) and deleted comments are
skipped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from chorus_common.contracts.events import Author, Media, Metrics, Post, PostKind

from chorus_platforms.kit import fields as fk
from chorus_platforms.kit.posts import native_post
from chorus_platforms.kit.times import epoch_time

PLATFORM = "reddit"
SITE = "https://www.reddit.com"
_CONTEXT_LINK = re.compile(r"^/r/[^/]+/comments/([a-z0-9]+)/")
_GONE = ("[deleted]", "[removed]")


def fullname(thing: Any) -> str | None:
    t = fk.opt_obj(thing)
    d = fk.opt_obj(t.get("data"))
    name = d.get("name")
    if isinstance(name, str) and name:
        return name
    native_id, kind = d.get("id"), t.get("kind")
    if isinstance(native_id, str) and native_id and isinstance(kind, str):
        return f"{kind}_{native_id}"
    return None


def _permalink(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return value if value.startswith("http") else SITE + value


def _author(d: Mapping[str, Any]) -> Author:
    name = fk.opt_str(d.get("author")) or "[deleted]"
    return Author(
        id=fk.opt_str(d.get("author_fullname")) or name,
        handle=f"u/{name}",
        display_name=name,
        url=None if name == "[deleted]" else f"{SITE}/user/{quote(name, safe='')}",
    )


def _is_brand(d: Mapping[str, Any], channel: str | None) -> bool:
    name = fk.opt_str(d.get("author"))
    brand = (channel or "").removeprefix("u/").removeprefix("/u/")
    return bool(name and brand and name.lower() == brand.lower())


def _submission(d: Mapping[str, Any], name: str) -> tuple[str, str, str | None, PostKind]:
    title = fk.text_of(d.get("title"), "data.title")
    text = fk.join_title(title, fk.text_of(d.get("selftext"), "data.selftext"))
    return text, name, None, "post"


def _comment(d: Mapping[str, Any]) -> tuple[str, str, str | None, PostKind]:
    text = fk.text_of(d.get("body"), "data.body")
    if text in _GONE and fk.opt_str(d.get("author")) in (None, *_GONE):
        raise fk.Skip("deleted", "a deleted or removed comment has no words left")
    parent_id = fk.native(d.get("parent_id") or d.get("link_id"), "data.parent_id")
    link_id = fk.opt_str(d.get("link_id"))
    if link_id is None:
        found = _CONTEXT_LINK.match(fk.opt_str(d.get("context")) or "")
        link_id = f"t3_{found.group(1)}" if found else None
    if link_id is None and parent_id.startswith("t3_"):
        link_id = parent_id
    if link_id is None:
        raise fk.ItemProblem("unknown_thread", "neither link_id nor context names the post")
    kind: PostKind = "comment" if parent_id == link_id else "reply"
    if d.get("type") == "username_mention" or d.get("subject") == "username mention":
        kind = "mention"
    return text, fk.native(link_id, "data.link_id"), parent_id, kind


def _message(d: Mapping[str, Any], name: str) -> tuple[str, str, str | None, PostKind]:
    subject = fk.text_of(d.get("subject"), "data.subject")
    text = fk.join_title(subject, fk.text_of(d.get("body"), "data.body"))
    first = fk.opt_str(d.get("first_message_name")) or name
    parent = fk.opt_str(d.get("parent_id"))
    return text, first, parent, "dm"


def thing_post(thing: Any, channel: str | None) -> Post:
    """One thing of a listing as a post (see the module docstring); anything else is skipped."""
    t = fk.obj(thing, "thing")
    kind = t.get("kind")
    if kind == "more":
        raise fk.Skip("not_loaded", "comments this page names but does not hold")
    if kind not in ("t1", "t3", "t4"):
        raise fk.Skip("unsupported_kind", f"kind {str(kind)[:20]!r} is not t1, t3 or t4")
    d = fk.obj(t.get("data"), "data")
    name = fullname(t)
    if name is None:
        raise fk.ItemProblem("missing_id", "thing has neither name nor id", "data.name")
    media: tuple[Media, ...] = ()
    if kind == "t3":
        text, thread, parent, post_kind = _submission(d, name)
        link = fk.opt_str(d.get("url"))
        media = () if d.get("is_self") or not link else (Media(type="link", url=link),)
    elif kind == "t1":
        text, thread, parent, post_kind = _comment(d)
    else:
        text, thread, parent, post_kind = _message(d, name)
    sub = fk.opt_str(d.get("subreddit"))
    return native_post(
        "reddit",
        channel or (f"r/{sub}" if sub else "reddit"),
        name,
        post_kind,
        thread,
        parent,
        url=_permalink(d.get("permalink") or fk.opt_str(d.get("context"))),
        author=_author(d),
        text=fk.clip(text),
        created_at=epoch_time(d.get("created_utc"), "data.created_utc", unit="s"),
        metrics=Metrics(
            likes=fk.count(d.get("score")),
            replies=fk.count(d.get("num_comments")) if kind == "t3" else 0,
        ),
        media=media,
        from_brand=_is_brand(d, channel),
    )
