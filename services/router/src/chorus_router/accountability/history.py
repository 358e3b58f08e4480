"""Who held a case, in which state and for how long; its hand-offs; its RACI; its SLA clock.

Everything here reads the case log: one :class:`Entry` per case event, saying which team
held the case, which member (None while it waits in the team queue), and its status. The
state an entry records lasts until the next entry (or ``now``); a resolved case is in no
one's hands.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chorus_router.casework.sla import STATE_OF, STATES
from chorus_router.directory.roster import Directory


@dataclass(frozen=True, slots=True)
class Entry:
    at: datetime
    seq: int
    event: str
    status: str
    team: str
    member: str | None
    reason: str = ""
    handoff: bool = False
    weight: float = 1.0
    fairness: str | None = None


@dataclass(frozen=True, slots=True)
class Segment:
    start: datetime
    end: datetime
    team: str
    member: str | None
    state: str

    @property
    def seconds(self) -> float:
        return max(0.0, (self.end - self.start).total_seconds())


def is_handoff(prev: Entry | None, team: str, member: str | None) -> bool:
    """Did custody change (another team, another member, or into/out of the queue)?"""
    return prev is None or (prev.team, prev.member) != (team, member)


def segments(entries: Sequence[Entry], now: datetime) -> list[Segment]:
    """Consecutive spans of one (team, member, state); resolved spans are left out."""
    ordered = sorted(entries, key=lambda e: e.seq)
    out: list[Segment] = []
    for i, e in enumerate(ordered):
        state = STATE_OF.get(e.status)
        if state is None:
            continue
        end = ordered[i + 1].at if i + 1 < len(ordered) else now
        if end > e.at:
            out.append(Segment(e.at, end, e.team, e.member, state))
    return out


TimeKey = tuple[str, str | None, str]  # team, member (None = queue), state


def time_in_hands(entries: Sequence[Entry], now: datetime) -> dict[TimeKey, float]:
    """Seconds per (team, member, state), summed over the case's life up to ``now``."""
    out: dict[TimeKey, float] = {}
    for s in segments(entries, now):
        key = (s.team, s.member, s.state)
        out[key] = out.get(key, 0.0) + s.seconds
    return out


def _totals(pairs: Iterable[tuple[str, str, float]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for who, state, secs in pairs:
        row = out.setdefault(who, {s: 0.0 for s in (*STATES, "total")})
        row[state] += secs
        row["total"] += secs
    return {k: {s: round(v, 3) for s, v in row.items()} for k, row in sorted(out.items())}


def by_team(tih: dict[TimeKey, float]) -> dict[str, dict[str, float]]:
    return _totals((team, state, secs) for (team, _m, state), secs in tih.items())


def by_member(tih: dict[TimeKey, float]) -> dict[str, dict[str, float]]:
    """Per member; time in a team queue is not in anyone's hands and is left out."""
    return _totals((m, state, secs) for (_t, m, state), secs in tih.items() if m is not None)


@dataclass(frozen=True, slots=True)
class HandOffView:
    at: datetime
    event: str
    from_team: str | None
    from_member: str | None
    to_team: str
    to_member: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "event": self.event,
            "from_team": self.from_team,
            "from_member": self.from_member,
            "to_team": self.to_team,
            "to_member": self.to_member,
            "reason": self.reason,
        }


def chain(entries: Sequence[Entry]) -> list[HandOffView]:
    """Every change of hands, the first placement included (from nobody). Changes at the
    same instant are one hand-off (a case opened and assigned at once never sat in a queue)."""
    out: list[HandOffView] = []
    prev: Entry | None = None
    for e in sorted(entries, key=lambda x: x.seq):
        if STATE_OF.get(e.status) is None:
            continue
        if is_handoff(prev, e.team, e.member):
            h = HandOffView(
                e.at,
                e.event,
                prev.team if prev else None,
                prev.member if prev else None,
                e.team,
                e.member,
                e.reason,
            )
            if out and out[-1].at == e.at:
                first = out.pop()
                h = HandOffView(
                    e.at, e.event, first.from_team, first.from_member, e.team, e.member, e.reason
                )
            if (h.from_team, h.from_member) != (h.to_team, h.to_member):
                out.append(h)
        prev = e
    return out


@dataclass(slots=True)
class SlaClock:
    """The handling clock: runs while the brand has the ball, stops in paused states."""

    running: bool = False
    stopped: bool = False
    elapsed: float = 0.0
    paused: float = 0.0
    paused_since: datetime | None = None
    by_team: dict[str, float] = field(default_factory=dict)

    def as_dict(self, paused_states: Sequence[str]) -> dict[str, Any]:
        return {
            "state": "stopped" if self.stopped else "running" if self.running else "paused",
            "elapsed_seconds": round(self.elapsed, 3),
            "paused_seconds": round(self.paused, 3),
            "paused_since": self.paused_since.isoformat() if self.paused_since else None,
            "by_team": {k: round(v, 3) for k, v in sorted(self.by_team.items())},
            "paused_in": list(paused_states),
        }


def sla_clock(entries: Sequence[Entry], now: datetime, paused_states: Sequence[str]) -> SlaClock:
    clock = SlaClock()
    paused = set(paused_states)
    for s in segments(entries, now):
        if s.state in paused:
            clock.paused += s.seconds
        else:
            clock.elapsed += s.seconds
            clock.by_team[s.team] = clock.by_team.get(s.team, 0.0) + s.seconds
    last = max(entries, key=lambda e: e.seq, default=None)
    state = STATE_OF.get(last.status) if last is not None else None
    if last is None or state is None:
        clock.stopped = last is not None
        return clock
    if state in paused:
        # The pause began where the current run of paused entries began.
        since = last.at
        for e in sorted(entries, key=lambda x: x.seq, reverse=True):
            if STATE_OF.get(e.status) not in paused:
                break
            since = e.at
        clock.paused_since = since
    else:
        clock.running = True
    return clock


def raci(
    *,
    team: str,
    collaborators: Sequence[str],
    approvals: Sequence[str],
    assignee: str | None,
    escalated_to: str | None,
    directory: Directory,
    holders: Iterable[tuple[str, str | None]] = (),
) -> dict[str, Any]:
    """RACI per involved team, and the summary: owner, approvers, people kept informed.

    The owner team is Responsible (its assignee) and Accountable (its lead); a team whose
    sign-off a reply needs is an approver (its lead); collaborating teams and everyone who
    held the case before are kept informed.
    """
    teams = list(dict.fromkeys([team, *approvals, *collaborators]))
    past = [(t, m) for t, m in holders if m and m != assignee]
    rows: list[dict[str, Any]] = []
    informed_all: set[str] = set()
    for t in teams:
        lead = directory.lead_of(t)
        roles = []
        if t == team:
            roles += ["responsible", "accountable"]
        if t in approvals:
            roles.append("approver")
        if t in collaborators and t != team:
            roles.append("informed")
        informed = {m for pt, m in past if pt == t and m is not None}
        if t in collaborators and t != team and lead:
            informed.add(lead)
        informed_all |= informed
        rows.append(
            {
                "team": t,
                "roles": roles,
                "responsible": assignee if t == team else None,
                "accountable": lead if t == team else None,
                "approver": lead if t in approvals else None,
                "informed": sorted(set(informed)),
            }
        )
    if escalated_to and escalated_to != assignee:
        informed_all.add(escalated_to)
    return {
        "owner": {"team": team, "member": assignee, "lead": directory.lead_of(team)},
        "approvers": [{"team": t, "lead": directory.lead_of(t)} for t in approvals],
        "informed": sorted(informed_all),
        "teams": rows,
    }
