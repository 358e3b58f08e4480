"""`chorus trace`: what each service knows of one post, put together; a service that does
not answer is said, not hidden; nothing anywhere is exit 1."""

from __future__ import annotations

import httpx
import pytest
from chorus_cli.trace import Services, render, resolve, trace

pytestmark = pytest.mark.unit

URLS = {n: f"http://{n}" for n in ("ingest", "router", "responder", "analytics")}
POST = "x:18017"
CASE = {
    "id": "c-1",
    "status": "assigned",
    "team": "legal",
    "assignee": "lena",
    "priority": "P1",
    "decision": {
        "matched": [{"rule": "legal-litigation"}],
        "intent": {"intent": "legal", "confidence": 0.93},
    },
}


def _app(request: httpx.Request) -> httpx.Response:
    assert request.headers["authorization"] == "Bearer tok"
    host, path = request.url.host, request.url.path
    if (host, path) == ("ingest", "/v1/posts") and request.url.params["url"].endswith("/18017"):
        return httpx.Response(200, json={"url": "…", "post_ids": [POST]})
    if (host, path) == ("ingest", f"/v1/posts/{POST}"):
        return httpx.Response(
            200,
            json={"post_id": POST, "platform": "x", "channel": "@brand", "kind": "mention",
                  "revision": 1, "first_seen_at": "2026-12-07T10:00:00+00:00",
                  "last_seen_at": "2026-12-07T10:00:00+00:00", "trace_id": "tr-1",
                  "url": "https://x.com/a/status/18017"},
        )  # fmt: skip
    if (host, path) == ("router", f"/v1/posts/{POST}"):
        return httpx.Response(
            200, json={"post_id": POST, "case_id": "c-1", "received_at": "…", "revision": 1,
                       "case": CASE},
        )  # fmt: skip
    if host == "router" and path.startswith("/v1/posts/x:brand-"):
        answered = path.endswith("-1")  # brand-1 answers c-1; brand-2 waits for its case
        return httpx.Response(
            200, json={"post_id": path.rsplit("/", 1)[1], "case_id": "c-1" if answered else None,
                       "received_at": "…", "revision": None, "from_brand": True,
                       "case": CASE if answered else None},
        )  # fmt: skip
    if (host, path) == ("responder", "/v1/cases/c-1/replies"):
        return httpx.Response(500, text="boom")
    if (host, path) == ("analytics", "/v1/dead-letters"):
        if request.url.params["post_id"] == POST:  # found by its post id or its trace id
            assert request.url.params["trace_id"] == "tr-1"
        return httpx.Response(200, json={"items": []})
    return httpx.Response(404, json={"error": {"code": "not_found"}})


def _services() -> Services:
    return Services(URLS, "tok", transport=httpx.MockTransport(_app))


def test_a_post_is_followed_from_its_url_to_its_case_and_a_silent_service_is_named() -> None:
    s = _services()
    ids, errors = resolve(s, "https://x.com/a/status/18017")
    assert (ids, errors) == ([POST], {})
    t = trace(s, POST)
    assert t.found and t.trace_id == "tr-1"
    text = "\n".join(render(t))
    assert "trace tr-1" in text
    assert "team legal  member lena" in text and "rules legal-litigation" in text
    assert "intent legal 0.93" in text
    assert "unknown     responder: HTTP 500" in text


def test_an_unknown_post_is_found_nowhere_and_an_unknown_url_resolves_to_nothing() -> None:
    s = _services()
    assert resolve(s, "https://x.com/a/status/99")[0] == []
    t = trace(s, "x:99")
    assert not t.found
    assert "case        none" in "\n".join(render(t))


def test_the_brands_own_post_is_shown_with_the_case_it_answers_or_none_yet() -> None:
    s = _services()
    answering = "\n".join(render(trace(s, "x:brand-1")))
    assert "the brand's own post, answering case c-1 (assigned)" in answering
    waiting = trace(s, "x:brand-2")
    assert waiting.replies == [], "no case: no replies asked for"
    assert "no case of its conversation yet" in "\n".join(render(waiting))
