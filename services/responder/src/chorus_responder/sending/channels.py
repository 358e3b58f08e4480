"""Resolve where and with which credentials a reply goes (channel configuration, defaults,
the global override that points every platform at a local sandbox) and what goes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chorus_platforms.kit.outbound import Channel, OutboundReply, PermanentSendError
from chorus_platforms.registry import PLATFORMS
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_responder import models
from chorus_responder.settings import ResponderSettings

# Not a secret: the local sandbox accepts any token.
SANDBOX_TOKEN = "sandbox-token"


async def resolve(
    session: AsyncSession, settings: ResponderSettings, adapter: str, platform: str, channel: str
) -> Channel:
    """The channel for ``adapter`` (a Facebook page's configuration also serves Messenger)."""
    t = models.channels
    row = None
    for p in dict.fromkeys((adapter, platform)):
        row = (
            await session.execute(select(t).where(t.c.platform == p, t.c.channel == channel))
        ).first()
        if row is not None:
            break
    options: dict[str, str] = {k: str(v) for k, v in (row.options if row else {}).items()}
    credentials: dict[str, str] = dict(row.credentials) if row else {}
    override = settings.platform_base_url
    if adapter == "email":
        if settings.smtp_host:
            options["smtp_host"] = settings.smtp_host
            options["smtp_port"] = str(settings.smtp_port)
            options.setdefault("starttls", "false")
        base = ""
    elif override:
        base = override
    else:
        described = PLATFORMS.get(adapter)
        default = described.base_url(channel) if described is not None else ""
        base = (row.base_url if row else None) or default
    if override and not credentials:
        credentials = {"access_token": SANDBOX_TOKEN}
    if row is None and not override and not (adapter == "email" and settings.smtp_host):
        raise PermanentSendError(
            "channel_not_configured", f"no configuration for {adapter} channel {channel}"
        )
    if adapter != "email" and not base:
        raise PermanentSendError(
            "channel_not_configured", f"no API base URL for {adapter}/{channel}"
        )
    return Channel(adapter, channel, base, options, credentials)


def _native(post_id: str | None) -> str | None:
    if not post_id:
        return None
    return post_id.split(":", 1)[1] if ":" in post_id else post_id


def outbound(reply: Mapping[str, Any], post: Mapping[str, Any]) -> OutboundReply:
    return OutboundReply(
        reply_id=reply["reply_id"],
        idempotency_key=reply["idempotency_key"],
        adapter=reply["adapter"],
        visibility=reply["visibility"],
        mode=reply["mode"],
        text=reply["text"],
        post_native_id=post["native_id"],
        post_kind=post["kind"],
        post_url=post["url"],
        parent_native_id=_native(post["in_reply_to"]),
        author_id=post["author_id"],
        author_handle=post["author_handle"],
        lang=reply["lang"],
    )
