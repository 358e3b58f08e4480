"""The connector registry: one module per platform, one line per platform here."""

from __future__ import annotations

from chorus_ingest.connectors.base import Connector, PollSource

CONNECTORS: dict[str, Connector] = {}

POLL_SOURCES: dict[str, PollSource] = {}
