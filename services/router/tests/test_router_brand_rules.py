"""Which brand posts answer a case: never the conversation's own root post; a reply kept
before its case opened answers it when it replies to, or was written after, the opening post."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from chorus_common.contracts.events import Post
from chorus_router.casework.brand import answers, answers_case

T = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


def _brand(native: str, thread: str, parent: str | None, at: datetime) -> Post:
    return Post(
        id=f"x:{native}", platform="x", channel="@brand", kind="reply", native_id=native,
        thread_id=thread, in_reply_to=parent, author={"id": "brand"}, text="hi",
        created_at=at, from_brand=True,
    )  # fmt: skip


@pytest.mark.unit
def test_the_brands_own_root_post_answers_nobody() -> None:
    root = _brand("p1", "x:p1", None, T)
    assert not answers(root)
    assert not answers_case(root, {"x:c1": T - timedelta(hours=1)})


@pytest.mark.unit
def test_a_kept_reply_answers_the_post_it_replies_to_or_one_written_before_it() -> None:
    opening = {"x:c1": T}
    assert answers_case(_brand("r1", "x:p1", "x:c1", T - timedelta(minutes=5)), opening)
    assert answers_case(_brand("r2", "x:p1", "x:p1", T + timedelta(minutes=1)), opening)
    assert not answers_case(_brand("r3", "x:p1", "x:p1", T - timedelta(minutes=1)), opening)
    assert not answers_case(_brand("r4", "x:p1", "x:c1", T), {}), "no customer post: no case"
