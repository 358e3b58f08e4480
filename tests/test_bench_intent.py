"""The bench's intent phase: its traffic needs the classifier, and its summary rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from chorus_common.contracts.events import Author, Post
from chorus_router.routing.defaults import default_rules
from chorus_router.routing.evaluate import RuleSet

from bench.report import _intent_rows
from bench.traffic import INTENT_TEXTS, make_post


@pytest.mark.unit
@pytest.mark.parametrize("text", INTENT_TEXTS)
def test_intent_traffic_matches_no_rule_without_an_intent(text: str) -> None:
    raw = make_post("run", 7, [text])
    now = datetime.now(UTC)
    post = Post(id="generic:x", platform="generic", channel="bench", kind="comment",
                native_id="x", thread_id="t", author=Author(id="a", followers=19_000),
                text=raw["text"], created_at=now, received_at=now)  # fmt: skip
    out = RuleSet(default_rules()).evaluate(post)
    assert out.owner_rule == "catch-all", (raw["text"], out.owner_rule)
    assert out.intent_rules == "evaluated"


@pytest.mark.unit
def test_intent_rows_give_both_sides_and_the_loss() -> None:
    side = {"e2e_to_routed_posts_per_s": 1000, "router_cpu_us_per_post": 500,
            "all_cpu_us_per_post": 1500, "classified_share": 1.0}  # fmt: skip
    r = {"intent": {"runs": [{}, {}, {}, {}], "on": {**side, "e2e_to_routed_posts_per_s": 960,
                    "router_cpu_us_per_post": 520}, "off": {**side, "classified_share": 0.0},
                    "throughput_loss_pct": 4.0, "router_cpu_added_us_per_post": 20}}  # fmt: skip
    rows = dict(_intent_rows(r))
    assert rows["[intent on] end-to-end to case routed (posts/s, median of 2)"].startswith("960;")
    assert "classified 0.0" in rows["[intent off] end-to-end to case routed (posts/s, median of 2)"]
    assert rows["[intent] throughput lost with the classifier (limit 5 %)"] == (
        "4.0 %; router CPU +20 µs/post"
    )
