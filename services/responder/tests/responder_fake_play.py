"""A fake Google Play Developer API and Google token endpoint over real HTTP, for sender tests.

Answers as https://developers.google.com/android-publisher/reply-to-reviews documents
(``reviews.get``, ``reviews/{id}:reply``) and as Google's OAuth 2.0 server answers the JWT
bearer grant (https://developers.google.com/identity/protocols/oauth2/service-account): the
assertion's signature, algorithm, key id, issuer, audience and scope are checked.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import jwt
from starlette.routing import Route

from services.responder.tests.responder_fake_platform import FakePlatform, Recorded

PLAY = "/androidpublisher/v3/applications/{pkg}/reviews/{rid}"
SCOPE = "https://www.googleapis.com/auth/androidpublisher"


def play_timestamp(when: datetime) -> dict[str, Any]:
    seconds = int(when.timestamp())
    return {"seconds": str(seconds), "nanos": int((when.timestamp() - seconds) * 1e9)}


class FakePlay(FakePlatform):
    """``reviews`` maps review id to the user comment's last modification time."""

    def __init__(self, public_pem: str, kid: str, email: str) -> None:
        self.public_pem, self.kid, self.email = public_pem, kid, email
        self.reviews: dict[str, datetime] = {}
        self.token_url = ""  # the audience the assertion must name, set once served
        self.tokens_issued = 0
        super().__init__()

    def _routes(self) -> list[Route]:
        r = self._handler
        return [
            Route("/token", r("token", self._token), methods=["POST"]),
            Route(PLAY + ":reply", r("play_reply", self._reply), methods=["POST"]),
            Route(PLAY, r("play_get", self._get), methods=["GET"]),
        ]

    def _token(self, rec: Recorded, _p: dict[str, str]) -> tuple[int, Any]:
        form = rec.form()
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return 400, {"error": "unsupported_grant_type", "error_description": "Invalid grant"}
        try:
            header = jwt.get_unverified_header(form["assertion"])
            claims = jwt.decode(
                form["assertion"],
                self.public_pem,
                algorithms=["RS256"],
                audience=self.token_url,
                issuer=self.email,
                options={"require": ["iss", "aud", "exp", "iat"]},
            )
        except (KeyError, jwt.PyJWTError):
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        if header.get("kid") != self.kid or claims.get("scope") != SCOPE:
            return 400, {"error": "invalid_scope", "error_description": "Bad kid or scope."}
        if claims["exp"] - claims["iat"] > 3600:
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT: exp."}
        self.tokens_issued += 1
        return 200, {"access_token": "ya29.fake-token", "expires_in": 3599, "token_type": "Bearer"}

    def _authorized(self, rec: Recorded) -> bool:
        return rec.headers.get("authorization") in ("Bearer ya29.fake-token", "Bearer tok-123")

    def _get(self, rec: Recorded, p: dict[str, str]) -> tuple[int, Any]:
        if not self._authorized(rec):
            return 401, {"error": {"code": 401, "message": "Invalid Credentials"}}
        when = self.reviews.get(p["rid"])
        if when is None:
            return 404, {
                "error": {"code": 404, "message": "Review not found.", "status": "NOT_FOUND"}
            }
        comments: list[dict[str, Any]] = [
            {
                "userComment": {
                    "text": "Crashes",
                    "lastModified": play_timestamp(when),
                    "starRating": 2,
                }
            }
        ]
        for made in self.objects("google_play"):
            if made["review"] == p["rid"]:
                answer = {"text": made["replyText"], "lastModified": play_timestamp(when)}
                comments.append({"developerComment": answer})
        return 200, {"reviewId": p["rid"], "authorName": "A user", "comments": comments}

    def _reply(self, rec: Recorded, p: dict[str, str]) -> tuple[int, Any]:
        if not self._authorized(rec):
            return 401, {"error": {"code": 401, "message": "Invalid Credentials"}}
        text = rec.json().get("replyText")
        if not text or len(text) > 350:
            return 400, {"error": {"code": 400, "message": "Bad Reply Request"}}
        made = self.created.setdefault("google_play", [])
        made[:] = [m for m in made if m["review"] != p["rid"]]  # one reply per review
        made.append({"review": p["rid"], "replyText": text})
        # The documented answer of reviews.reply.
        return 200, {
            "result": {
                "replyText": text,
                "lastEdited": {"seconds": "1453978803", "nanos": 796000000},
            }
        }
