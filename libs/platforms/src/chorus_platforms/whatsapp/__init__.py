"""WhatsApp Business Cloud: messages, answered in the conversation."""

from __future__ import annotations

from chorus_platforms.meta.platform import meta_platform
from chorus_platforms.spec import PUBLIC_KINDS, routes
from chorus_platforms.whatsapp.inbound import WhatsAppConnector
from chorus_platforms.whatsapp.sender import WhatsAppSender

PLATFORM = meta_platform(
    "whatsapp",
    WhatsAppConnector(),
    WhatsAppSender(),
    limit=4096,  # a WhatsApp text body takes 4,096 characters
    replies=routes("whatsapp", "private", [*PUBLIC_KINDS, "dm"]),
    sends_per_minute=600,
)
