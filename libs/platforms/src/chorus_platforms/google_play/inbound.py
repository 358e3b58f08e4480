"""Google Play reviews: `reviews.list` pages and single `reviews.get` resources.

Shapes: https://developers.google.com/android-publisher/api-ref/rest/v3/reviews and
https://developers.google.com/android-publisher/reply-to-reviews. A review's ``comments[]``
holds the user's comment and, once the developer answered, the developer's comment: each is
one item (the answer is the brand's own post, ``from_brand``). The API lists only reviews
created or modified in the last seven days, newest first, so the channel is polled; there is
no review webhook (relayed pages carry the Chorus relay HMAC).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from urllib.parse import quote

import httpx
from chorus_common.contracts.events import Metrics, Post

from chorus_platforms.google_play.auth import TokenCache, service_bearer
from chorus_platforms.kit import fields as fk
from chorus_platforms.kit import polling as fp
from chorus_platforms.kit.inbound import (
    Marked,
    Marker,
    NormalizeError,
    NormalizeResult,
    PollRequest,
    RawInput,
)
from chorus_platforms.kit.items import Items, load_json, page_list, require_channel
from chorus_platforms.kit.posts import review_answer, review_post
from chorus_platforms.kit.relay import RelayPushed

PLATFORM: Final = "google_play"
API_BASE = "https://androidpublisher.googleapis.com/androidpublisher/v3"
# reviews.list and reviews.reply reach only reviews created or modified this recently.
REVIEW_WINDOW = timedelta(days=7)


class GooglePlayConnector(RelayPushed):
    """Pure adapter for Google Play reviews; idempotent by review id (the answer: ``<id>/reply``);
    no platform webhook: relayed pages carry the Chorus relay HMAC."""

    platform = PLATFORM

    def __init__(self) -> None:
        self.tokens = TokenCache()

    def normalize(self, raw: RawInput) -> NormalizeResult:
        data = load_json(raw)
        if not isinstance(data, dict):
            raise NormalizeError("invalid_shape", "expected a reviews list or a review")
        if "reviews" in data:
            reviews = page_list(data, "reviews")
        elif "reviewId" in data:
            reviews = [data]
        elif not data:
            return NormalizeResult()
        else:
            raise NormalizeError("invalid_shape", "expected reviews[] or a review", "reviews")
        package = require_channel(raw)
        items = Items(lenient=True)
        for index, review in enumerate(reviews):
            _review_items(items, f"reviews[{index}]", review, package)
        return items.result

    def poll_request(self, config: Mapping[str, Any], cursor: Mapping[str, Any]) -> PollRequest:
        """``GET applications/{package}/reviews`` (newest first, 100 a page); config:
        ``package_name`` (else the channel), ``access_token``."""
        package = str(config.get("package_name") or fp.require(config, "channel"))
        params = {"maxResults": "100"}
        if cursor.get("page"):
            params["token"] = str(cursor["page"])
        headers = fp.json_headers(config)
        base = str(config.get("base_url") or API_BASE).rstrip("/")
        url = f"{base}/applications/{quote(package, safe='')}/reviews"
        return PollRequest(url=url, params=params, headers=headers)

    async def authorize(self, config: Mapping[str, Any], http: httpx.AsyncClient) -> dict[str, str]:
        """With ``service_account_json``, a token it exchanges (kept until it nears expiry);
        else the ``access_token`` of ``poll_request`` as given."""
        return await service_bearer(self.tokens, config.get("service_account_json"), http, PLATFORM)

    def refused(self, config: Mapping[str, Any]) -> None:
        """A poll refused (400/401): exchange a fresh token before the next one."""
        self.tokens.clear()

    def advance(
        self, cursor: Mapping[str, Any], result: NormalizeResult, raw: RawInput
    ) -> dict[str, Any]:
        """Sweep by the user comments' ``lastModified`` (the list order) until a known one."""
        token = fp.next_token(raw, "tokenPagination", "nextPageToken")
        comments = [
            c for r in fp.listed(raw, "reviews") for c in fk.as_list(fk.opt_obj(r).get("comments"))
        ]
        return fp.newest_first_advance(cursor, result, token, fp.order_times(comments, _user_time))


