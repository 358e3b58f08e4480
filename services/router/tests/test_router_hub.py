"""The hub: who sees which published item, what a subscriber receives, and resuming."""

from __future__ import annotations

import pytest
from chorus_common.contracts.events import CaseEvent
from chorus_common.messaging.envelope import Envelope, make_event
from chorus_router.hub import Hub, Item


def _case(case_id: str, team: str | None, collaborators: tuple[str, ...] = ()) -> Envelope:
    return make_event(
        "case.assigned",
        CaseEvent(
            case_id=case_id,
            thread_id=f"t-{case_id}",
            status="assigned",
            team=team,
            collaborators=collaborators,
        ),
        producer="router",
    )


@pytest.mark.unit
def test_items_carry_the_owner_and_collaborator_teams_and_the_event_id() -> None:
    hub = Hub()
    seen: list[Item] = []
    sub = hub.subscribe(lambda item: True)
    events = [
        _case("c1", "legal", ("pr", "", "brand")),
        _case("c2", None, ("pr",)),
        _case("c3", "support"),
        _case("c4", None),
    ]
    hub.publish(events, notes=[{"member_id": "m1", "text": "hi"}])
    while not sub.queue.empty():
        seen.append(sub.queue.get_nowait())
    assert [i.teams for i in seen] == [("legal", "pr", "brand"), ("pr",), ("support",), (), ()]
    assert [i.seq for i in seen] == [1, 2, 3, 4, 5]
    first = seen[0].data
    assert first["event_id"] == str(events[0].event_id)
    assert first["case_id"] == "c1" and "event_id" not in events[0].payload
    note = seen[4]
    assert (note.event, note.member, note.data) == (
        "notification",
        "m1",
        {"member_id": "m1", "text": "hi"},
    )


@pytest.mark.unit
def test_a_filter_decides_and_a_late_subscriber_resumes_from_history() -> None:
    hub = Hub(history=3)
    hub.publish([_case(f"c{i}", "legal" if i % 2 else "pr") for i in range(5)])  # seq 1..5
    legal = hub.subscribe(lambda item: "legal" in item.teams, after=2)
    # history holds seq 3..5; after 2 and legal only: seq 4 (c3)
    assert [legal.queue.get_nowait().payload["case_id"]] == ["c3"]
    assert legal.queue.empty()
    hub.publish([_case("c9", "legal"), _case("c10", "pr")])
    got = legal.queue.get_nowait()
    assert (got.seq, got.payload["case_id"]) == (6, "c9")
    assert legal.queue.empty()
    hub.unsubscribe(legal)
    hub.publish([_case("c11", "legal")])
    assert legal.queue.empty()
