"""Time in hands: which case version's figures to keep, and the rows they become (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from chorus_common.contracts.events import HandOff, TimeInHands
from chorus_common.contracts.timebuckets import as_utc

STATES = ("open", "waiting_approval", "waiting_customer")
QUEUE = ""  # the member of time spent in a team's queue (nobody's hands)


def is_newer(
    version: int, at: datetime | None, kept_version: int | None, kept_at: datetime | None
) -> bool:
    """Whether figures of (version, counted at) replace the kept ones: the higher version
    wins, then the later count; equal is not newer (a replay changes nothing)."""
    if kept_version is None:
        return True
    if version != kept_version:
        return version > kept_version
    if at is None or kept_at is None:
        return at is not None and kept_at is None
    return as_utc(at) > as_utc(kept_at)


def hand_rows(case_id: str, held: Iterable[TimeInHands]) -> list[dict[str, Any]]:
    """One row per team, member and state (seconds summed), in key order."""
    seconds: dict[tuple[str, str, str], float] = {}
    for h in held:
        key = (h.team, h.member or QUEUE, h.state)
        seconds[key] = seconds.get(key, 0.0) + float(h.seconds)
    return [
        {"case_id": case_id, "team": t, "member": m, "state": s, "seconds": seconds[(t, m, s)]}
        for t, m, s in sorted(seconds)
    ]


def handoff_counts(chain: Sequence[HandOff] | None) -> tuple[int | None, int | None]:
    """(hand-offs, team hand-offs): the first entry is the first placement, not a hand-off."""
    if chain is None:
        return None, None
    teams = sum(1 for h in chain if h.from_team and h.from_team != h.to_team)
    return max(0, len(chain) - 1), teams
