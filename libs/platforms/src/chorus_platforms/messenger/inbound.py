"""Messenger: ``object: page`` webhooks with ``entry[].messaging[]`` message events.

Meta delivers Page feed changes and Messenger events to the one Page callback URL, so this
connector and ``facebook`` share one normalizer: messaging events become ``messenger`` posts
(kind ``dm``, thread ``messenger:{page_id}:{psid}``), feed changes ``facebook`` posts.
Shape: https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages
"""

from __future__ import annotations

from chorus_platforms.facebook.inbound import FacebookConnector


class MessengerConnector(FacebookConnector):
    """Messenger adapter (same envelope, signature and handshake as Facebook Pages)."""

    platform: str = "messenger"
