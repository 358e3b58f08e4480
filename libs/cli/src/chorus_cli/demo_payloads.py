"""Platform-shaped, correctly signed webhook deliveries for the demo feed (from the platforms' docs).

Each builder returns a ``Delivery``: the webhook path, query, headers and the exact body bytes.
Shapes: X Account Activity ``tweet_create_events`` (v1.1 tweets), Meta Graph webhooks
(``object: page`` feed changes, ``object: instagram`` comments, ``object:
whatsapp_business_account`` messages, each signed ``X-Hub-Signature-256``), Google Business
Profile reviews pushed through Cloud Pub/Sub (``?token=``), and RFC 5322 e-mail relayed with
the Chorus relay HMAC.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

import orjson

BRAND_X_ID = "1500000000000000001"
FB_PAGE_ID = "104920155478392"
IG_ACCOUNT_ID = "17841400000000001"
WABA_ID = "102290129340398"
WA_PHONE_ID = "106540352242922"
GBP_LOCATION = "accounts/111222333/locations/444555666"
MAILBOX = "support@chorus-demo.example"

# Demo secrets: only for the local demo channels; never use these for a real account.
SECRETS: dict[str, dict[str, str]] = {
    "x": {"consumer_secret": "demo-x-consumer-secret"},
    "facebook": {"app_secret": "demo-meta-app-secret", "verify_token": "demo-verify"},
    "instagram": {"app_secret": "demo-meta-app-secret", "verify_token": "demo-verify"},
    "whatsapp": {"app_secret": "demo-meta-app-secret", "verify_token": "demo-verify"},
    "google_business": {"token": "demo-pubsub-token"},
    "email": {"signing_secret": "demo-mail-relay-secret"},
}

CHANNELS: list[dict[str, str]] = [
    {"platform": "x", "external_id": BRAND_X_ID, "display_name": "@ChorusCoffee"},
    {"platform": "facebook", "external_id": FB_PAGE_ID, "display_name": "Chorus Coffee"},
    {"platform": "instagram", "external_id": IG_ACCOUNT_ID, "display_name": "@choruscoffee"},
    {"platform": "whatsapp", "external_id": WA_PHONE_ID, "display_name": "Chorus support"},
    {"platform": "google_business", "external_id": GBP_LOCATION, "display_name": "Lyon store"},
    {"platform": "email", "external_id": MAILBOX, "display_name": "Support mailbox"},
]


@dataclass(frozen=True)
class Person:
    id: str
    handle: str
    name: str
    followers: int = 120
    verified: bool = False
    email: str = "someone@example.net"
    phone: str = "33612345678"


@dataclass(frozen=True)
class Delivery:
    platform: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    root_id: str | None = None  # what a later reply in this thread should answer


def _hmac(secret: str, body: bytes) -> bytes:
    return hmac.new(secret.encode(), body, hashlib.sha256).digest()


def _meta(platform: str, doc: object) -> Delivery:
    body = orjson.dumps(doc)
    sig = "sha256=" + _hmac(SECRETS[platform]["app_secret"], body).hex()
    return Delivery(platform, body, {"content-type": "application/json",
                                     "x-hub-signature-256": sig})  # fmt: skip


def x_tweet(tid: str, who: Person, text: str, now: datetime, parent: str | None) -> Delivery:
    tweet = {
        "created_at": now.strftime("%a %b %d %H:%M:%S +0000 %Y"),
        "id": int(tid),
        "id_str": tid,
        "text": text,
        "source": '<a href="https://mobile.twitter.com">Twitter Web App</a>',
        "truncated": False,
        "in_reply_to_status_id_str": parent,
        "in_reply_to_user_id_str": BRAND_X_ID if parent else None,
        "user": {
            "id": int(who.id),
            "id_str": who.id,
            "name": who.name,
            "screen_name": who.handle,
            "followers_count": who.followers,
            "verified": who.verified,
        },
        "entities": {
            "hashtags": [],
            "urls": [],
            "user_mentions": [{"id_str": BRAND_X_ID, "screen_name": "ChorusCoffee"}],
        },
        "favorite_count": 0,
        "retweet_count": 0,
        "lang": "und",
        "timestamp_ms": str(int(now.timestamp() * 1000)),
    }
    body = orjson.dumps({"for_user_id": BRAND_X_ID, "tweet_create_events": [tweet]})
    sig = "sha256=" + base64.b64encode(_hmac(SECRETS["x"]["consumer_secret"], body)).decode()
    headers = {"content-type": "application/json", "x-twitter-webhooks-signature": sig}
    return Delivery("x", body, headers, root_id=parent or tid)


def facebook_comment(
    post_id: str, comment_id: str, who: Person, text: str, now: datetime
) -> Delivery:
    value = {
        "from": {"id": who.id, "name": who.name},
        "post": {"status_type": "added_photos", "is_published": True,
                 "id": post_id, "permalink_url": f"https://www.facebook.com/{post_id}"},
        "message": text,
        "post_id": post_id,
        "comment_id": comment_id,
        "created_time": int(now.timestamp()),
        "item": "comment",
        "parent_id": post_id,
        "verb": "add",
    }  # fmt: skip
    return _meta_change("facebook", "page", FB_PAGE_ID, "feed", value, now, post_id)


def _meta_change(platform: str, obj: str, account: str, field: str, value: object,
                 now: datetime, root: str) -> Delivery:  # fmt: skip
    """A signed Meta webhook delivery of one change to ``account``, in the thread ``root``."""
    doc = {
        "object": obj,
        "entry": [{"id": account, "time": int(now.timestamp()),
                   "changes": [{"field": field, "value": value}]}],
    }  # fmt: skip
    d = _meta(platform, doc)
    return Delivery(d.platform, d.body, d.headers, d.query, root)


def instagram_comment(media_id: str, comment_id: str, who: Person, text: str,
                      now: datetime) -> Delivery:  # fmt: skip
    value = {
        "from": {"id": who.id, "username": who.handle},
        "media": {"id": media_id, "media_product_type": "FEED"},
        "id": comment_id,
        "text": text,
    }
    return _meta_change("instagram", "instagram", IG_ACCOUNT_ID, "comments", value, now, media_id)


def whatsapp_message(wamid: str, who: Person, text: str, now: datetime) -> Delivery:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "33180000000", "phone_number_id": WA_PHONE_ID},
        "contacts": [{"profile": {"name": who.name}, "wa_id": who.phone}],
        "messages": [{"from": who.phone, "id": wamid, "timestamp": str(int(now.timestamp())),
                      "text": {"body": text}, "type": "text"}],
    }  # fmt: skip
    doc = {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": [{"value": value, "field": "messages"}]}],
    }
    return _meta("whatsapp", doc)


_STARS = {1: "ONE", 2: "TWO", 3: "THREE", 4: "FOUR", 5: "FIVE"}


def google_review(review_id: str, who: Person, text: str, stars: int, now: datetime) -> Delivery:
    stamp = now.isoformat().replace("+00:00", "Z")
    review = {
        "name": f"{GBP_LOCATION}/reviews/{review_id}",
        "reviewId": review_id,
        "reviewer": {"displayName": who.name, "isAnonymous": False},
        "starRating": _STARS[stars],
        "comment": text,
        "createTime": stamp,
        "updateTime": stamp,
    }
    push = {
        "message": {
            "data": base64.b64encode(orjson.dumps(review)).decode(),
            "messageId": review_id[-12:],
            "publishTime": stamp,
            "attributes": {"location": GBP_LOCATION},
        },
        "subscription": "projects/chorus-demo/subscriptions/gbp-reviews",
    }
    return Delivery(
        "google_business",
        orjson.dumps(push),
        {"content-type": "application/json"},
        {"token": SECRETS["google_business"]["token"]},
    )


def email_message(msg_id: str, who: Person, subject: str, text: str, now: datetime,
                  parent: str | None) -> Delivery:  # fmt: skip
    lines = [
        f"From: {who.name} <{who.email}>",
        f"To: Chorus Coffee Support <{MAILBOX}>",
        f"Subject: {'Re: ' if parent else ''}{subject}",
        f"Date: {format_datetime(now)}",
        f"Message-ID: <{msg_id}@mail.example.net>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
    ]
    if parent:
        lines += [f"In-Reply-To: <{parent}@mail.example.net>",
                  f"References: <{parent}@mail.example.net>"]  # fmt: skip
    body = ("\r\n".join(lines) + "\r\n\r\n" + text + "\r\n").encode()
    stamp = str(int(time.time()))
    mac = hmac.new(SECRETS["email"]["signing_secret"].encode(), stamp.encode() + b"." + body,
                   hashlib.sha256).hexdigest()  # fmt: skip
    headers = {
        "content-type": "message/rfc822",
        "x-chorus-timestamp": stamp,
        "x-chorus-signature": f"sha256={mac}",
    }
    return Delivery("email", body, headers, root_id=parent or msg_id)


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
