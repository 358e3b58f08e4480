"""Assignment inside a team: availability, hours, language, skills, capacity, continuity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from chorus_router.casework.assignment import Need, choose
from chorus_router.casework.load import Load, LoadBook
from chorus_router.directory.roster import Directory, Team, member_from_row

from services.router.tests.router_support import member_row

# A Wednesday, 10:00 UTC.
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


def _dir(*rows: dict[str, Any]) -> Directory:
    return Directory.of(
        [Team("support", "Support", lead="lead")], [member_from_row(r) for r in rows]
    )


@pytest.mark.unit
def test_away_and_out_of_office_members_are_skipped() -> None:
    d = _dir(
        member_row("a", availability="away"),
        member_row("b", availability="out_of_office", until=NOW + timedelta(days=2)),
        member_row("c"),
    )
    choice = choose(Need("support"), d, LoadBook(), NOW)
    assert choice.member == "c"
    why = {c.member: c.why for c in choice.candidates}
    assert why["a"] == "away"
    assert why["b"].startswith("out of office until")


@pytest.mark.unit
def test_out_of_office_ends_at_until() -> None:
    d = _dir(member_row("b", availability="out_of_office", until=NOW - timedelta(minutes=1)))
    assert choose(Need("support"), d, LoadBook(), NOW).member == "b"


@pytest.mark.unit
def test_working_hours_are_read_in_the_members_time_zone() -> None:
    office = [{"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}]
    d = _dir(
        member_row("paris", hours=office, tz="Europe/Paris"),  # 11:00 there: working
        member_row("toronto", hours=office, tz="America/Toronto"),  # 05:00 there: asleep
    )
    choice = choose(Need("support"), d, LoadBook(), NOW)
    assert choice.member == "paris"
    assert "outside working hours" in next(
        c.why for c in choice.candidates if c.member == "toronto"
    )


@pytest.mark.unit
def test_overnight_shift_covers_the_small_hours_of_the_next_day() -> None:
    night = [{"days": [1], "start": "22:00", "end": "06:00"}]  # Tuesday night
    d = _dir(member_row("owl", hours=night))
    wed_3am = datetime(2026, 11, 18, 3, 0, tzinfo=UTC)
    assert choose(Need("support"), d, LoadBook(), wed_3am).member == "owl"
    assert choose(Need("support"), d, LoadBook(), NOW).member is None


@pytest.mark.unit
def test_language_and_skills_are_required_when_someone_has_them() -> None:
    d = _dir(
        member_row("en", langs=("en",), skills=("billing",)),
        member_row("fr", langs=("fr",), skills=()),
        member_row("both", langs=("en", "fr"), skills=("billing",), capacity=1),
    )
    book = LoadBook.of({"both": Load(open_cases=1, weighted=1.0, solid_cases=1)})
    choice = choose(Need("support", language="fr", skills=("billing",)), d, book, NOW)
    assert choice.member is None, "fr+billing: only 'both', who is at capacity"
    assert choose(Need("support", language="fr"), d, book, NOW).member == "fr"


@pytest.mark.unit
def test_a_language_nobody_speaks_is_relaxed_not_queued_forever() -> None:
    d = _dir(member_row("a", langs=("en",)))
    choice = choose(Need("support", language="de"), d, LoadBook(), NOW)
    assert choice.member == "a"
    assert choice.relaxed and "de" in choice.relaxed[0]


@pytest.mark.unit
def test_members_at_capacity_are_not_chosen_and_the_case_queues() -> None:
    d = _dir(member_row("a", capacity=2), member_row("b", capacity=1))
    book = LoadBook()
    got = []
    for _ in range(4):
        c = choose(Need("support"), d, book, NOW)
        got.append(c.member)
        if c.member:
            book.add(c.member, 1.0, solid=True)
    assert sorted(m for m in got if m) == ["a", "a", "b"]
    assert got[-1] is None
    assert "at capacity" in choose(Need("support"), d, book, NOW).candidates[0].why


@pytest.mark.unit
def test_thread_continuity_prefers_the_current_owner_even_if_more_loaded() -> None:
    d = _dir(member_row("a"), member_row("b"))
    book = LoadBook.of({"a": Load(open_cases=5, weighted=5.0, solid_cases=5)})
    choice = choose(Need("support"), d, book, NOW, prefer="a")
    assert (choice.member, choice.continuity) == ("a", True)


@pytest.mark.unit
def test_unavailable_owner_loses_continuity_with_the_reason_recorded() -> None:
    d = _dir(member_row("a", availability="out_of_office"), member_row("b"))
    choice = choose(Need("support"), d, LoadBook(), NOW, prefer="a")
    assert choice.member == "b"
    assert "owner a not eligible (out of office" in choice.reason


@pytest.mark.unit
def test_spam_is_never_the_only_item_in_a_queue() -> None:
    d = _dir(member_row("idle"), member_row("busy"))
    book = LoadBook.of({"busy": Load(open_cases=3, weighted=3.0, solid_cases=3)})
    choice = choose(Need("support", weight=0.5, never_alone=True), d, book, NOW)
    assert choice.member == "busy"
    empty = choose(Need("support", never_alone=True), d, LoadBook(), NOW)
    assert empty.member is None


@pytest.mark.unit
def test_weighted_load_prefers_the_member_with_lighter_cases() -> None:
    d = _dir(member_row("heavy"), member_row("light"))
    book = LoadBook.of(
        {
            "heavy": Load(open_cases=2, weighted=6.0, solid_cases=2),  # two P1s
            "light": Load(open_cases=3, weighted=1.5, solid_cases=3),  # three P4s
        }
    )
    assert choose(Need("support"), d, book, NOW).member == "light"
