"""End to end through real processes: a customer's comment opens a case, the brand's reply
written in the platform's own app (``from_brand``) arrives through ingest, answers the case
(first response, SLA stopped, no second case) and analytics counts it as the first response."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support.system import system
from tests.support.wait import wait_for_sync

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


def _item(native: str, thread: str, text: str, at: datetime, **kw: Any) -> dict[str, Any]:
    return {
        "id": native,
        "channel": "e2e",
        "kind": "comment",
        "thread_id": thread,
        "text": text,
        "created_at": at.isoformat(),
        "author": {"id": kw.pop("author", "u1"), "handle": "someone"},
        **kw,
    }


def _case_of(client: httpx.Client, router: str, post_id: str) -> Any:
    r = client.get(f"{router}/v1/posts/{post_id}")
    return dict(r.json()["case"]) if r.status_code == 200 else None


def test_a_native_brand_reply_answers_the_case_and_counts_as_its_first_response(
    tmp_path,
) -> None:
    with (
        # Analytics at full priority: this test waits on it, on a machine others share.
        system(tmp_path, names=("ingest", "router", "analytics"), env={"CPU_NICE": "0"}) as sysm,
        sysm.client() as client,
    ):
        run = f"bv{uuid.uuid4().hex[:6]}"
        ingest, router = sysm.url("ingest"), sysm.url("router")
        now = datetime.now(UTC)
        customer = _item(f"{run}-c", f"{run}-t", "Where is my order? The delivery is late", now)
        r = client.post(f"{ingest}/v1/posts", json={"posts": [customer]})
        assert r.status_code in (200, 202), r.text

        case = wait_for_sync(
            lambda: _case_of(client, router, f"generic:{run}-c"), timeout=60, what="the case"
        )
        assert case["first_response_at"] is None
        reply = _item(
            f"{run}-b",
            f"{run}-t",
            "So sorry! We have sent you the tracking link in a DM.",
            now + timedelta(seconds=30),
            author="brand",
            kind="reply",
            in_reply_to=f"{run}-c",
            url=f"https://example.com/{run}-b",
            from_brand=True,
        )
        r = client.post(f"{ingest}/v1/posts", json={"posts": [reply]})
        assert r.status_code in (200, 202), r.text

        def answered():
            c = client.get(f"{router}/v1/cases/{case['id']}").json()
            return c if c["status"] == "replied" else None

        done = wait_for_sync(answered, timeout=60, what="the case answered natively")
        assert done["first_response_at"] is not None and done["sla_breached_at"] is None
        rec = client.get(f"{router}/v1/cases/{case['id']}/accountability").json()
        assert rec["sla"]["first_response"]["responded_at"] == done["first_response_at"]
        assert [b["post_id"] for b in rec["brand_replies"]] == [f"generic:{run}-b"]
        posts = client.get(f"{router}/v1/cases/{case['id']}/posts").json()["posts"]
        assert [p["from_brand"] for p in posts] == [False, True]
        mine = [
            c for c in client.get(f"{router}/v1/cases").json()["items"] if run in c["thread_id"]
        ]
        assert len(mine) == 1, "the brand's reply opened no case"

        def counted():
            s = client.get(f"{sysm.url('analytics')}/v1/reports/summary").json()
            brand = s["brand_activity"]
            return s if brand["brand_posts"] == 1 and brand["native_replies"] == 1 else None

        summary = wait_for_sync(counted, timeout=60, what="analytics counting the native reply")
        assert summary["posts_total"] == 1, "the brand's reply is no mention"
        first = summary["responsiveness"]["all"]
        assert first["cases"] == 1 and first["first_response_median"] is not None
        assert summary["replies_sent"] == 0
