"""LinkedIn Community Management objects as posts: organization social action notifications
and Comments API objects.

Shapes: https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/organization-social-action-notifications
(``notificationId``, ``organizationalEntity``, ``action``, ``sourcePost``,
``generatedActivity``, ``decoratedGeneratedActivity`` {``comment`` | ``share``} {``owner``,
``text``, ``entity``, ``object``, ``parentComment``}, ``lastModifiedAt``) and
https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api
(``actor``, ``object``, ``message.text``, ``created.time``, ``commentUrn`` / ``$URN``, ``id``,
``parentComment``, ``likesSummary``, ``commentsSummary``).

* text: the comment's ``text`` / ``message.text``; a share's ``text``.
* thread_id: the post URN inside the comment URN ``urn:li:comment:(<post URN>,<comment id>)``
  (the same as the comment's ``object``; the notification's ``sourcePost`` when neither is
  given); a share is its own thread.
* in_reply_to: the parent comment's id (``parentComment``), else the post: a top-level
  comment's parent is the post.

The native id of a comment is its comment id, stable whichever URN form a payload uses. The
organization's own comments and shares (``ADMIN_COMMENT``, or owner/actor = the organization)
are posts with ``from_brand``. ``LIKE`` and ``COMMENT_DELETE`` are skipped with their reason.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from chorus_common.contracts.events import Metrics, Post

from chorus_platforms.kit.fields import (
    ItemProblem,
    Skip,
    as_dict,
    as_id,
    as_int,
    author,
    opt_str,
    require_id,
    require_text,
)
from chorus_platforms.kit.inbound import Marked, Marker
from chorus_platforms.kit.posts import native_post
from chorus_platforms.kit.times import epoch_time

_COMMENT_URN = re.compile(r"^urn:li:comment:\((?:urn:li:)?([A-Za-z]+:[^,()]+),([^,()]+)\)$")
_COMMENT_ACTIONS = frozenset({"COMMENT", "COMMENT_EDIT", "ADMIN_COMMENT"})
_SHARE_ACTIONS = frozenset({"SHARE", "SHARE_MENTION"})
_SKIPPED = {
    "LIKE": ("reaction", "a like is not a post"),
    "COMMENT_DELETE": ("deleted", "a deleted comment has no words left"),
}


def split_comment_urn(urn: str | None) -> tuple[str, str] | None:
    """``urn:li:comment:(urn:li:activity:1,2)`` → (``urn:li:activity:1``, ``2``)."""
    match = _COMMENT_URN.match(urn or "")
    return (f"urn:li:{match.group(1)}", match.group(2)) if match else None


def _comment_text(comment: dict[str, Any]) -> str:
    message = comment.get("message")
    if isinstance(message, dict):
        return require_text(message.get("text"), "message.text", allow_missing=True)
    if isinstance(message, str):
        return require_text(message, "message")
    return require_text(comment.get("text"), "text", allow_missing=True)


def _comment_post(
    channel: str,
    comment: dict[str, Any],
    *,
    comment_urn: str | None,
    owner: str | None,
    created_at: datetime,
    thread_hint: str | None,
) -> Post:
    parts = split_comment_urn(comment_urn)
    native = as_id(comment.get("id")) or (parts[1] if parts else None)
    if native is None:
        raise ItemProblem("missing_field", "a comment URN or id is required", "commentUrn")
    if owner is None:
        raise ItemProblem("missing_author", "the comment actor is required", "actor", native)
    thread = (parts[0] if parts else None) or as_id(comment.get("object")) or thread_hint
    if thread is None:
        raise ItemProblem("unknown_thread", "the commented post URN is unknown", "object", native)
    parent = split_comment_urn(opt_str(comment.get("parentComment")))
    likes = as_dict(comment.get("likesSummary"))
    replies = as_dict(comment.get("commentsSummary"))
    return native_post(
        "linkedin",
        channel,
        native,
        "reply" if parent else "comment",
        thread,
        parent[1] if parent else thread,
        author=author(owner),
        text=_comment_text(comment),
        created_at=created_at,
        metrics=Metrics(
            likes=as_int(likes.get("totalLikes")) or 0,
            replies=as_int(replies.get("aggregatedTotalComments")) or 0,
        ),
        from_brand=owner == channel,
    )


def _notification_comment(note: dict[str, Any], channel: str, created: datetime) -> Post:
    comment = as_dict(as_dict(note.get("decoratedGeneratedActivity")).get("comment"))
    generated = opt_str(note.get("generatedActivity"))
    urn = opt_str(comment.get("entity")) or opt_str(comment.get("commentUrn")) or generated
    owner = as_id(comment.get("owner")) or as_id(comment.get("actor"))
    if note.get("action") == "ADMIN_COMMENT":
        owner = owner or channel  # written as the organization
    return _comment_post(
        channel,
        comment,
        comment_urn=urn,
        owner=owner,
        created_at=created,
        thread_hint=as_id(note.get("sourcePost")),
    )


def _notification_share(note: dict[str, Any], channel: str, created: datetime) -> Post:
    share = as_dict(as_dict(note.get("decoratedGeneratedActivity")).get("share"))
    generated = opt_str(note.get("generatedActivity"))
    native = as_id(share.get("entity")) or require_id(generated, "generatedActivity")
    owner = as_id(share.get("owner"))
    if owner is None:
        raise ItemProblem("missing_author", "the share owner is required", "share", native)
    return native_post(
        "linkedin",
        channel,
        native,
        "mention",
        native,
        None,
        url=f"https://www.linkedin.com/feed/update/{native}/",
        author=author(owner),
        text=require_text(share.get("text"), "share.text", allow_missing=True),
        created_at=created,
        from_brand=owner == channel,
    )


def notification_post(notification: Any, fallback: str | None = None) -> Marked:
    """One social action notification: comments, reshares and mentions of the organization;
    its edit marker is ``lastModifiedAt`` (a ``COMMENT_EDIT`` comes with a later one). An
    action not listed here that carries a comment or a share is read as one. The organization is
    ``organizationalEntity``, else ``fallback`` (the channel a pulled page came on)."""
    note = as_dict(notification)
    action = opt_str(note.get("action")) or ""
    if action in _SKIPPED:
        raise Skip(*_SKIPPED[action])
    channel = require_id(note.get("organizationalEntity") or fallback, "organizationalEntity")
    created = epoch_time(note.get("lastModifiedAt"), "lastModifiedAt", unit="ms")
    decorated = as_dict(note.get("decoratedGeneratedActivity"))
    if action in _COMMENT_ACTIONS or (action not in _SHARE_ACTIONS and "comment" in decorated):
        return Marked(_notification_comment(note, channel, created), Marker.at(created))
    if action in _SHARE_ACTIONS or "share" in decorated:
        return Marked(_notification_share(note, channel, created), Marker.at(created))
    raise Skip("unsupported_action", f"action {action[:40]!r} carries no comment or share")


def api_comment(channel: str, comment: Any) -> Marked:
    """A Comments API object (``GET /rest/socialActions/{post URN}/comments``); its edit marker
    is ``lastModified.time`` (else ``created.time``)."""
    comment = as_dict(comment)
    urn = opt_str(comment.get("commentUrn")) or opt_str(comment.get("$URN"))
    created = epoch_time(as_dict(comment.get("created")).get("time"), "created.time")
    modified = as_dict(comment.get("lastModified")).get("time")
    changed = epoch_time(modified, "lastModified.time") if modified is not None else created
    post = _comment_post(
        channel,
        comment,
        comment_urn=urn,
        owner=as_id(comment.get("actor")),
        created_at=created,
        thread_hint=None,
    )
    return Marked(post, Marker.at(changed))
