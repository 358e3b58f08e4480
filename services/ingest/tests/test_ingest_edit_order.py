"""The edit order of posts: the pure decision and each platform's edit marker."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
import pytest
from chorus_ingest.dedup import HISTORY_MAX, Seen, decide
from chorus_platforms.generic.inbound import GenericConnector
from chorus_platforms.kit.inbound import Marker, NormalizeResult
from chorus_platforms.messenger.inbound import MessengerConnector
from chorus_platforms.registry import CONNECTORS
from hypothesis import given
from hypothesis import strategies as st

from services.ingest.tests.connector_kit import raw
from services.ingest.tests.replay_kit import PAGE, PLATFORMS, text_of


def _digest(version: int) -> str:
    return hashlib.sha256(str(version).encode()).hexdigest()


def _apply(state: Seen | None, version: int, marked: bool) -> tuple[str, Seen | None]:
    marker = Marker("time", version) if marked else None
    outcome, new = decide(state, _digest(version), marker)
    return outcome, new if new is not None else state


@pytest.mark.unit
@given(
    versions=st.integers(1, 12),
    marked=st.booleans(),
    replays=st.lists(st.integers(0, 11), max_size=30),
)
def test_a_replayed_earlier_version_is_a_duplicate_and_changes_nothing(
    versions: int, marked: bool, replays: list[int]
) -> None:
    state: Seen | None = None
    for v in range(versions):
        _outcome, state = _apply(state, v, marked)
    assert state is not None
    for v in (r % versions for r in replays):
        outcome, after = _apply(state, v, marked)
        assert outcome == "duplicate"
        assert after == state


@pytest.mark.unit
@given(order=st.lists(st.integers(0, 20), min_size=1, max_size=40))
def test_with_markers_the_newest_version_wins_whatever_the_order(order: list[int]) -> None:
    state: Seen | None = None
    published: list[int] = []
    for v in order:
        outcome, state = _apply(state, v, marked=True)
        if outcome in ("accepted", "updated"):
            published.append(v)
    assert published == sorted(set(published)), "an older version replaced a newer one"
    assert state is not None and state.content_hash == _digest(max(order))
    assert state.revision == len(published)


@pytest.mark.unit
def test_an_edit_back_to_earlier_text_is_an_update_when_its_marker_is_newer() -> None:
    a, b = _digest(1), _digest(2)
    _, s1 = decide(None, a, Marker("version", 10))
    assert s1 is not None
    _, s2 = decide(s1, b, Marker("version", 11))
    assert s2 is not None
    outcome, s3 = decide(s2, a, Marker("version", 12))
    assert outcome == "updated" and s3 is not None and s3.content_hash == a
    assert decide(s3, b, Marker("version", 11))[0] == "duplicate"
    # without markers the hash is the last resort: content seen before never comes back
    assert decide(Seen(b, 2, None, (a[:16],)), a, None)[0] == "duplicate"


@pytest.mark.unit
def test_markers_of_different_kinds_fall_back_to_the_hash() -> None:
    _, s1 = decide(None, _digest(1), Marker("version", 10))
    assert s1 is not None
    outcome, s2 = decide(s1, _digest(2), Marker("time", 5))
    assert outcome == "updated" and s2 is not None and s2.marker == Marker("time", 5)


@pytest.mark.unit
def test_the_history_of_a_post_is_bounded() -> None:
    state: Seen | None = None
    for v in range(HISTORY_MAX * 3):
        _, state = _apply(state, v, marked=True)
    assert state is not None and len(state.history) == HISTORY_MAX


def _marker(result: NormalizeResult) -> Marker | None:
    assert len(result.posts) == 1, result.errors
    return result.marker_at(0)


@pytest.mark.unit
@pytest.mark.parametrize("name", ["x", "facebook", "linkedin", "generic"])
def test_each_platform_gives_a_later_version_a_larger_marker(name: str) -> None:
    platform = PLATFORMS[name]
    connector = CONNECTORS[name]
    markers = []
    for version in range(3):
        delivery = platform.deliver("00ab12cd34ef", version, text_of(version))
        markers.append(_marker(connector.normalize(raw(delivery.body, channel="crm"))))
    assert all(m is not None for m in markers), markers
    assert len({m.kind for m in markers if m}) == 1
    assert [m.value for m in markers if m] == sorted({m.value for m in markers if m})


@pytest.mark.unit
def test_a_messenger_edit_is_ordered_by_its_edit_count() -> None:
    def event(payload: dict[str, Any]) -> bytes:
        entry = {
            "id": PAGE,
            "time": 1,
            "messaging": [
                {"sender": {"id": "u1"}, "recipient": {"id": PAGE}, "timestamp": 1, **payload}
            ],
        }
        return orjson.dumps({"object": "page", "entry": [entry]})

    m = MessengerConnector()
    first = _marker(m.normalize(raw(event({"message": {"mid": "m1", "text": "hi"}}))))
    edit = {"message_edit": {"mid": "m1", "text": "hello", "num_edit": 2}}
    assert first == Marker("edits", 0)
    assert _marker(m.normalize(raw(event(edit)))) == Marker("edits", 2)


@pytest.mark.unit
def test_a_generic_edited_at_that_is_not_a_time_is_refused_naming_the_field() -> None:
    body = orjson.dumps(
        {"id": "a", "channel": "crm", "text": "t", "author": {"id": "u"},
         "created_at": "2026-01-01T00:00:00Z", "edited_at": "yesterday"}
    )  # fmt: skip
    result = GenericConnector().normalize(raw(body))
    assert [(e.code, e.field) for e in result.errors] == [("invalid_field", "edited_at")]
