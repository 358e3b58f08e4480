"""Trustpilot-style review feeds (polling or webhook; inbound only)."""

from __future__ import annotations

from chorus_platforms.spec import Platform
from chorus_platforms.trustpilot.inbound import TrustpilotConnector

_connector = TrustpilotConnector()

PLATFORM = Platform(
    slug="trustpilot",
    connector=_connector,
    secrets=("api_key", "basic_username", "basic_password"),
    poll=_connector,
)
