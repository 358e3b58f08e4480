"""App Store: customer reviews (polling) and the developer's one editable response."""

from __future__ import annotations

from chorus_platforms.app_store.inbound import AppStoreConnector
from chorus_platforms.app_store.sender import APP_STORE_BASE, RESPONSE_LIMIT, AppStoreSender
from chorus_platforms.spec import Limit, Platform, routes

_connector = AppStoreConnector()

PLATFORM = Platform(
    slug="app_store",
    connector=_connector,
    secrets=("issuer_id", "key_id", "private_key", "signing_secret"),
    poll=_connector,
    sender=AppStoreSender(),
    credentials=("issuer_id", "key_id", "private_key"),
    api_base=APP_STORE_BASE,
    limit=Limit(RESPONSE_LIMIT, "characters", len),
    replies=routes("app_store", "public", ["review"]),
    single_reply=True,
    # About 3,500 requests a rolling hour per API key (X-Rate-Limit), shared with the polls.
    sends_per_minute=30,
)