def _review_items(items: Items, path: str, review: Any, package: str) -> None:
    """Each comment of one review as an item; a review without comments is one bad item."""
    r = fk.opt_obj(review)
    review_id = fk.as_id(r.get("reviewId"))
    comments = r.get("comments")
    if not isinstance(review, Mapping) or review_id is None or not isinstance(comments, list):
        items.add(path, review, review_id, _broken, review)
        return
    if not comments:
        items.add(path, review, review_id, _broken, review)
        return
    for index, comment in enumerate(comments):
        items.add(f"{path}.comments[{index}]", comment, review_id, _comment, r, comment, package)


def _broken(review: Any) -> Post:
    if not isinstance(review, Mapping):
        raise fk.ItemProblem("invalid_field", "a review must be an object")
    fk.native(review.get("reviewId"), "reviewId")
    if review.get("comments") == []:
        raise fk.Skip("no_comment", "a review without comments carries no text to answer")
    raise fk.ItemProblem("invalid_field", "comments must be a list", "comments")


def _comment(review: Mapping[str, Any], comment: Any, package: str) -> Marked:
    c = fk.obj(comment, "comment")
    review_id = fk.native(review.get("reviewId"), "reviewId")
    if isinstance(c.get("userComment"), Mapping):
        return _user(review_id, review, c["userComment"], package)
    if isinstance(c.get("developerComment"), Mapping):
        return _developer(review_id, c["developerComment"], package)
    raise fk.Skip("unsupported_field", "a comment with neither userComment nor developerComment")


def _user(review_id: str, review: Mapping[str, Any], uc: Mapping[str, Any], package: str) -> Marked:
    when = play_time(uc.get("lastModified"), "userComment.lastModified")
    name = fk.optional_name(review.get("authorName"))
    # With translationLanguage the API puts the translation in text, the words written in originalText.
    original = uc.get("originalText")
    text = fk.text_of(original if isinstance(original, str) else uc.get("text"), "userComment.text")
    post = review_post(
        PLATFORM,
        package,
        review_id,
        name,
        text=fk.clip(text),
        lang=fk.opt_str(uc.get("reviewerLanguage")),
        created_at=when,
        rating=fk.stars(uc.get("starRating"), "userComment.starRating"),
        metrics=Metrics(likes=fk.count(uc.get("thumbsUpCount")), replies=_answered(review)),
    )
    return Marked(post, Marker.at(when))


def _developer(review_id: str, dc: Mapping[str, Any], package: str) -> Marked:
    when = play_time(dc.get("lastModified"), "developerComment.lastModified")
    text = fk.clip(fk.text_of(dc.get("text"), "developerComment.text"))
    return review_answer(PLATFORM, package, f"{review_id}/reply", review_id, text, when)


def _answered(review: Mapping[str, Any]) -> int:
    comments = fk.as_list(review.get("comments"))
    return int(any("developerComment" in fk.as_dict(c) for c in comments))


def play_time(value: Any, field: str) -> datetime:
    """A protobuf ``Timestamp`` as JSON: ``seconds`` (a decimal string) and ``nanos``."""
    t = fk.obj(value, field)
    seconds = fk.as_int(t.get("seconds"))
    nanos = t.get("nanos", 0)
    if seconds is None or isinstance(nanos, bool) or not isinstance(nanos, int):
        raise fk.ItemProblem("invalid_time", f"{field} needs seconds and nanos", field)
    if not 0 <= nanos < 1_000_000_000 or seconds > 253_402_300_799:
        raise fk.ItemProblem("invalid_time", f"{field} is out of range", field)
    return datetime.fromtimestamp(seconds, UTC) + timedelta(microseconds=nanos // 1000)


def _user_time(comment: Any) -> datetime:
    user = fk.opt_obj(comment).get("userComment")
    return play_time(fk.opt_obj(user).get("lastModified"), "lastModified")
