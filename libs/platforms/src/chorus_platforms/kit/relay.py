"""Pull sources with no platform webhook (Reddit, YouTube, the app stores, email relays): pages
pushed by a Chorus relay are accepted with the relay HMAC, and there is no subscription handshake."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from chorus_platforms.kit import signatures
from chorus_platforms.kit.inbound import NoHandshake, RawInput


class RelayPushed(NoHandshake):
    """``verify`` and ``handshake`` of a polled connector whose pushes come from a relay."""

    def verify(self, raw: RawInput, secrets: Mapping[str, str], now: datetime) -> None:
        """Relayed API pages must carry the Chorus relay HMAC (``signing_secret``)."""
        signatures.relay_hmac(raw, secrets, now)
