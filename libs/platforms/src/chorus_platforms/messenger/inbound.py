"""Messenger: ``object: page`` webhooks with ``entry[].messaging[]`` message events.

Meta delivers Page feed changes and Messenger events to the one Page callback URL, so this
connector and ``facebook`` share one normalizer: messaging events become ``messenger`` posts
(kind ``dm``, thread ``messenger:{page_id}:{psid}``), feed changes ``facebook`` posts.
Meta's reference shows one messaging event, or one ``entry`` element, without the envelope;
either is read as the delivery that carries it.
Shape: https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages
"""

from __future__ import annotations

from typing import Any

from chorus_platforms.facebook.inbound import FacebookConnector
from chorus_platforms.kit.fields import as_dict, as_id
from chorus_platforms.kit.inbound import NormalizeResult, RawInput
from chorus_platforms.kit.items import Items, load_json
from chorus_platforms.meta.messaging import messaging_events
from chorus_platforms.meta.webhooks import Entry, entries


def _bare(data: Any) -> dict[str, Any] | None:
    """The entry a bare event or entry stands for, or None for anything else."""
    if not isinstance(data, dict) or "object" in data:
        return None
    if isinstance(data.get("messaging"), list) and "id" in data:
        return data
    if "sender" in data and "recipient" in data and "timestamp" in data:
        page = as_id(as_dict(data.get("recipient")).get("id"))
        return {"id": page, "messaging": [data]}
    return None


class MessengerConnector(FacebookConnector):
    """Messenger adapter (same envelope, signature and handshake as Facebook Pages)."""

    platform: str = "messenger"

    def normalize(self, raw: RawInput) -> NormalizeResult:
        entry = _bare(load_json(raw))
        if entry is None:
            return super().normalize(raw)
        items = Items()
        for found in entries(items, [("entry[0]", entry)]):
            messaging_events(items, "messenger", Entry(found.account_id, None, entry, ""))
        return items.result
