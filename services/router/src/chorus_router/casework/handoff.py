"""Handing a case to another team (support -> legal -> PR): one owner at a time, the rest kept
informed, the hand-off logged with its reason."""

from __future__ import annotations

from chorus_router.casework.assignment import Choice
from chorus_router.casework.case import Case
from chorus_router.casework.lifecycle import InvalidTransition, next_status
from chorus_router.casework.service import Casework, notify, unbook
from chorus_router.casework.store import emit


class TransferRefused(ValueError):
    def __init__(self, code: str, message: str, field: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


def transfer(
    work: Casework, case: Case, team: str, *, actor: str, reason: str, member: str | None = None
) -> None:
    """Make ``team`` the owner (the old owner team stays on as a collaborator); the member
    is ``member`` if named, else whoever the (fairness-guarded) assignment picks, else the
    team queue. Raises :class:`TransferRefused` or :class:`InvalidTransition`."""
    if case.status == "resolved":
        raise InvalidTransition("transfer", "resolved")
    directory = work.snap.directory
    if team not in directory.teams:
        raise TransferRefused("unknown_team", f"unknown team {team!r}", "team")
    old_team, old = case.team, case.assignee
    if team == old_team:
        raise TransferRefused("same_team", f"the case is already owned by {team}", "team")
    if member is not None:
        m = directory.members.get(member)
        if m is None or not m.active or team not in m.teams:
            raise TransferRefused(
                "member_not_in_team", f"{member} is not active in {team}", "member_id"
            )
        load = work.book.get(member)
        if load.open_cases >= m.capacity:
            raise TransferRefused(
                "member_at_capacity",
                f"{member} is at capacity ({load.open_cases}/{m.capacity})",
                "member_id",
            )
    unbook(work.book, case)
    case.transfer(team)
    if member is not None:
        choice = Choice(member, f"named by {actor}")
    else:
        choice = work.choose(case.need(), exclude=(old,) if old else ())
    work.place(case, choice, f"transferred from {old_team} by {actor}")
    who = choice.member or "the queue"
    emit(
        work.uow,
        "case.reassigned",
        case,
        reason=f"transferred {old_team}→{team} ({who}) by {actor}: {reason or 'no reason given'}",
    )
    work.uow.release_teams.add(old_team)


def not_ours(work: Casework, case: Case, *, actor: str, reason: str) -> None:
    """A hand-back saying the case is not the team's at all: its lead gets it (the queue,
    when the team has no lead among its active members) to transfer it; that transfer is then
    a correction the intent classifier learns from (``corrections``)."""
    next_status(case.status, "handback")
    old = case.assignee
    unbook(work.book, case)
    case.previous_assignee = old
    team = case.team
    case.decision = {
        **case.decision,
        "not_for_us": {"team": team, "by": actor, "at": work.uow.now.isoformat(),
                       "reason": reason},
    }  # fmt: skip
    lead = work.snap.directory.lead_of(team)
    m = work.snap.directory.members.get(lead or "")
    if m is not None and m.active and team in m.teams and m.id != old:
        choice = Choice(m.id, f"not for {team}: its lead chooses where it goes")
    else:
        choice = Choice(None, f"not for {team}: waiting in its queue for a transfer")
    work.place(case, choice, f"handed back by {actor} as not for {team}")
    notify(
        work.uow,
        lead,
        "not_for_us",
        f"Case {case.id} handed back by {actor} as not for {team}: transfer it to the "
        f"right team ({reason})",
        case_id=case.id,
        by=actor,
    )
    emit(
        work.uow,
        "case.reassigned",
        case,
        reason=f"handed back by {actor} as not for {team}: {reason}",
    )
