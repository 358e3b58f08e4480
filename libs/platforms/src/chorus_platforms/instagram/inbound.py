"""Instagram: ``object: instagram`` webhooks (``comments``, ``live_comments``, ``mentions``,
direct messages) and Graph API IG comment objects.

Shapes: https://developers.facebook.com/docs/instagram-platform/webhooks/examples (comment
value ``id``, ``text``, ``from`` {id, username}, ``media`` {id, media_product_type},
``parent_id``; no creation time, so ``entry.time`` is used),
https://developers.facebook.com/docs/instagram-api/guides/mentions (``mentions``:
``media_id`` and, for a comment, ``comment_id`` only), and
https://developers.facebook.com/docs/instagram-platform/reference/ig-comment (``id``,
``text``, ``timestamp``, ``username``, ``from``, ``like_count``, ``parent_id``, ``media``,
``replies``). Thread: the IG media id.

What a notification or a comment object only names is read with the channel's token
(``Fetch``): a mention through ``GET /{ig-user-id}?fields=mentioned_comment…`` or
``mentioned_media…``, a comment without its media or author through ``GET /{comment-id}``.
"""

from __future__ import annotations

from typing import Any

from chorus_platforms.instagram.comments import graph_comment, webhook_comment
from chorus_platforms.instagram.mentions import mention
from chorus_platforms.kit.fields import Skip, as_dict, as_id, as_list
from chorus_platforms.kit.inbound import NormalizeResult, RawInput
from chorus_platforms.kit.items import Built, Items
from chorus_platforms.meta.messaging import messaging_events
from chorus_platforms.meta.webhooks import Entry, MetaConnector, changes, read_meta

_COMMENT_FIELDS = frozenset({"comments", "live_comments"})


def _unsupported(field: str | None) -> Built:
    raise Skip("unsupported_field", f"the Instagram webhook field {field!r} is not read")


def _instagram_entry(items: Items, entry: Entry) -> None:
    for path, field, change in changes(entry):
        value = as_dict(change).get("value")
        found = as_dict(value)
        if field in _COMMENT_FIELDS:
            guess = as_id(found.get("id"))
            args = (entry.account_id, value, entry.time)
            items.add(f"{path}.value", change, guess, webhook_comment, *args)
        elif field == "mentions":
            guess = as_id(found.get("comment_id")) or as_id(found.get("media_id"))
            items.add(f"{path}.value", change, guess, mention, entry.account_id, value, entry.time)
        else:
            items.add(path, change, None, _unsupported, field)
    messaging_events(items, "instagram", entry)


def _graph(items: Items, account: str, comments: list[Any]) -> None:
    """Comments and their ``replies.data[]`` (IG has one level of replies), one item each."""
    for i, comment in enumerate(comments):
        parent = as_dict(comment)
        own = as_id(parent.get("id"))
        items.add(f"data[{i}]", comment, own, graph_comment, account, comment)
        if own is None:
            continue
        for k, reply in enumerate(as_list(as_dict(parent.get("replies")).get("data"))):
            merged = {"media": parent.get("media"), "parent_id": own, **as_dict(reply)}
            guess = as_id(as_dict(reply).get("id"))
            path = f"data[{i}].replies.data[{k}]"
            items.add(path, reply, guess, graph_comment, account, merged)


def normalize_instagram(raw: RawInput) -> NormalizeResult:
    """An Instagram webhook envelope, a Graph ``{"data": [...]}`` page, or one comment."""
    return read_meta(raw, ("instagram",), _instagram_entry, _graph, "timestamp")


class InstagramConnector(MetaConnector):
    """Instagram adapter: pure normalize, ``X-Hub-Signature-256`` check, hub handshake."""

    platform: str = "instagram"

    def normalize(self, raw: RawInput) -> NormalizeResult:
        """Parse an Instagram webhook or IG comment page into posts; pure."""
        return normalize_instagram(raw)
