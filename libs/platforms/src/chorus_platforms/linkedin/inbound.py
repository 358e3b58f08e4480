"""LinkedIn: organization social action notifications (webhook and pull) and Comments API objects.

Shapes: https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/organization-social-action-notifications
(``{"type": "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS", "notifications": [{notificationId,
organizationalEntity, action, sourcePost, decoratedSourcePost, generatedActivity,
decoratedGeneratedActivity {comment | share}, lastModifiedAt}]}``; the pull finder returns the
same notifications as ``elements``) and
https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api
(``elements`` of comments: ``actor``, ``object``, ``message.text``, ``created.time``,
``commentUrn`` / ``$URN``, ``id``, ``parentComment``, ``likesSummary``).
Security: https://learn.microsoft.com/en-us/linkedin/shared/api-guide/webhook-validation —
``X-LI-Signature`` = hex HMAC-SHA256(clientSecret, ``"hmacsha256=" + raw body``) and the
``challengeCode`` validation answered with ``challengeResponse`` = hex HMAC-SHA256
(clientSecret, challengeCode). No timestamp is signed: the durable dedup on post ids (and
LinkedIn's ``notificationId``) absorbs replays.

A comment URN is ``urn:li:comment:(<post URN>,<comment id>)``: the native id is the comment
id (stable whichever URN form a payload uses) and the thread is the post URN inside it, the
same URN as the comment's ``object``. Actions LIKE and COMMENT_DELETE are not posts; the
brand's own comments (``ADMIN_COMMENT``, or ``actor`` = the organization) are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson
from chorus_common.contracts.events import Metrics, Post

from chorus_platforms.kit import signatures
from chorus_platforms.kit.fields import (
    ItemProblem,
    as_dict,
    as_id,
    as_int,
    author,
    opt_str,
    require_id,
    require_text,
)
from chorus_platforms.kit.inbound import (
    HandshakeResponse,
    Marked,
    Marker,
    NormalizeError,
    NormalizeResult,
    RawInput,
    SignatureError,
)
from chorus_platforms.kit.items import Items, load_json, require_channel
from chorus_platforms.kit.times import epoch_time

SIGNATURE_HEADER = "x-li-signature"
NOTIFICATIONS = "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS"
_COMMENT_URN = re.compile(r"^urn:li:comment:\((?:urn:li:)?([A-Za-z]+:[^,()]+),([^,()]+)\)$")
_COMMENT_ACTIONS = frozenset({"COMMENT", "COMMENT_EDIT"})
_SHARE_ACTIONS = frozenset({"SHARE", "SHARE_MENTION"})
_MAX_CHALLENGE = 512


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
) -> Post | None:
    parts = split_comment_urn(comment_urn)
    native = as_id(comment.get("id")) or (parts[1] if parts else None)
    if native is None:
        raise ItemProblem("missing_field", "a comment URN or id is required", "commentUrn")
    if owner is None:
        raise ItemProblem("missing_author", "the comment actor is required", "actor", native)
    if owner == channel:
        return None
    thread = (parts[0] if parts else None) or as_id(comment.get("object")) or thread_hint
    if thread is None:
        raise ItemProblem("unknown_thread", "the commented post URN is unknown", "object", native)
    parent = split_comment_urn(opt_str(comment.get("parentComment")))
    likes = as_dict(comment.get("likesSummary"))
    replies = as_dict(comment.get("commentsSummary"))
    return Post(
        id=Post.make_id("linkedin", native),
        platform="linkedin",
        channel=channel,
        kind="reply" if parent else "comment",
        native_id=native,
        thread_id=Post.make_id("linkedin", thread),
        in_reply_to=Post.make_id("linkedin", parent[1] if parent else thread),
        author=author(owner),
        text=_comment_text(comment),
        created_at=created_at,
        metrics=Metrics(
            likes=as_int(likes.get("totalLikes")) or 0,
            replies=as_int(replies.get("aggregatedTotalComments")) or 0,
        ),
    )


def notification_post(notification: Any) -> Marked | None:
    """One social action notification: comments, reshares and mentions of the organization;
    its edit marker is ``lastModifiedAt`` (a ``COMMENT_EDIT`` comes with a later one)."""
    note = as_dict(notification)
    action = opt_str(note.get("action"))
    channel = require_id(note.get("organizationalEntity"), "organizationalEntity")
    created = epoch_time(note.get("lastModifiedAt"), "lastModifiedAt", unit="ms")
    generated = opt_str(note.get("generatedActivity"))
    decorated = as_dict(note.get("decoratedGeneratedActivity"))
    marker = Marker.at(created)
    if action in _COMMENT_ACTIONS:
        comment = as_dict(decorated.get("comment"))
        urn = opt_str(comment.get("entity")) or opt_str(comment.get("commentUrn")) or generated
        owner = as_id(comment.get("owner")) or as_id(comment.get("actor"))
        post = _comment_post(
            channel,
            comment,
            comment_urn=urn,
            owner=owner,
            created_at=created,
            thread_hint=as_id(note.get("sourcePost")),
        )
        return Marked(post, marker) if post is not None else None
    if action in _SHARE_ACTIONS:
        share = as_dict(decorated.get("share"))
        native = as_id(share.get("entity")) or require_id(generated, "generatedActivity")
        owner = as_id(share.get("owner"))
        if owner is None:
            raise ItemProblem("missing_author", "the share owner is required", "share", native)
        if owner == channel:
            return None
        share_post = Post(
            id=Post.make_id("linkedin", native),
            platform="linkedin",
            channel=channel,
            kind="mention",
            native_id=native,
            url=f"https://www.linkedin.com/feed/update/{native}/",
            thread_id=Post.make_id("linkedin", native),
            author=author(owner),
            text=require_text(share.get("text"), "share.text", allow_missing=True),
            created_at=created,
        )
        return Marked(share_post, marker)
    return None  # LIKE, COMMENT_DELETE, ADMIN_COMMENT (the brand's own): not posts


def api_comment(channel: str, comment: Any) -> Marked | None:
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
    return Marked(post, Marker.at(changed)) if post is not None else None


def normalize_linkedin(raw: RawInput) -> NormalizeResult:
    """A webhook notification batch, a pull page of notifications or comments, or one comment."""
    body = load_json(raw)
    if not isinstance(body, dict):
        raise NormalizeError("unrecognized_payload", "expected a LinkedIn JSON object")
    items = Items()
    if body.get("type") == NOTIFICATIONS or "notifications" in body:
        notifications = body.get("notifications")
        if not isinstance(notifications, list):
            raise NormalizeError("missing_field", "notifications must be a list", "notifications")
        for i, note in enumerate(notifications):
            guess = as_id(as_dict(note).get("notificationId"))
            items.add(f"notifications[{i}]", note, guess, notification_post, note)
        return items.result
    if isinstance(body.get("elements"), list):
        elements: list[Any] = body["elements"]
    elif "actor" in body and "message" in body:
        elements = [body]
    else:
        raise NormalizeError("unrecognized_payload", "expected LinkedIn notifications or comments")
    channel: str | None = None
    for i, element in enumerate(elements):
        guess = as_id(as_dict(element).get("id"))
        if "notificationId" in as_dict(element):
            items.add(f"elements[{i}]", element, guess, notification_post, element)
            continue
        channel = channel or require_channel(raw)
        items.add(f"elements[{i}]", element, guess, api_comment, channel, element)
    return items.result


class LinkedInConnector:
    """LinkedIn adapter: pure normalize, ``X-LI-Signature`` check, ``challengeCode`` answer."""

    platform: str = "linkedin"

    def normalize(self, raw: RawInput) -> NormalizeResult:
        """Parse notifications or Comments API objects into posts; pure."""
        return normalize_linkedin(raw)

    def verify(self, raw: RawInput, secrets: Mapping[str, str], now: datetime) -> None:
        """Hex HMAC-SHA256 of ``hmacsha256=`` + raw body with ``client_secret``."""
        given = signatures.signature_header(raw, SIGNATURE_HEADER).lower()
        given = given.removeprefix("hmacsha256=")
        secret = signatures.secret(secrets, "client_secret")
        expected = signatures.hmac_sha256(secret, b"hmacsha256=" + raw.body).hex()
        if not signatures.equal(given, expected):
            raise SignatureError(403, "bad_signature", f"{SIGNATURE_HEADER} does not match")

    def handshake(
        self, query: Mapping[str, str], secrets: Mapping[str, str]
    ) -> HandshakeResponse | None:
        """Answer ``challengeCode`` with its hex HMAC-SHA256 under ``client_secret`` (JSON)."""
        code = query.get("challengeCode") or ""
        if not code or len(code) > _MAX_CHALLENGE:
            return HandshakeResponse(400, b"missing or invalid challengeCode")
        secret = secrets.get("client_secret")
        if not secret:
            return HandshakeResponse(403, b"validation not configured")
        answer = signatures.hmac_sha256(secret, code.encode("utf-8")).hex()
        body = orjson.dumps({"challengeCode": code, "challengeResponse": answer})
        return HandshakeResponse(200, body, "application/json")
