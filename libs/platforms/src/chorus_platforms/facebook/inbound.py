"""Facebook Pages: ``object: page`` webhooks (``feed``, ``mention``, ``ratings``; Messenger
events) and Graph API comment lists.

Shapes: https://developers.facebook.com/docs/graph-api/webhooks/reference/page (see
``facebook.page``), https://developers.facebook.com/docs/graph-api/reference/object/comments
(``data`` + ``paging``; comment ``id``, ``message``, ``created_time``, ``from``, ``parent``).

Thread: the page post id (``post_id``, ``{page_id}_{post}``); a recommendation's own id. A
Graph comment id is ``{post}_{comment}``, so its post id is ``{channel}_{post}``. Messenger
events found in the same envelope (Meta sends both to the one Page callback URL) become
``messenger`` posts. Other Page fields are skipped with ``unsupported_field``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from chorus_common.contracts.events import Media, Metrics, Post

from chorus_platforms.facebook.page import feed_post, mention_post, rating_post
from chorus_platforms.kit.fields import (
    ItemProblem,
    Skip,
    as_dict,
    as_id,
    as_int,
    author,
    http_url,
    require_id,
    require_text,
)
from chorus_platforms.kit.inbound import (
    Fetch,
    Marked,
    Marker,
    NormalizeResult,
    RawInput,
)
from chorus_platforms.kit.items import Built, Items
from chorus_platforms.kit.times import iso_time
from chorus_platforms.meta.graph import graph_fetch
from chorus_platforms.meta.messaging import messaging_events
from chorus_platforms.meta.webhooks import Entry, MetaConnector, changes, read_meta

_BUILDERS = {"feed": feed_post, "mention": mention_post, "ratings": rating_post}
_COMMENT_FIELDS = "id,message,created_time,from,parent,like_count,comment_count,permalink_url"


def graph_comment(page_id: str, comment: Any, *, fetched: bool = False) -> Marked | Fetch:
    """A Graph API comment object (``GET /{post-id}/comments``) on the page's post, the page's
    own with ``from_brand``; without ``from`` (not asked for) it is read again with it. Its
    edit marker is ``updated_time`` when the object has one (else the content hash orders)."""
    comment = as_dict(comment)
    native = require_id(comment.get("id"), "id")
    post_part, sep, _ = native.partition("_")
    if not sep:
        raise ItemProblem("unknown_thread", "comment id has no post part", "id", native)
    sender = as_dict(comment.get("from"))
    sender_id = as_id(sender.get("id"))
    if sender_id is None and not fetched:
        return graph_fetch(native, _COMMENT_FIELDS, partial(graph_comment, page_id, fetched=True))
    if sender_id is None:
        raise ItemProblem("missing_author", "from.id is required (fields=from)", "from.id", native)
    post_id = f"{page_id}_{post_part}"
    parent = as_id(as_dict(comment.get("parent")).get("id"))
    attachment = as_dict(comment.get("attachment"))
    image = http_url(as_dict(as_dict(attachment.get("media")).get("image")).get("src"))
    updated = comment.get("updated_time")
    marker = Marker.at(iso_time(updated, "updated_time")) if updated is not None else None
    post = Post(
        id=Post.make_id("facebook", native),
        platform="facebook",
        channel=page_id,
        kind="reply" if parent else "comment",
        native_id=native,
        url=http_url(comment.get("permalink_url")),
        thread_id=Post.make_id("facebook", post_id),
        in_reply_to=Post.make_id("facebook", parent or post_id),
        author=author(sender_id, display_name=sender.get("name")),
        text=require_text(comment.get("message"), "message", allow_missing=True),
        created_at=iso_time(comment.get("created_time"), "created_time"),
        metrics=Metrics(
            likes=as_int(comment.get("like_count")) or 0,
            replies=as_int(comment.get("comment_count")) or 0,
        ),
        media=(Media(type="photo", url=image),) if image else (),
        from_brand=sender_id == page_id,
    )
    return Marked(post, marker)


def _unsupported(field: str | None) -> Built:
    raise Skip("unsupported_field", f"the Page webhook field {field!r} is not read")


def _page_entry(items: Items, entry: Entry) -> None:
    for path, field, change in changes(entry):
        value = as_dict(change).get("value")
        found = as_dict(value)
        guess = as_id(found.get("comment_id")) or as_id(found.get("post_id"))
        build = _BUILDERS.get(field or "")
        if build is None:
            items.add(path, change, guess, _unsupported, field)
            continue
        items.add(f"{path}.value", change, guess, build, entry.account_id, value, entry.time)
    messaging_events(items, "messenger", entry)


def _graph(items: Items, channel: str, comments: list[Any]) -> None:
    for i, comment in enumerate(comments):
        guess = as_id(as_dict(comment).get("id"))
        items.add(f"data[{i}]", comment, guess, graph_comment, channel, comment)


def normalize_page_payload(raw: RawInput) -> NormalizeResult:
    """A Page webhook envelope, a Graph ``{"data": [...]}`` comment page, or one comment."""
    return read_meta(raw, ("page",), _page_entry, _graph, "created_time")


class FacebookConnector(MetaConnector):
    """Facebook Pages adapter: pure normalize, ``X-Hub-Signature-256`` check, hub handshake."""

    platform: str = "facebook"

    def normalize(self, raw: RawInput) -> NormalizeResult:
        """Parse a Page webhook or Graph comment page into posts; pure, no side effects."""
        return normalize_page_payload(raw)
