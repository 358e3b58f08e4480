"""A fake App Store Connect API over real HTTP, for the App Store sender's tests.

Every request must carry a token Apple would take: ES256, signed by the team key whose public
half the fake holds, ``kid`` that key's id, ``iss`` the issuer id, ``aud``
``appstoreconnect-v1``, living at most 20 minutes. ``POST /v1/customerReviewResponses``
creates or overwrites the review's single response, as Apple documents it.
"""

from __future__ import annotations

from typing import Any

import jwt
from starlette.routing import Route

from services.responder.tests.responder_fake_platform import FakePlatform, Recorded

UNAUTHORIZED = {
    "errors": [
        {
            "status": "401",
            "code": "NOT_AUTHORIZED",
            "title": "Authentication credentials are missing or invalid.",
            "detail": "Provide a properly configured and signed bearer token.",
        }
    ]
}


class FakeAppStore(FakePlatform):
    """``reviews``: the review ids that exist; responses live in ``objects('app_store')``."""

    def __init__(self, public_pem: str, key_id: str, issuer_id: str) -> None:
        self.public_pem, self.key_id, self.issuer_id = public_pem, key_id, issuer_id
        self.reviews: set[str] = set()
        self.token_claims: list[dict[str, Any]] = []
        super().__init__()

    def _routes(self) -> list[Route]:
        r = self._handler
        return [
            Route("/v1/customerReviewResponses", r("asc_post", self._post), methods=["POST"]),
            Route("/v1/customerReviews/{rid}/response", r("asc_get", self._get), methods=["GET"]),
        ]

    def _token_ok(self, rec: Recorded) -> bool:
        token = rec.headers.get("authorization", "").removeprefix("Bearer ")
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(
                token,
                self.public_pem,
                algorithms=["ES256"],
                audience="appstoreconnect-v1",
                issuer=self.issuer_id,
                options={"require": ["iss", "aud", "exp", "iat"]},
            )
        except jwt.PyJWTError:
            return False
        self.token_claims.append(claims)
        return header.get("kid") == self.key_id and claims["exp"] - claims["iat"] <= 20 * 60

    def _resource(self, made: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "customerReviewResponses",
            "id": made["id"],
            "attributes": {
                "responseBody": made["responseBody"],
                "lastModifiedDate": "2026-12-07T10:00:00-08:00",
                "state": "PENDING_PUBLISH",
            },
            "links": {
                "self": f"https://api.appstoreconnect.apple.com/v1/customerReviewResponses/{made['id']}"
            },
        }

    def _post(self, rec: Recorded, _p: dict[str, str]) -> tuple[int, Any]:
        if not self._token_ok(rec):
            return 401, UNAUTHORIZED
        data = rec.json()["data"]
        review = data["relationships"]["review"]["data"]["id"]
        if data["type"] != "customerReviewResponses" or review not in self.reviews:
            error = {
                "status": "409",
                "code": "ENTITY_ERROR.RELATIONSHIP.INVALID",
                "title": "The provided entity includes a relationship with an invalid value",
                "detail": "'review' is not a valid customer review",
            }
            return 409, {"errors": [error]}
        made = self.created.setdefault("app_store", [])
        old = next((m for m in made if m["review"] == review), None)
        if old is None:  # one response per review: a second POST overwrites the first
            old = {"id": f"resp-{self._next_id()}", "review": review}
            made.append(old)
        old["responseBody"] = data["attributes"]["responseBody"]
        return 201, {"data": self._resource(old), "links": {"self": "/v1/customerReviewResponses"}}

    def _get(self, rec: Recorded, p: dict[str, str]) -> tuple[int, Any]:
        if not self._token_ok(rec):
            return 401, UNAUTHORIZED
        made = next((m for m in self.objects("app_store") if m["review"] == p["rid"]), None)
        if made is None:
            error = {
                "status": "404",
                "code": "NOT_FOUND",
                "title": "The specified resource does not exist",
            }
            return 404, {"errors": [error]}
        return 200, {"data": self._resource(made), "links": {"self": rec.path}}
