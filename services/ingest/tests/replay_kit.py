"""Signed deliveries of successive versions of one post, per platform, for the replay tests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from chorus_platforms.kit.signatures import relay_signature

from services.ingest.tests.social_kit import META_SECRETS, meta_headers

X_ACCOUNT = "2244994945"
X_SECRET = "x-consumer-secret"
PAGE = "104920155478392"
ORG = "urn:li:organization:5515715"
LI_SECRET = "linkedin-client-secret"
RELAY_SECRET = "relay-signing-secret"
BASE_TIME = 1_760_000_000  # seconds; version k happened k minutes later


@dataclass(frozen=True)
class Delivery:
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Platform:
    slug: str
    channel: dict[str, Any]  # POST /v1/channels body
    post_id: Callable[[str], str]  # canonical id of the post with this native key
    deliver: Callable[[str, int, str], Delivery]  # (native key, version, text)
    ordered: bool = True  # versions carry an edit marker (else only the hash orders them)


def _x(key: str, version: int, text: str) -> Delivery:
    first = 1_850_000_000_000_000_000 + int(key, 16) % 10**12 * 1000
    tweet_id = str(first + version)  # X gives each edit a new, larger id
    doc = {
        "for_user_id": X_ACCOUNT,
        "tweet_create_events": [
            {
                "id_str": tweet_id,
                "created_at": "Wed Oct 10 20:19:24 +0000 2018",
                "text": text,
                "user": {"id_str": "6253282", "screen_name": "jane", "name": "Jane"},
                "edit_history": {
                    "initial_tweet_id": str(first),
                    "edit_tweet_ids": [str(first + v) for v in range(version + 1)],
                },
            }
        ],
    }
    body = orjson.dumps(doc)
    mac = hmac.new(X_SECRET.encode(), body, hashlib.sha256).digest()
    return Delivery(
        body, {"x-twitter-webhooks-signature": "sha256=" + base64.b64encode(mac).decode()}
    )


def _x_id(key: str) -> str:
    return f"x:{1_850_000_000_000_000_000 + int(key, 16) % 10**12 * 1000}"


def _facebook(key: str, version: int, text: str) -> Delivery:
    value = {
        "item": "comment",
        "verb": "edited" if version else "add",
        "post_id": f"{PAGE}_77",
        "comment_id": f"77_{key}",
        "from": {"id": "5550001", "name": "Jo"},
        "message": text,
        "created_time": BASE_TIME,
    }
    entry = {
        "id": PAGE,
        "time": BASE_TIME + 60 * version,
        "changes": [{"field": "feed", "value": value}],
    }
    body = orjson.dumps({"object": "page", "entry": [entry]})
    return Delivery(body, meta_headers(body))


def _linkedin(key: str, version: int, text: str) -> Delivery:
    urn = f"urn:li:comment:(urn:li:activity:7001,{key})"
    note = {
        "notificationId": 1000 + version,
        "organizationalEntity": ORG,
        "action": "COMMENT_EDIT" if version else "COMMENT",
        "sourcePost": "urn:li:activity:7001",
        "generatedActivity": urn,
        "decoratedGeneratedActivity": {
            "comment": {"entity": urn, "owner": "urn:li:person:ab12", "message": {"text": text}}
        },
        "lastModifiedAt": (BASE_TIME + 60 * version) * 1000,
    }
    body = orjson.dumps(
        {"type": "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS", "notifications": [note]}
    )
    mac = hmac.new(LI_SECRET.encode(), b"hmacsha256=" + body, hashlib.sha256).hexdigest()
    return Delivery(body, {"x-li-signature": mac})


def _generic(edited: bool) -> Callable[[str, int, str], Delivery]:
    def deliver(key: str, version: int, text: str) -> Delivery:
        item: dict[str, Any] = {
            "id": f"crm-{key}",
            "channel": "crm",
            "text": text,
            "author": {"id": "u1"},
            "created_at": "2026-01-01T10:00:00Z",
        }
        if edited:
            item["edited_at"] = f"2026-01-01T10:{version:02d}:00Z"
        body = orjson.dumps([item])
        # Signed when sent: a replay within the relay's 5-minute window verifies.
        stamp = str(int(time.time()))
        return Delivery(
            body,
            {
                "x-chorus-timestamp": stamp,
                "x-chorus-signature": relay_signature(RELAY_SECRET, stamp, body),
            },
        )

    return deliver


PLATFORMS: dict[str, Platform] = {
    "x": Platform(
        "x",
        {"platform": "x", "external_id": X_ACCOUNT, "secrets": {"consumer_secret": X_SECRET}},
        _x_id,
        _x,
    ),
    "facebook": Platform(
        "facebook",
        {"platform": "facebook", "external_id": PAGE, "secrets": dict(META_SECRETS)},
        lambda key: f"facebook:77_{key}",
        _facebook,
    ),
    "linkedin": Platform(
        "linkedin",
        {"platform": "linkedin", "external_id": ORG, "secrets": {"client_secret": LI_SECRET}},
        lambda key: f"linkedin:{key}",
        _linkedin,
    ),
    "generic": Platform(
        "generic",
        {"platform": "generic", "external_id": "crm", "secrets": {"signing_secret": RELAY_SECRET}},
        lambda key: f"generic:crm-{key}",
        _generic(edited=True),
    ),
    "generic-unmarked": Platform(
        "generic",
        {"platform": "generic", "external_id": "crm", "secrets": {"signing_secret": RELAY_SECRET}},
        lambda key: f"generic:crm-{key}",
        _generic(edited=False),
        ordered=False,
    ),
}


def text_of(version: int) -> str:
    return f"version {version} of the complaint"
