"""Bluesky posts as canonical posts: an ``app.bsky.feed.post`` record with its author, from a
notification (``record``) or a post view (``app.bsky.feed.defs#postView``).

Lexicons: https://github.com/bluesky-social/atproto/tree/main/lexicons/app/bsky/feed (post:
``text``, ``createdAt``, ``langs``, ``reply.root``/``reply.parent`` strong refs ``{uri, cid}``,
``embed``). A post's id is its AT URI (``at://<did>/app.bsky.feed.post/<rkey>``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chorus_common.contracts.events import Media, Metrics, Post, PostKind

from chorus_platforms.kit import fields as fk
from chorus_platforms.kit.fields import ItemProblem
from chorus_platforms.kit.times import iso_time

PLATFORM = "bluesky"
POST_COLLECTION = "app.bsky.feed.post"
_QUOTE_EMBEDS = ("app.bsky.embed.record", "app.bsky.embed.recordWithMedia")


@dataclass(frozen=True)
class Brand:
    """The brand's account: its handle or DID (the channel), as the channel names it."""

    channel: str

    def owns(self, author: Mapping[str, Any]) -> bool:
        me = self.channel.lstrip("@").lower()
        return me in (str(author.get("did", "")).lower(), str(author.get("handle", "")).lower())


def rkey(uri: str) -> str:
    """The record key, the last part of an AT URI."""
    return uri.rstrip("/").rpartition("/")[2]


def post_uri(value: Any, field: str) -> str:
    """An ``at://`` URI of an ``app.bsky.feed.post`` record."""
    uri = fk.native(value, field)
    if not uri.startswith("at://") or f"/{POST_COLLECTION}/" not in uri:
        raise ItemProblem("invalid_uri", f"{field} is not the AT URI of a post", field, uri)
    return uri


def reply_refs(record: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """``(root uri, parent uri)`` of a reply record, or ``(None, None)`` for a top-level post."""
    reply = fk.opt_obj(record.get("reply"))
    if not reply:
        return None, None
    root = post_uri(fk.opt_obj(reply.get("root")).get("uri"), "record.reply.root.uri")
    parent = post_uri(fk.opt_obj(reply.get("parent")).get("uri"), "record.reply.parent.uri")
    return root, parent


def is_quote(record: Mapping[str, Any]) -> bool:
    return fk.opt_obj(record.get("embed")).get("$type") in _QUOTE_EMBEDS


def _view_media(embed: Any) -> tuple[Media, ...]:
    """Image URLs of a post view's embed (images, or the media of a record with media)."""
    view = fk.opt_obj(embed)
    if "media" in view:
        view = fk.opt_obj(view.get("media"))
    out: list[Media] = []
    for image in fk.as_list(view.get("images")):
        url = fk.opt_str(fk.opt_obj(image).get("fullsize"))
        if url and url.startswith("https://"):
            out.append(Media(type="image", url=url))
    return tuple(out)


def _lang(record: Mapping[str, Any]) -> str | None:
    langs = fk.as_list(record.get("langs"))
    first = langs[0] if langs else None
    return first if isinstance(first, str) and 0 < len(first) <= 16 else None


def build_post(
    *,
    uri: Any,
    author: Any,
    record: Any,
    brand: Brand,
    hint: PostKind,
    indexed_at: Any = None,
    view: Mapping[str, Any] | None = None,
) -> Post:
    """One post record by ``author`` at ``uri``; ``hint`` is its kind when it replies to nothing."""
    native = post_uri(uri, "uri")
    who = fk.obj(author, "author")
    rec = fk.obj(record, "record")
    root, parent = reply_refs(rec)
    own = brand.owns(who)
    kind: PostKind = hint
    if parent is not None:
        kind = "comment" if parent == root else "reply"
    elif own:
        kind = "post"
    did = fk.native(who.get("did"), "author.did")
    handle = fk.optional_name(who.get("handle"))
    created = rec.get("createdAt", indexed_at)
    view = view or {}
    return Post(
        id=Post.make_id(PLATFORM, native),
        platform=PLATFORM,
        channel=brand.channel,
        kind=kind,
        native_id=native,
        url=f"https://bsky.app/profile/{handle or did}/post/{rkey(native)}",
        thread_id=Post.make_id(PLATFORM, root or native),
        in_reply_to=Post.make_id(PLATFORM, parent) if parent else None,
        author=fk.author(
            did,
            handle=handle,
            display_name=who.get("displayName"),
            url=f"https://bsky.app/profile/{handle or did}",
        ),
        text=fk.clip(fk.text_of(rec.get("text"), "record.text")),
        lang=_lang(rec),
        created_at=iso_time(created, "record.createdAt"),
        metrics=Metrics(
            likes=fk.count(view.get("likeCount")),
            shares=fk.count(view.get("repostCount")) + fk.count(view.get("quoteCount")),
            replies=fk.count(view.get("replyCount")),
        ),
        media=_view_media(view.get("embed")),
        from_brand=own,
    )


def view_post(view: Any, brand: Brand) -> Post:
    """A post view (``getPostThread``, ``getPosts``, a feed) as a post."""
    v = fk.obj(view, "post")
    return build_post(
        uri=v.get("uri"),
        author=v.get("author"),
        record=v.get("record"),
        brand=brand,
        hint="post",
        indexed_at=v.get("indexedAt"),
        view=v,
    )
