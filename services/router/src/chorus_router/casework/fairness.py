"""Fairness as a guarantee: relative loads, the team figure (max/min ratio, Gini), the guard.

A member's relative load is what assignment already minimises: ``(weighted load + per_case x
open cases) / capacity``. The bound says: nobody is given a case while carrying more than
``bound`` times the relative load of the lightest available colleague in the team. The
least-loaded eligible member always satisfies it, so the guard only speaks when something
else chose the member (thread continuity, a returning owner) or when the lighter colleagues
cannot take the case (language, skills, capacity) — then the assignment stands and the
decision says why.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from chorus_router.casework.assignment import Choice, Need, choose
from chorus_router.casework.load import Load, LoadBook
from chorus_router.directory.roster import Directory

EPS = 1e-9


def relative(load: Load, capacity: int, per_case: float) -> float:
    return (load.weighted + per_case * load.open_cases) / max(capacity, 1)


def gini(values: Collection[float]) -> float:
    """0 = perfectly even, towards 1 = one person carries everything."""
    xs = sorted(values)
    n = len(xs)
    total = sum(xs)
    if n < 2 or total <= 0:
        return 0.0
    cum = sum((i + 1) * x for i, x in enumerate(xs))
    return round((2 * cum) / (n * total) - (n + 1) / n, 4)


def ratio(values: Collection[float]) -> float | None:
    """Most over least loaded; None when someone carries nothing while another carries some."""
    if len(values) < 2:
        return 1.0
    hi, lo = max(values), min(values)
    if hi <= EPS:
        return 1.0
    if lo <= EPS:
        return None
    return round(hi / lo, 4)


@dataclass(frozen=True, slots=True)
class Figure:
    loads: dict[str, float]
    ratio: float | None
    gini: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "ratio": self.ratio,
            "gini": self.gini,
            "members": {k: round(v, 4) for k, v in sorted(self.loads.items())},
        }


def figure(loads: Mapping[str, float]) -> Figure:
    vals = list(loads.values())
    return Figure(dict(loads), ratio(vals), gini(vals))


def available_loads(
    team: str, directory: Directory, book: LoadBook, now: datetime, per_case: float
) -> dict[str, float]:
    """Relative load of every member of ``team`` who is at work now."""
    return {
        m.id: relative(book.get(m.id), m.capacity, per_case)
        for m in directory.members_of(team)
        if m.capacity > 0 and m.unavailable_reason(now) is None
    }


def within_bound(loads: Mapping[str, float], member: str, bound: float) -> bool:
    """``member`` carries at most ``bound`` x the lightest colleague (true when alone)."""
    others = [v for k, v in loads.items() if k != member]
    if not others or member not in loads:
        return True
    return loads[member] <= bound * min(others) + EPS


def guard(
    choice: Choice,
    need: Need,
    directory: Directory,
    book: LoadBook,
    now: datetime,
    *,
    bound: float,
    per_case: float = 1.0,
    enforced: bool = True,
) -> Choice:
    """Keep ``choice`` if it respects the bound; else give the case to the lightest eligible
    colleague who does; if nobody does, keep it and record why (nobody else can take it)."""
    m = choice.member
    if m is None:
        return choice
    loads = available_loads(need.team, directory, book, now, per_case)
    if m not in loads:  # e.g. a member of another team: measure them on their own
        loads[m] = relative(book.get(m), directory.members[m].capacity, per_case)
    verdict: dict[str, Any] = {"bound": bound, "load": round(loads[m], 4)}
    others = {k: v for k, v in loads.items() if k != m}
    if others:
        lightest = min(others, key=lambda k: (others[k], k))
        verdict["lightest"] = {"member": lightest, "load": round(others[lightest], 4)}
    if within_bound(loads, m, bound):
        return replace(choice, fairness={**verdict, "outcome": "within"})
    eligible = {c.member for c in choice.candidates if c.eligible and c.member != m}
    alternatives = sorted(
        (k for k in eligible if k in loads and within_bound(loads, k, bound)),
        key=lambda k: (loads[k], k),
    )
    if alternatives and enforced:
        alt = alternatives[0]
        why = (
            f"fairness bound: {m} carries {loads[m]:.3f}, more than {bound:g} x "
            f"{min(others.values()):.3f}; {alt} ({loads[alt]:.3f}) takes it"
        )
        return replace(
            choice,
            member=alt,
            reason=why,
            continuity=False,
            fairness={**verdict, "outcome": "refused", "refused": m, "given_to": alt},
        )
    if alternatives:
        why = f"beyond the fairness bound (not enforced); {alternatives[0]} could have taken it"
    else:
        blocked = [
            f"{c.member}: {c.why}"
            for c in choice.candidates
            if not c.eligible and c.member in others
        ]
        why = "beyond the fairness bound: nobody else who can take it is within it"
        if blocked:
            why += " (" + "; ".join(blocked[:5]) + ")"
    return replace(
        choice, reason=f"{choice.reason}; {why}", fairness={**verdict, "outcome": "beyond_bound"}
    )


def guarded_choose(
    need: Need,
    directory: Directory,
    book: LoadBook,
    now: datetime,
    *,
    bound: float | None,
    enforced: bool = True,
    exclude: Collection[str] = (),
    prefer: str | None = None,
    per_case: float = 1.0,
) -> Choice:
    """:func:`choose`, then :func:`guard` (``bound`` None: no guard)."""
    choice = choose(need, directory, book, now, exclude=exclude, prefer=prefer, per_case=per_case)
    if bound is None:
        return choice
    return guard(
        choice, need, directory, book, now, bound=bound, per_case=per_case, enforced=enforced
    )


def shift_start(now: datetime, hours: int) -> datetime:
    """Shifts of ``hours`` starting at 00:00 UTC (8 -> 00-08, 08-16, 16-24)."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    n = int((now - midnight).total_seconds() // (hours * 3600))
    return midnight + timedelta(hours=n * hours)
