"""A hypothesis state machine over the routing domain: random arrivals, departures, returns,
capacity changes, resolutions and reopenings, with the invariants checked after every step — nobody
above capacity, no open case without an owner or a queue place, nobody away holding work,
and every assignment within the fairness bound unless the roster made that impossible.

It drives the same pure functions the router uses (guarded assignment, redistribution on
departure, take-back on return); the queue release mirrors ``Casework.release``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from chorus_router.accountability.rebalance import Assignment, OpenCase, redistribute, take_back
from chorus_router.casework.assignment import Choice, Need, choose
from chorus_router.casework.fairness import guarded_choose
from chorus_router.casework.load import LoadBook
from chorus_router.directory.roster import Directory, Team, member_from_row
from chorus_router.routing.evaluate import PRIORITY_RANK
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from services.router.tests.router_support import member_row

BOUND = 1.5
PER_CASE = 1.0
HOW = Assignment(per_case=PER_CASE, bound=BOUND, enforced=True)
START = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
ROSTER = [
    member_row("ann", "support", capacity=3, langs=("en", "fr", "de")),
    member_row("bob", "support", capacity=4, langs=("en",)),
    member_row("cyd", "support", capacity=2, langs=("en", "fr")),
    member_row("lea", "legal", capacity=3, langs=("en", "fr")),
    member_row("max", "legal", capacity=2, langs=("en", "de")),
]
MEMBERS = [r["id"] for r in ROSTER]
UNAVAILABLE = ("away", "out of office", "inactive", "outside working hours")


@dataclass
class Case:
    id: str
    need: Need
    priority: str
    opened_at: datetime
    owner: str | None = None
    previous: str | None = None
    resolved: bool = False

    def open(self) -> OpenCase:
        return OpenCase(self.id, self.need, self.priority, self.opened_at, self.owner)


def fairness_respected(choice: Choice) -> str | None:
    """Independent check of one assignment from its own record; None when fine."""
    if choice.member is None:
        return None
    rel = {
        c.member: (c.load + PER_CASE * c.open_cases) / max(c.capacity, 1) for c in choice.candidates
    }
    present = {c.member for c in choice.candidates if not c.why.startswith(UNAVAILABLE)}
    present.add(choice.member)

    def ok(m: str) -> bool:
        others = [rel[j] for j in present if j != m]
        return not others or rel[m] <= BOUND * min(others) + 1e-9

    if ok(choice.member):
        return None
    alternatives = [c.member for c in choice.candidates if c.eligible and ok(c.member)]
    if alternatives:
        return f"{choice.member} beyond the bound while {alternatives} could take it"
    if (choice.fairness or {}).get("outcome") != "beyond_bound":
        return f"beyond the bound without saying so: {choice.fairness}"
    return None


class Routing(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.members = {r["id"]: member_from_row(r) for r in ROSTER}
        self.book = LoadBook()
        self.cases: dict[str, Case] = {}
        self.now = START
        self.n = 0
        self.choices: list[Choice] = []

    # ------------------------------------------------------------------ helpers
    @property
    def directory(self) -> Directory:
        return Directory.of([Team("support", "S"), Team("legal", "L")], self.members.values())

    def tick(self) -> None:
        self.now += timedelta(minutes=1)
        self.choices = []

    def give(self, case: Case, choice: Choice) -> None:
        self.choices.append(choice)
        if choice.member is not None:
            case.owner = choice.member
            self.book.add(choice.member, case.need.weight, solid=True)

    def queued(self) -> list[Case]:
        return [c for c in self.cases.values() if not c.resolved and c.owner is None]

    def release(self) -> None:
        d = self.directory
        for case in sorted(self.queued(), key=lambda c: (PRIORITY_RANK[c.priority], c.opened_at)):
            choice = guarded_choose(
                case.need, d, self.book, self.now, bound=BOUND, prefer=case.previous,
                per_case=PER_CASE,
            )  # fmt: skip
            if choice.member is not None:
                self.give(case, choice)

    # ------------------------------------------------------------------ rules
    @rule(
        team=st.sampled_from(["support", "legal"]),
        lang=st.sampled_from(["en", "en", "fr", "de"]),
        priority=st.sampled_from(["P1", "P2", "P3", "P4"]),
        weight=st.sampled_from([0.5, 1.0, 2.5, 5.6]),
    )
    def arrive(self, team: str, lang: str, priority: str, weight: float) -> None:
        self.tick()
        self.n += 1
        case = Case(f"c{self.n}", Need(team=team, weight=weight, language=lang), priority, self.now)
        self.cases[case.id] = case
        if any(c.need.team == team for c in self.queued() if c is not case):
            self.release()  # queued behind the others, as live routing does
            return
        choice = guarded_choose(case.need, self.directory, self.book, self.now, bound=BOUND)
        self.give(case, choice)

    @rule(member=st.sampled_from(MEMBERS), state=st.sampled_from(["away", "out_of_office"]))
    def leave(self, member: str, state: str) -> None:
        self.tick()
        self.members[member] = replace(self.members[member], availability=state)
        mine = [c for c in self.cases.values() if c.owner == member and not c.resolved]
        plan = redistribute(
            [c.open() for c in mine], member, self.directory, self.book, self.now, HOW
        )
        for oc, choice in plan:
            case = self.cases[oc.id]
            case.previous, case.owner = member, choice.member
            self.choices.append(choice)
        self.release()

    @rule(member=st.sampled_from(MEMBERS))
    def come_back(self, member: str) -> None:
        self.tick()
        was_away = self.members[member].availability != "on_shift"
        self.members[member] = replace(self.members[member], availability="on_shift")
        if was_away:
            queue = [c.open() for c in self.queued()]
            for oc, choice in take_back(member, queue, self.directory, self.book, self.now, HOW):
                self.cases[oc.id].owner = choice.member
                self.choices.append(choice)
        self.release()

    @precondition(lambda self: any(not c.resolved for c in self.cases.values()))
    @rule(data=st.data())
    def resolve(self, data: st.DataObject) -> None:
        self.tick()
        open_ = sorted(c.id for c in self.cases.values() if not c.resolved)
        case = self.cases[data.draw(st.sampled_from(open_))]
        if case.owner is not None:
            self.book.remove(case.owner, case.need.weight, solid=True)
        case.resolved, case.previous, case.owner = True, case.owner, None
        self.release()

    @precondition(lambda self: any(c.resolved for c in self.cases.values()))
    @rule(data=st.data())
    def reopen(self, data: st.DataObject) -> None:
        """The customer writes again: back to the previous owner (continuity) if fair."""
        self.tick()
        done = sorted(c.id for c in self.cases.values() if c.resolved)
        case = self.cases[data.draw(st.sampled_from(done))]
        case.resolved = False
        choice = guarded_choose(
            case.need, self.directory, self.book, self.now, bound=BOUND, prefer=case.previous
        )
        self.give(case, choice)
        self.release()

    @rule(member=st.sampled_from(MEMBERS), capacity=st.integers(min_value=1, max_value=5))
    def change_capacity(self, member: str, capacity: int) -> None:
        self.tick()
        before = self.members[member].capacity
        # A lower capacity never drops work: the member keeps what they have (and gets no more).
        self.members[member] = replace(self.members[member], capacity=max(capacity, 1))
        if capacity < self.book.get(member).open_cases:
            self.members[member] = replace(self.members[member], capacity=before)
        self.release()

    # ------------------------------------------------------------------ invariants
    @invariant()
    def nobody_above_capacity(self) -> None:
        for m, member in self.members.items():
            assert self.book.get(m).open_cases <= member.capacity, (m, self.book.get(m))

    @invariant()
    def every_open_case_has_an_owner_or_a_queue_place(self) -> None:
        carried: dict[str, int] = {}
        for c in self.cases.values():
            if c.resolved:
                continue
            if c.owner is not None:
                assert c.owner in self.members and c.need.team in self.members[c.owner].teams
                carried[c.owner] = carried.get(c.owner, 0) + 1
            else:  # queued: only because nobody can take it now
                assert choose(c.need, self.directory, self.book, self.now).member is None, c
        for m in self.members:
            assert self.book.get(m).open_cases == carried.get(m, 0), m

    @invariant()
    def nobody_away_holds_work(self) -> None:
        for c in self.cases.values():
            if not c.resolved and c.owner is not None:
                assert self.members[c.owner].availability == "on_shift", c

    @invariant()
    def every_assignment_within_the_bound_unless_the_roster_forbids_it(self) -> None:
        for choice in self.choices:
            problem = fairness_respected(choice)
            assert problem is None, problem


Routing.TestCase.settings = settings(
    max_examples=200,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestRoutingStateMachine = pytest.mark.unit(Routing.TestCase)
