"""Google Business Profile reviews: `accounts.locations.reviews` responses and Pub/Sub pushes.

Understood shapes (https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews):
a ``ListReviewsResponse`` (``reviews[]``, ``nextPageToken``), a single ``Review``, a
``batchGetReviews`` response (``locationReviews[]``), and a Cloud Pub/Sub push envelope
(``message.data`` base64) whose data is either a review or a Business Profile notification
(``NEW_REVIEW``/``UPDATED_REVIEW`` with the review's resource name only — such a nudge carries
no review text, so it yields no post: the channel's poller reads the review).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any, Final

import orjson
from chorus_common.contracts.events import Metrics, Post

from chorus_platforms.kit import fields as fk
from chorus_platforms.kit import polling as fp
from chorus_platforms.kit import signatures
from chorus_platforms.kit.inbound import (
    Fetch,
    NoHandshake,
    NormalizeError,
    NormalizeResult,
    PollRequest,
    RawInput,
)
from chorus_platforms.kit.items import collect, load_json, page_list
from chorus_platforms.kit.posts import review_post
from chorus_platforms.kit.times import iso_time

PLATFORM: Final = "google_business"
API_BASE = "https://mybusiness.googleapis.com/v4"
# Pub/Sub notification types that name one review (NotificationSetting.NotificationType).
REVIEW_NOTIFICATIONS = ("NEW_REVIEW", "UPDATED_REVIEW")
STARS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}


class GoogleBusinessConnector(NoHandshake):
    """Pure adapter for Google Business Profile reviews; never publishes, idempotent by review id."""

    platform = PLATFORM

    def normalize(self, raw: RawInput) -> NormalizeResult:
        data = load_json(raw)
        if isinstance(data, dict) and isinstance(data.get("message"), dict):
            data = _pubsub_data(data["message"])
            if data is None:
                return NormalizeResult()
        if not isinstance(data, dict):
            raise NormalizeError(
                "invalid_shape", "expected a review, a review list or a Pub/Sub push"
            )
        if "reviews" in data or "locationReviews" in data:
            return self._page(data, raw.channel)
        if "reviewId" in data or "starRating" in data:
            return collect([(data, partial(_review, data, raw.channel, None))], native_id=_id)
        if data.get("type") or data.get("notificationType"):
            return collect([(data, partial(_notification, data, raw.channel))])
        if not data:
            return NormalizeResult()  # an empty page: no item at all
        raise NormalizeError("invalid_shape", "expected reviews[], locationReviews[] or a review")

    def _page(self, data: Mapping[str, Any], channel: str | None) -> NormalizeResult:
        if "locationReviews" in data:
            rows = page_list(data, "locationReviews")
            return collect(
                ((row, _located(row, channel)) for row in rows),
                native_id=lambda row: _id(fk.opt_obj(row).get("review")),
            )
        reviews = page_list(data, "reviews")
        return collect(((r, partial(_review, r, channel, None)) for r in reviews), native_id=_id)

    def verify(self, raw: RawInput, secrets: Mapping[str, str], now: datetime) -> None:
        """Pub/Sub push: the push URL carries ``?token=<secrets['token']>`` (constant-time check)."""
        signatures.shared_token(raw, secrets, "token")

    # ----------------------------------------------------------------- polling

    def poll_request(self, config: Mapping[str, Any], cursor: Mapping[str, Any]) -> PollRequest:
        """``GET {location}/reviews`` newest first; config: ``location`` (accounts/…/locations/…), ``access_token``."""
        location = fp.require(config, "location").strip("/")
        params = {"pageSize": "50", "orderBy": "updateTime desc"}
        if cursor.get("page"):
            params["pageToken"] = str(cursor["page"])
        headers = fp.json_headers(config)
        base = str(config.get("base_url") or API_BASE).rstrip("/")
        return PollRequest(url=f"{base}/{location}/reviews", params=params, headers=headers)

    def advance(
        self, cursor: Mapping[str, Any], result: NormalizeResult, raw: RawInput
    ) -> dict[str, Any]:
        """Sweep by ``updateTime`` (the list order), so edited old reviews do not end it early."""
        updated = fp.order_times(fp.listed(raw, "reviews"), _update_time)
        return fp.newest_first_advance(cursor, result, fp.next_token(raw, "nextPageToken"), updated)


def _located(row: Any, channel: str | None) -> Any:
    def build() -> list[Post]:
        row_obj = fk.obj(row, "locationReviews[]")
        location = fk.opt_str(row_obj.get("name"))
        return [_review(fk.obj(row_obj.get("review"), "review"), channel, location)]

    return build


def _review(review: Any, channel: str | None, location: str | None) -> Post:
    r = fk.obj(review, "review")
    review_id = fk.native(r.get("reviewId") or _last_segment(r.get("name")), "reviewId")
    name = fk.opt_str(r.get("name")) or ""
    location = location or (name.split("/reviews/")[0] if "/reviews/" in name else None)
    reviewer = fk.opt_obj(r.get("reviewer"))
    anonymous = reviewer.get("isAnonymous") is True
    display = None if anonymous else fk.opt_str(reviewer.get("displayName"))
    created = r.get("createTime") or r.get("updateTime")
    return review_post(
        PLATFORM,
        channel or location or "google_business",
        review_id,
        display,
        text=fk.clip(fk.text_of(r.get("comment"), "comment")),
        created_at=iso_time(created, "createTime"),
        rating=_stars(r.get("starRating")),
        metrics=Metrics(replies=1 if isinstance(r.get("reviewReply"), dict) else 0),
    )


def _notification(data: Mapping[str, Any], channel: str | None) -> Fetch:
    """A review notification names the review: ingest reads it (``reviews.get``)."""
    kind = str(data.get("type") or data.get("notificationType"))[:40]
    name = data.get("review")
    if kind not in REVIEW_NOTIFICATIONS or not isinstance(name, str) or "/reviews/" not in name:
        raise fk.Skip("notification_type", f"a {kind} notification names no review to read")
    location = fk.opt_str(data.get("location"))
    return Fetch(API_BASE, name.strip("/"), partial(_review, channel=channel, location=location))


def _stars(value: Any) -> int | None:
    if value in (None, "STAR_RATING_UNSPECIFIED"):
        return None
    if isinstance(value, str) and value in STARS:
        return STARS[value]
    raise fk.ItemProblem(
        "invalid_rating", f"starRating {str(value)[:20]!r} is not ONE..FIVE", "starRating"
    )


def _last_segment(name: Any) -> str | None:
    return name.rsplit("/", 1)[-1] if isinstance(name, str) and "/reviews/" in name else None


def _id(review: Any) -> str | None:
    r = fk.opt_obj(review)
    value = r.get("reviewId") or _last_segment(r.get("name"))
    return str(value) if isinstance(value, str | int) else None


def _pubsub_data(message: Mapping[str, Any]) -> Any:
    data = message.get("data")
    if data is None or data == "":
        return None
    if not isinstance(data, str):
        raise NormalizeError("invalid_shape", "message.data must be base64 text", "message.data")
    try:
        decoded = base64.b64decode(data, validate=False)
        return orjson.loads(decoded)
    except (binascii.Error, ValueError, orjson.JSONDecodeError) as exc:
        raise NormalizeError(
            "invalid_pubsub_data", "message.data is not base64 JSON", "message.data"
        ) from exc


def _update_time(review: Any) -> datetime:
    r = fk.opt_obj(review)
    return iso_time(r.get("updateTime") or r.get("createTime"), "updateTime")
