"""The connector registry: one module per platform, one line per platform here."""

from __future__ import annotations

from chorus_ingest.connectors.base import Connector, PollSource
from chorus_ingest.connectors.email import EmailConnector
from chorus_ingest.connectors.facebook import FacebookConnector
from chorus_ingest.connectors.generic import GenericConnector
from chorus_ingest.connectors.google_business import GoogleBusinessConnector
from chorus_ingest.connectors.instagram import InstagramConnector
from chorus_ingest.connectors.linkedin import LinkedInConnector
from chorus_ingest.connectors.mastodon import MastodonConnector
from chorus_ingest.connectors.messenger import MessengerConnector
from chorus_ingest.connectors.reddit import RedditConnector
from chorus_ingest.connectors.rss import RssConnector
from chorus_ingest.connectors.trustpilot import TrustpilotConnector
from chorus_ingest.connectors.whatsapp import WhatsAppConnector
from chorus_ingest.connectors.x import XConnector
from chorus_ingest.connectors.youtube import YouTubeConnector

CONNECTORS: dict[str, Connector] = {
    "generic": GenericConnector(),
    "google_business": GoogleBusinessConnector(),
    "youtube": YouTubeConnector(),
    "reddit": RedditConnector(),
    "mastodon": MastodonConnector(),
    "rss": RssConnector(),
    "trustpilot": TrustpilotConnector(),
    "email": EmailConnector(),
    "x": XConnector(),
    "facebook": FacebookConnector(),
    "messenger": MessengerConnector(),
    "instagram": InstagramConnector(),
    "whatsapp": WhatsAppConnector(),
    "linkedin": LinkedInConnector(),
}

POLL_SOURCES: dict[str, PollSource] = {
    "google_business": GoogleBusinessConnector(),
    "youtube": YouTubeConnector(),
    "reddit": RedditConnector(),
    "mastodon": MastodonConnector(),
    "rss": RssConnector(),
    "trustpilot": TrustpilotConnector(),
}
