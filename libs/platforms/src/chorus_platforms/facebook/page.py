"""The Page webhook's ``changes[]``: ``feed`` (posts, comments, replies, the page's own
included), ``mention`` (the page mentioned in a post or comment) and ``ratings``
(recommendations and the comments under them).

Field reference: https://developers.facebook.com/docs/graph-api/webhooks/reference/page.
The author is ``from`` {id, name}, or ``sender_id``/``sender_name`` in the older and the
``mention`` shapes (``reviewer_id``/``reviewer_name`` for a recommendation). A
recommendation's ``rating`` is its 1-5 stars when given, else ``recommendation_type``
``positive`` → 5 and ``negative`` → 1 (the two ends of the scale it replaced).
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from chorus_common.contracts.events import Media

from chorus_platforms.kit.fields import (
    ItemProblem,
    Skip,
    as_dict,
    as_id,
    as_int,
    as_list,
    author,
    http_url,
    opt_str,
    require_id,
    require_text,
)
from chorus_platforms.kit.inbound import Fetch, Marked, Marker
from chorus_platforms.kit.posts import native_post
from chorus_platforms.kit.times import epoch_time, iso_time
from chorus_platforms.meta.graph import graph_fetch

_POST_ITEMS = frozenset({"post", "status", "photo", "video", "share", "album"})
_WRITE_VERBS = frozenset({"add", "edited", "edit", "update"})
_GONE_VERBS = frozenset({"remove", "delete"})
_MODERATION_VERBS = frozenset({"hide", "unhide", "block", "unblock", "mute", "unmute"})
_STARS = {"positive": 5, "negative": 1}
_MENTION_FIELDS = "id,message,created_time,from,permalink_url"
_RATING_COMMENT_FIELDS = "id,message,created_time,from"


def _time(value: dict[str, Any], entry_time: Any) -> datetime:
    """``created_time`` (epoch seconds or ISO 8601), else when Meta sent the change."""
    created = value.get("created_time")
    if isinstance(created, str) and not created.isdigit():
        return iso_time(created, "created_time")
    if created is not None:
        return epoch_time(created, "created_time", unit="s")
    return epoch_time(entry_time, "entry.time")


def _marker(entry_time: Any, created: datetime) -> Marker:
    """When Meta recorded the change (``entry.time``; else the item's ``created_time``)."""
    if entry_time is None:
        return Marker.at(created)
    return Marker.at(epoch_time(entry_time, "entry.time"))


def _sender(value: dict[str, Any], native: str | None, who: str = "sender") -> tuple[str, Any]:
    """(id, name) of ``from``, else of ``{who}_id``/``{who}_name``."""
    frm = as_dict(value.get("from"))
    sender = as_id(frm.get("id")) or as_id(value.get(f"{who}_id"))
    if sender is None:
        raise ItemProblem("missing_author", f"from.id or {who}_id is required", "from.id", native)
    return sender, frm.get("name") if frm else value.get(f"{who}_name")


def _verb(item: str | None, verb: str | None, what: str) -> None:
    """Skip what is not a written item: reactions, removals, moderation, follows."""
    if item in ("reaction", "like"):
        raise Skip("reaction", f"a {item} on the page's {what}")
    if verb in _GONE_VERBS:
        raise Skip("deleted", f"a {what} item was removed")
    if verb in _MODERATION_VERBS:
        raise Skip("moderation", f"the page's {verb} of a {what} item")
    if verb not in _WRITE_VERBS:
        raise Skip("unsupported_verb", f"verb {verb!r} of a {what} change is not read")


def _media(value: dict[str, Any]) -> tuple[Media, ...]:
    urls = [value.get("photo"), *as_list(value.get("photos"))]
    photos = [Media(type="photo", url=u) for u in map(http_url, urls) if u]
    video = http_url(value.get("video"))
    return (*photos, *([Media(type="video", url=video)] if video else []))


def feed_post(page_id: str, value: Any, entry_time: Any) -> Marked:
    """One ``feed`` change: a post, a comment or a reply (the page's own with ``from_brand``);
    its edit marker is the time of the change (``entry.time``)."""
    value = as_dict(value)
    item, verb = opt_str(value.get("item")), opt_str(value.get("verb"))
    _verb(item, verb, "feed")
    if item != "comment" and item not in _POST_ITEMS:
        raise Skip("unsupported_item", f"feed item {item!r} is not a post")
    post_id = require_id(value.get("post_id"), "post_id")
    native = require_id(value.get("comment_id"), "comment_id") if item == "comment" else post_id
    sender, name = _sender(value, native)
    parent = as_id(value.get("parent_id"))
    kind: Any = "post"
    in_reply_to = None
    if item == "comment":
        kind = "reply" if parent and parent != post_id else "comment"
        in_reply_to = parent or post_id
    created = _time(value, entry_time)
    post = native_post(
        "facebook",
        page_id,
        native,
        kind,
        post_id,
        in_reply_to,
        url=http_url(as_dict(value.get("post")).get("permalink_url"))
        if item != "comment"
        else None,
        author=author(sender, display_name=name),
        text=require_text(value.get("message"), "message", allow_missing=True),
        created_at=created,
        media=_media(value),
        from_brand=sender == page_id,
    )
    return Marked(post, _marker(entry_time, created))


def mention_post(page_id: str, value: Any, entry_time: Any) -> Marked | Fetch:
    """One ``mention`` change: the page mentioned in a post or a comment. The notification
    carries no text: it is read (``GET /{id}``) when ``message`` is missing."""
    value = as_dict(value)
    item, verb = opt_str(value.get("item")), opt_str(value.get("verb"))
    _verb(None, verb, "mention")
    post_id = require_id(value.get("post_id"), "post_id")
    native = require_id(value.get("comment_id"), "comment_id") if item == "comment" else post_id
    _sender(value, native)
    if value.get("message") is None:
        then = partial(_fetched_mention, page_id, value, entry_time, native)
        return graph_fetch(native, _MENTION_FIELDS, then)
    return _mention(page_id, value, entry_time, native, None)


def _fetched_mention(
    page_id: str, value: dict[str, Any], entry_time: Any, native: str, data: Any
) -> Marked:
    """The mention built from the notification and the post or comment it named."""
    data = as_dict(data)
    merged = {**value, "message": data.get("message") or "", **_created(data)}
    return _mention(page_id, merged, entry_time, native, http_url(data.get("permalink_url")))


def _created(data: dict[str, Any]) -> dict[str, Any]:
    return {"created_time": data["created_time"]} if data.get("created_time") else {}


def _mention(
    page_id: str, value: dict[str, Any], entry_time: Any, native: str, url: str | None
) -> Marked:
    post_id = require_id(value.get("post_id"), "post_id")
    sender, name = _sender(value, native)
    in_reply_to = None
    if native != post_id:  # a comment: its parent comment, else the post
        in_reply_to = as_id(value.get("parent_id")) or post_id
    created = _time(value, entry_time)
    post = native_post(
        "facebook",
        page_id,
        native,
        "mention",
        post_id,
        in_reply_to,
        url=url,
        author=author(sender, display_name=name),
        text=require_text(value.get("message"), "message", allow_missing=True),
        created_at=created,
        from_brand=sender == page_id,
    )
    return Marked(post, _marker(entry_time, created))


def stars(value: dict[str, Any]) -> int | None:
    """The 1-5 ``rating``, else 5/1 for a positive/negative ``recommendation_type``."""
    given = as_int(value.get("rating"))
    if given is not None and 1 <= given <= 5:
        return given
    return _STARS.get(opt_str(value.get("recommendation_type")) or "")


def rating_post(page_id: str, value: Any, entry_time: Any) -> Marked | Fetch:
    """One ``ratings`` change: a recommendation (``review``) or a comment under one."""
    value = as_dict(value)
    item, verb = opt_str(value.get("item")), opt_str(value.get("verb"))
    _verb(item, verb, "recommendation")
    if item == "comment":
        return _rating_comment(page_id, value, entry_time)
    reviewer, name = _sender(value, None, "reviewer")
    story = as_id(value.get("open_graph_story_id")) or f"{page_id}_{reviewer}"
    created = _time(value, entry_time)
    post = native_post(
        "facebook",
        page_id,
        story,
        "review",
        story,
        None,
        author=author(reviewer, display_name=name),
        text=require_text(value.get("review_text"), "review_text", allow_missing=True),
        created_at=created,
        rating=stars(value),
    )
    return Marked(post, _marker(entry_time, created))


def _rating_comment(page_id: str, value: dict[str, Any], entry_time: Any) -> Marked | Fetch:
    """A comment under a recommendation; Meta's delivery may carry no ``message`` (it is read,
    ``GET /{comment-id}``) nor ``open_graph_story_id`` (the story is named by ``post_id``)."""
    native = require_id(value.get("comment_id"), "comment_id")
    _sender(value, native)
    _story(value, native)
    if value.get("message") is None:
        then = partial(_fetched_rating_comment, page_id, value, entry_time, native)
        return graph_fetch(native, _RATING_COMMENT_FIELDS, then)
    return _rating_answer(page_id, value, entry_time, native)


def _fetched_rating_comment(
    page_id: str, value: dict[str, Any], entry_time: Any, native: str, data: Any
) -> Marked:
    data = as_dict(data)
    merged = {**value, "message": data.get("message") or "", **_created(data)}
    return _rating_answer(page_id, merged, entry_time, native)


def _story(value: dict[str, Any], native: str) -> str:
    """``open_graph_story_id``, else the story part of ``post_id`` (``<reviewer>_<story>``)."""
    story = as_id(value.get("open_graph_story_id"))
    post = as_id(value.get("post_id"))
    if story is None and post:
        story = post.rsplit("_", 1)[-1]
    if story is None:
        raise ItemProblem(
            "missing_field", "open_graph_story_id or post_id is required", "post_id", native
        )
    return story


def _rating_answer(page_id: str, value: dict[str, Any], entry_time: Any, native: str) -> Marked:
    story = _story(value, native)
    sender, name = _sender(value, native)
    parent = as_id(value.get("parent_id"))
    # parent_id names the recommendation's post for a comment on it, a comment for a reply
    top = parent in (None, story, as_id(value.get("post_id")))
    created = _time(value, entry_time)
    post = native_post(
        "facebook",
        page_id,
        native,
        "comment" if top else "reply",
        story,
        story if top else parent,
        author=author(sender, display_name=name),
        text=require_text(value.get("message"), "message", allow_missing=True),
        created_at=created,
        from_brand=sender == page_id,
    )
    return Marked(post, _marker(entry_time, created))
