"""A Meta platform's description: what the four share (secrets, credentials, Graph base)."""

from __future__ import annotations

from collections.abc import Mapping

from chorus_platforms.kit.inbound import Connector
from chorus_platforms.kit.outbound import Sender
from chorus_platforms.meta import graph
from chorus_platforms.spec import Limit, Platform, Route

# Webhook signature and handshake.
SECRETS = ("app_secret", "verify_token")


def meta_platform(
    slug: str,
    connector: Connector,
    sender: Sender,
    *,
    limit: int,
    replies: Mapping[str, Route],
    sends_per_minute: int,
    reads: bool = False,
) -> Platform:
    """A Meta platform: its secrets, the channel's ``access_token`` and the Graph API base.
    ``reads``: its connector asks for follow-up reads, made with the ingest channel's
    ``access_token`` secret too."""
    return Platform(
        slug=slug,
        connector=connector,
        secrets=(*SECRETS, "access_token") if reads else SECRETS,
        sender=sender,
        credentials=("access_token",),
        api_base=graph.DEFAULT_BASE,
        limit=Limit(limit, "characters", len),
        replies=replies,
        sends_per_minute=sends_per_minute,
    )
