"""App Store customer reviews: App Store Connect API `customerReviews` documents (JSON:API).

Shapes: https://developer.apple.com/documentation/appstoreconnectapi/get-v1-apps-_id_-customerreviews
(``data[]`` of ``customerReviews``, ``links.next`` carrying the ``cursor``) and a single
review (``data`` an object). With ``include=response`` the developer's responses
(``customerReviewResponses``) come in ``included[]``: each is the brand's own post. There is
no review webhook: the app is polled (relayed pages carry the Chorus relay HMAC).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final
from urllib.parse import parse_qs, quote, urlsplit

from chorus_common.contracts.events import Metrics, Post

from chorus_platforms.app_store.auth import api_token
from chorus_platforms.kit import fields as fk
from chorus_platforms.kit import polling as fp
from chorus_platforms.kit.inbound import (
    Marked,
    NormalizeError,
    NormalizeResult,
    PollRequest,
    RawInput,
)
from chorus_platforms.kit.items import Items, load_json, require_channel
from chorus_platforms.kit.posts import review_answer, review_post
from chorus_platforms.kit.relay import RelayPushed
from chorus_platforms.kit.times import iso_time

PLATFORM: Final = "app_store"
API_BASE = "https://api.appstoreconnect.apple.com"
_APP_IN_LINK = re.compile(r"/v1/apps/([0-9A-Za-z]+)/")


class AppStoreConnector(RelayPushed):
    """Pure adapter for App Store customer reviews; idempotent by review id (no platform
    webhook: relayed pages carry the Chorus relay HMAC)."""

    platform = PLATFORM

    def normalize(self, raw: RawInput) -> NormalizeResult:
        doc = load_json(raw)
        if not isinstance(doc, dict) or "data" not in doc:
            raise NormalizeError("invalid_shape", "expected a JSON:API document with data")
        data = doc["data"]
        rows = data if isinstance(data, list) else [] if data is None else [data]
        included = doc.get("included")
        included = [] if included is None else included
        if not isinstance(included, list):
            raise NormalizeError("invalid_shape", "included must be a list", "included")
        app = require_channel(raw, _app_of(doc))
        answered = _answered(rows)
        items = Items(lenient=True)
        for index, row in enumerate(rows):
            items.add(f"data[{index}]", row, _id(row), _review, row, app, answered)
        for index, row in enumerate(included):
            items.add(f"included[{index}]", row, _id(row), _included, row, app, answered)
        return items.result

    def poll_request(self, config: Mapping[str, Any], cursor: Mapping[str, Any]) -> PollRequest:
        """``GET /v1/apps/{id}/customerReviews`` newest first with the responses; config:
        ``app_id`` (else the channel), ``issuer_id``, ``key_id``, ``private_key``."""
        app = str(config.get("app_id") or fp.require(config, "channel"))
        token = api_token(
            fp.require(config, "issuer_id"),
            fp.require(config, "key_id"),
            fp.require(config, "private_key"),
            time.time(),
        )
        params = {"sort": "-createdDate", "limit": "200", "include": "response"}
        if cursor.get("page"):
            params["cursor"] = str(cursor["page"])
        base = str(config.get("base_url") or API_BASE).rstrip("/")
        return PollRequest(
            url=f"{base}/v1/apps/{quote(app, safe='')}/customerReviews",
            params=params,
            headers={"Accept": "application/json", "Authorization": f"Bearer {token}"},
        )

    def advance(
        self, cursor: Mapping[str, Any], result: NormalizeResult, raw: RawInput
    ) -> dict[str, Any]:
        """Follow ``links.next``'s ``cursor`` until a review created before ``since``."""
        created = fp.order_times(fp.listed(raw, "data"), _created_time)
        return fp.newest_first_advance(cursor, result, _next_cursor(raw), created)


def _review(row: Any, app: str, answered: dict[str, str]) -> Post:
    r = fk.obj(row, "data")
    kind = r.get("type")
    if kind != "customerReviews":
        raise fk.Skip("unsupported_field", f"a {str(kind)[:40]} resource is not a review")
    review_id = fk.native(r.get("id"), "id")
    a = fk.obj(r.get("attributes"), "attributes")
    nickname = fk.optional_name(a.get("reviewerNickname"))
    text = fk.join_title(fk.text_of(a.get("title"), "title"), fk.text_of(a.get("body"), "body"))
    return review_post(
        PLATFORM,
        app,
        review_id,
        nickname,
        text=fk.clip(text),
        created_at=iso_time(a.get("createdDate"), "attributes.createdDate"),
        rating=fk.stars(a.get("rating"), "attributes.rating"),
        metrics=Metrics(replies=int(review_id in answered.values())),
    )


def _included(row: Any, app: str, answered: dict[str, str]) -> Marked:
    r = fk.obj(row, "included[]")
    if r.get("type") != "customerReviewResponses":
        raise fk.Skip("unsupported_field", f"included {str(r.get('type'))[:40]} is not a response")
    response_id = fk.native(r.get("id"), "id")
    a = fk.obj(r.get("attributes"), "attributes")
    review = _related(r, "review") or answered.get(response_id)
    if review is None:
        raise fk.ItemProblem("missing_field", "the response names no review", "relationships")
    when = iso_time(a.get("lastModifiedDate"), "attributes.lastModifiedDate")
    text = fk.clip(fk.text_of(a.get("responseBody"), "attributes.responseBody"))
    return review_answer(PLATFORM, app, response_id, review, text, when)


def _answered(rows: list[Any]) -> dict[str, str]:
    """Response id → review id, from the reviews' ``relationships.response.data``."""
    out: dict[str, str] = {}
    for row in rows:
        review = fk.as_id(fk.opt_obj(row).get("id"))
        response = _related(fk.opt_obj(row), "response")
        if review and response:
            out[response] = review
    return out


def _related(resource: Mapping[str, Any], name: str) -> str | None:
    rel = fk.opt_obj(fk.opt_obj(resource.get("relationships")).get(name))
    return fk.as_id(fk.opt_obj(rel.get("data")).get("id"))


def _id(row: Any) -> str | None:
    return fk.as_id(fk.opt_obj(row).get("id"))


def _app_of(doc: Mapping[str, Any]) -> str | None:
    link = fk.opt_obj(doc.get("links")).get("self")
    found = _APP_IN_LINK.search(link) if isinstance(link, str) else None
    return found.group(1) if found else None


def _next_cursor(raw: RawInput) -> str | None:
    """The ``cursor`` of ``links.next`` (never the URL itself: the poll keeps its own host)."""
    link = fp.next_token(raw, "links", "next")
    if link is None:
        return None
    values = parse_qs(urlsplit(link).query).get("cursor")
    return values[0] if values else None


def _created_time(row: Any) -> datetime:
    return iso_time(fk.opt_obj(fk.opt_obj(row).get("attributes")).get("createdDate"), "createdDate")
