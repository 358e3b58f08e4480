"""WhatsApp Business Cloud: messages, answered in the conversation."""

from __future__ import annotations

from chorus_platforms.meta import graph
from chorus_platforms.spec import PUBLIC_KINDS, Limit, Platform, routes
from chorus_platforms.whatsapp.inbound import WhatsAppConnector
from chorus_platforms.whatsapp.sender import WhatsAppSender

_connector = WhatsAppConnector()

PLATFORM = Platform(
    slug="whatsapp",
    connector=_connector,
    secrets=("app_secret", "verify_token"),
    sender=WhatsAppSender(),
    credentials=("access_token",),
    api_base=graph.DEFAULT_BASE,
    # A WhatsApp text body takes 4,096 characters.
    limit=Limit(4096, "characters", len),
    replies=routes("whatsapp", "private", [*PUBLIC_KINDS, "dm"]),
    sends_per_minute=600,
)
