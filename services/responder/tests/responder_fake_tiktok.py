"""A fake TikTok API for Business (comment replies) over real HTTP, for the TikTok sender's tests.

Answers like the recorded responses of the python-tiktok client library
(https://github.com/sns-sdks/python-tiktok/blob/master/docs/docs/usage/business_account/comment.md):
HTTP 200 with ``code`` 0 and ``data``, or a non-zero ``code`` (40105: bad token).
"""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from services.responder.tests.responder_fake_platform import FakePlatform, Recorded

API = "/open_api/v1.3/business"
TOKEN = "act.tok"
REQUEST_ID = "20210817034316010245031056097316BA"


class FakeTikTok(FakePlatform):
    def _routes(self) -> list[Route]:
        r = self._handler
        return [
            Route(f"{API}/comment/reply/create/", r("tt_reply", self._create), methods=["POST"]),
            Route(f"{API}/comment/reply/list/", r("tt_list", self._list), methods=["GET"]),
        ]

    def _token_error(self, rec: Recorded) -> tuple[int, Any] | None:
        if rec.headers.get("access-token") == TOKEN:
            return None
        message = "Access token is incorrect or has been revoked."
        return 200, {"code": 40105, "message": message, "request_id": REQUEST_ID, "data": {}}

    def _create(self, rec: Recorded, _p: dict[str, str]) -> tuple[int, Any]:
        refused = self._token_error(rec)
        if refused:
            return refused
        body = rec.json()
        cid = f"69905653633773{self._next_id()}"
        self.created.setdefault("tiktok", []).append(
            {
                "comment_id": cid,
                "parent": body["comment_id"],
                "video_id": body["video_id"],
                "text": body["text"],
            }
        )
        data = {
            "comment_id": cid,
            "video_id": body["video_id"],
            "create_time": 1627617835,
            "text": body["text"],
        }
        return 200, {"code": 0, "message": "Ok", "request_id": REQUEST_ID, "data": data}

    def _list(self, rec: Recorded, _p: dict[str, str]) -> tuple[int, Any]:
        refused = self._token_error(rec)
        if refused:
            return refused
        replies = [
            {
                "comment_id": c["comment_id"],
                "video_id": c["video_id"],
                "parent_comment_id": c["parent"],
                "text": c["text"],
                "owner": True,
                "status": "PUBLIC",
                "create_time": "1656660622",
            }
            for c in self.objects("tiktok")
            if c["parent"] == rec.query.get("comment_id")
        ]
        data = {"has_more": False, "cursor": len(replies), "comments": replies}
        return 200, {"code": 0, "message": "OK", "request_id": REQUEST_ID, "data": data}
