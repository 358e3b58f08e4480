"""Trustpilot-style review feeds: business-unit review pages and service-review webhooks.

Shapes: the Business Units API ``GET /v1/business-units/{id}/reviews`` (``reviews[]`` with
``id``, ``stars``, ``title``, ``text``, ``consumer{id, displayName}``, ``createdAt``,
``language``, ``links``) — https://developers.trustpilot.com/business-units-api — and the
webhook body ``{"events": [{"eventName": "service-review-created", "eventData": {…}}]}``
(https://support.trustpilot.com/hc/en-us/articles/115015822068). Trustpilot webhooks carry no
signature: the subscription URL embeds HTTP Basic credentials, checked here. Any review site
serving the same fields (e.g. a TripAdvisor export mapped to this shape) normalizes alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import quote

from chorus_common.contracts.events import Author, Metrics, Post

from chorus_platforms.kit import fields as fk
from chorus_platforms.kit import polling as fp
from chorus_platforms.kit import signatures
from chorus_platforms.kit.inbound import (
    NoHandshake,
    NormalizeError,
    NormalizeResult,
    PollRequest,
    RawInput,
)
from chorus_platforms.kit.items import collect, load_json, page_list
from chorus_platforms.kit.times import iso_time

PLATFORM = "trustpilot"
API_BASE = "https://api.trustpilot.com/v1"
SITE = "https://www.trustpilot.com"
PER_PAGE = 100
_REVIEW_EVENTS = ("service-review-created", "service-review-updated", "product-review-created")


class TrustpilotConnector(NoHandshake):
    """Pure adapter for Trustpilot reviews (API pages and webhooks); idempotent by review id."""

    platform = PLATFORM

    def normalize(self, raw: RawInput) -> NormalizeResult:
        data = load_json(raw)
        if not isinstance(data, dict):
            raise NormalizeError("invalid_shape", "expected reviews[], events[] or a review")
        if "events" in data:
            events = page_list(data, "events")
            return collect(
                ((e, _event_builder(e, raw.channel)) for e in events),
                native_id=lambda e: _id(fk.opt_obj(e).get("eventData")),
            )
        if "reviews" in data:
            reviews = page_list(data, "reviews")
            return collect(((r, partial(_review, r, raw.channel)) for r in reviews), native_id=_id)
        if "stars" in data and "id" in data:
            return collect([(data, partial(_review, data, raw.channel))], native_id=_id)
        raise NormalizeError("invalid_shape", "expected reviews[], events[] or a review")

    def verify(self, raw: RawInput, secrets: Mapping[str, str], now: datetime) -> None:
        """HTTP Basic credentials of the subscription URL: ``basic_username`` / ``basic_password``."""
        signatures.basic_auth(raw, secrets)

    def poll_request(self, config: Mapping[str, Any], cursor: Mapping[str, Any]) -> PollRequest:
        """Newest reviews of ``business_unit_id`` with the ``api_key`` header, page by page."""
        unit = quote(fp.require(config, "business_unit_id"), safe="")
        params = {"perPage": str(PER_PAGE), "orderBy": "createdat.desc", "page": "1"}
        if cursor.get("page"):
            params["page"] = str(cursor["page"])
        base = str(config.get("base_url") or API_BASE).rstrip("/")
        headers = {"Accept": "application/json", "apikey": fp.require(config, "api_key")}
        return PollRequest(
            url=f"{base}/business-units/{unit}/reviews", params=params, headers=headers
        )

    def advance(
        self, cursor: Mapping[str, Any], result: NormalizeResult, raw: RawInput
    ) -> dict[str, Any]:
        current = cursor.get("page")
        page = int(current) if isinstance(current, int | str) and str(current).isdigit() else 1
        return fp.newest_first_advance(cursor, result, str(page + 1) if _has_next(raw) else None)


def _has_next(raw: RawInput) -> bool:
    try:
        data = load_json(raw)
    except NormalizeError:
        return False
    links = data.get("links") if isinstance(data, dict) else None
    return (
        any(
            isinstance(link, dict) and link.get("rel") in ("next-page", "next")
            for link in links or []
        )
        if isinstance(links, list)
        else False
    )


def _event_builder(event: Any, channel: str | None) -> Any:
    def build() -> list[Post]:
        e = fk.obj(event, "events[]")
        name = e.get("eventName")
        if name not in _REVIEW_EVENTS:
            raise fk.Skip("event_type", f"a {str(name)[:60]} event carries no text to answer")
        return [_review(fk.obj(e.get("eventData"), "eventData"), channel)]

    return build


def _review(review: Any, channel: str | None) -> Post:
    r = fk.obj(review, "review")
    review_id = fk.native(r.get("id"), "id")
    consumer = fk.opt_obj(r.get("consumer"))
    display = fk.opt_str(consumer.get("displayName")) or fk.opt_str(consumer.get("name"))
    consumer_id = consumer.get("id")
    unit = fk.opt_obj(r.get("businessUnit"))
    text = _text(fk.text_of(r.get("title"), "title"), fk.text_of(r.get("text"), "text"))
    post_id = Post.make_id(PLATFORM, review_id)
    reply = r.get("companyReply")
    return Post(
        id=post_id,
        platform=PLATFORM,
        channel=channel
        or fk.opt_str(unit.get("id"))
        or fk.opt_str(r.get("businessUnitId"))
        or fk.opt_str(r.get("locationId"))
        or "trustpilot",
        kind="review",
        native_id=review_id,
        url=f"{SITE}/reviews/{quote(review_id, safe='')}",
        thread_id=post_id,
        in_reply_to=None,
        author=Author(
            id=fk.native(consumer_id, "consumer.id") if consumer_id else display or "anonymous",
            display_name=display,
            url=_consumer_url(consumer_id),
        ),
        text=fk.clip(text),
        lang=_lang(r.get("language")),
        created_at=iso_time(r.get("createdAt"), "createdAt"),
        rating=_stars(r.get("stars")),
        metrics=Metrics(
            likes=fk.count(r.get("numberOfLikes")),
            replies=1 if isinstance(reply, dict) and reply.get("text") else 0,
        ),
    )


def _text(title: str, body: str) -> str:
    """Title and text; a title Trustpilot cut from the text's first words (``…``) is dropped."""
    if title.endswith("…") and body.startswith(title[:-1].rstrip()):
        return body
    return fk.join_title(title, body)


def _stars(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise fk.ItemProblem("invalid_rating", "stars must be a whole number 1..5", "stars")
    if not 1 <= int(value) <= 5:
        raise fk.ItemProblem("invalid_rating", f"stars {int(value)} is outside 1..5", "stars")
    return int(value)


def _consumer_url(consumer_id: Any) -> str | None:
    if isinstance(consumer_id, str) and consumer_id:
        return f"{SITE}/users/{quote(consumer_id, safe='')}"
    return None


def _lang(value: Any) -> str | None:
    return value[:16] if isinstance(value, str) and value else None


def _id(review: Any) -> str | None:
    value = fk.opt_obj(review).get("id")
    return value if isinstance(value, str) else None
