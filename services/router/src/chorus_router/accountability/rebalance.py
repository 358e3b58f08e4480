"""Availability changes: who is at work, moving a leaving member's cases, a member's return.

The same assignment as everywhere else decides (eligibility, weighted least load, the
fairness guard); a moved case moves whole (the conversation stays one case) and remembers
its previous owner.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from chorus_router.casework.assignment import Choice, Need
from chorus_router.casework.fairness import guarded_choose
from chorus_router.casework.load import LoadBook
from chorus_router.directory.roster import Directory
from chorus_router.routing.evaluate import PRIORITY_RANK


@dataclass(frozen=True, slots=True)
class OpenCase:
    id: str
    need: Need
    priority: str
    opened_at: datetime
    owner: str | None = None

    @property
    def weight(self) -> float:
        return self.need.weight

    @property
    def solid(self) -> bool:
        return not self.need.never_alone


@dataclass(frozen=True, slots=True)
class Assignment:
    """How the guarded assignment is parameterised (same values as live routing)."""

    per_case: float = 1.0
    bound: float | None = 1.5
    enforced: bool = True

    def choose(
        self,
        need: Need,
        directory: Directory,
        book: LoadBook,
        now: datetime,
        *,
        exclude: Collection[str] = (),
        prefer: str | None = None,
    ) -> Choice:
        """The guarded assignment with these parameters."""
        return guarded_choose(
            need,
            directory,
            book,
            now,
            bound=self.bound,
            enforced=self.enforced,
            exclude=exclude,
            prefer=prefer,
            per_case=self.per_case,
        )


def redistribute(
    cases: Sequence[OpenCase],
    leaving: str,
    directory: Directory,
    book: LoadBook,
    now: datetime,
    how: Assignment,
) -> list[tuple[OpenCase, Choice]]:
    """Take ``leaving``'s cases off their load, most urgent first, and book each on whoever
    the assignment picks (a member of the case's team, never ``leaving``) or leave it queued."""
    out = []
    for c in sorted(cases, key=lambda c: (PRIORITY_RANK.get(c.priority, 9), c.opened_at, c.id)):
        book.remove(leaving, c.weight, solid=c.solid)
        choice = how.choose(c.need, directory, book, now, exclude=(leaving,))
        if choice.member is not None:
            book.add(choice.member, c.weight, solid=c.solid)
        out.append((c, choice))
    return out


def take_back(
    member: str,
    queue: Sequence[OpenCase],
    directory: Directory,
    book: LoadBook,
    now: datetime,
    how: Assignment,
) -> list[tuple[OpenCase, Choice]]:
    """A member back at work takes queued cases of their teams, oldest first, while below
    capacity; cases they cannot take (language, skills, fairness) stay queued."""
    m = directory.members.get(member)
    if m is None:
        return []
    out = []
    for c in sorted(queue, key=lambda c: (c.opened_at, c.id)):
        if book.get(member).open_cases >= m.capacity:
            break
        if c.need.team not in m.teams:
            continue
        choice = how.choose(c.need, directory, book, now, prefer=member)
        if choice.member != member:
            continue
        book.add(member, c.weight, solid=c.solid)
        out.append((c, choice))
    return out
