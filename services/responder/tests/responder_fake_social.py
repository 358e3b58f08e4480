"""A fake of the Threads Graph API and of a Bluesky PDS's XRPC endpoints, served over real HTTP
with the recording and scripting of :class:`FakePlatform` (answers as the platforms document)."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from services.responder.tests.responder_fake_platform import FakePlatform, Recorded

THREADS_USER = "17841400000000001"


class FakeSocial(FakePlatform):
    """Threads: container, publish, permalink, replies. Bluesky: see ``FakeBluesky``."""

    def _routes(self) -> list[Route]:
        r = self._handler
        return [
            Route("/v1.0/{user}/threads", r("th_create", self._th_create), methods=["POST"]),
            Route(
                "/v1.0/{user}/threads_publish", r("th_publish", self._th_publish), methods=["POST"]
            ),
            Route("/v1.0/{media}/replies", r("th_replies", self._th_replies), methods=["GET"]),
            Route("/v1.0/{media}", r("th_media", self._th_media), methods=["GET"]),
        ]

    # ------------------------------------------------------------------ Threads
    def _th_create(self, rec: Recorded, p: dict[str, str]) -> tuple[int, Any]:
        form = rec.form()
        container = self._next_id()
        self.created.setdefault("threads_containers", []).append({"id": container, **form})
        return 200, {"id": container}

    def _th_publish(self, rec: Recorded, p: dict[str, str]) -> tuple[int, Any]:
        creation = rec.form().get("creation_id")
        box = next((c for c in self.objects("threads_containers") if c["id"] == creation), None)
        if box is None:
            return 400, {
                "error": {
                    "message": "Invalid parameter",
                    "type": "OAuthException",
                    "code": 100,
                    "fbtrace_id": "Fk",
                }
            }
        media = self._next_id()
        self.created.setdefault("threads", []).append(
            {"id": media, "text": box["text"], "parent": box["reply_to_id"]}
        )
        return 200, {"id": media}

    def _th_media(self, rec: Recorded, p: dict[str, str]) -> tuple[int, Any]:
        return 200, {
            "permalink": f"https://www.threads.net/@brand/post/{p['media']}",
            "id": p["media"],
        }

    def _th_replies(self, rec: Recorded, p: dict[str, str]) -> tuple[int, Any]:
        data = [
            {
                "id": m["id"],
                "text": m["text"],
                "permalink": f"https://www.threads.net/@brand/post/{m['id']}",
                "is_reply_owned_by_me": True,
            }
            for m in self.objects("threads")
            if m["parent"] == p["media"]
        ]
        return 200, {"data": data, "paging": {"cursors": {"before": "B", "after": "A"}}}
