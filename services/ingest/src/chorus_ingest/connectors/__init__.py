"""The connector registry: one module per platform, one line per platform here."""

from __future__ import annotations

from chorus_ingest.connectors.base import Connector, PollSource
from chorus_ingest.connectors.generic import GenericConnector

CONNECTORS: dict[str, Connector] = {
    "generic": GenericConnector(),
}

POLL_SOURCES: dict[str, PollSource] = {}
