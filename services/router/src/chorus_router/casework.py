"""Case operations outside the post stream: queue release, SLA, replies, people's actions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chorus_common.streams import Notification
from sqlalchemy import select, text

from chorus_router import models
from chorus_router.casestore import (
    Case,
    emit,
    load_book,
    save_book,
    sync_case_teams,
    update_cases,
)
from chorus_router.core import Uow
from chorus_router.domain.accountability import sla_statuses
from chorus_router.domain.assignment import Choice, Need, has_room
from chorus_router.domain.fairness import guarded_choose
from chorus_router.domain.lifecycle import LOADED, next_status
from chorus_router.domain.load import LoadBook
from chorus_router.domain.rebalance import back_at_work
from chorus_router.snapshot import Snapshot, utc_row


def carried(case: Case) -> bool:
    """Does this case count against its assignee's capacity?"""
    return bool(case["assignee"]) and case["status"] in LOADED


def need_of(case: Case) -> Need:
    return Need(
        team=case["team"],
        weight=case["weight"],
        language=case["language"],
        skills=tuple(case["skills"]),
        platform=case["platform"],
        never_alone=case["never_alone"],
    )


def unbook(book: LoadBook, case: Case) -> None:
    if carried(case):
        book.remove(case["assignee"], case["weight"], solid=not case["never_alone"])


def notify(uow: Uow, member: str | None, kind: str, message: str, **data: Any) -> None:
    """Stage a notification row (and an SSE item after commit) for ``member``."""
    if not member:
        return
    note = {
        "member_id": member,
        "kind": kind,
        "case_id": data.get("case_id"),
        "message": message,
        "data": data,
        "created_at": uow.now,
    }
    # What the stream sends is checked against what docs/streams.md lists.
    uow.notes.append(Notification.model_validate(note).model_dump(mode="json"))
    uow.pending_notes.append(note)


class Casework:
    """Operations on cases already loaded in a unit of work."""

    def __init__(self, uow: Uow, snap: Snapshot, book: LoadBook) -> None:
        self.uow = uow
        self.snap = snap
        self.book = book
        self.per_case = uow.core.settings.router_load_weights.per_case

    @classmethod
    async def open(cls, uow: Uow) -> Casework:
        snap = await uow.core.cache.get(uow.session)
        return cls(uow, snap, await load_book(uow.session))

    async def save(self, cases: list[Case]) -> None:
        await update_cases(self.uow.session, cases)
        await sync_case_teams(self.uow.session, self.uow.core.runtime.dialect, cases)
        await save_book(self.uow.session, self.uow.core.runtime.dialect, self.book)

    def choose(
        self, case: Case, *, prefer: str | None = None, exclude: tuple[str, ...] = ()
    ) -> Choice:
        policy = self.uow.core.settings.router_accountability
        return guarded_choose(
            need_of(case),
            self.snap.directory,
            self.book,
            self.uow.now,
            prefer=prefer,
            exclude=exclude,
            per_case=self.per_case,
            bound=policy.fairness_bound,
            enforced=policy.fairness_enforced,
        )

    def place(self, case: Case, choice: Choice, note: str) -> None:
        """Give the case to ``choice.member`` (booking the load) or put it in the team queue."""
        case["decision"] = {**case["decision"], "assignment": {**choice.as_dict(), "note": note}}
        if choice.member is None:
            case["status"] = "queued"
            case["assignee"] = None
            self.uow.release_if_room(case["team"], self.snap.directory, self.book)
            return
        case["assignee"] = choice.member
        case["assigned_at"] = self.uow.now
        if case["status"] == "queued":
            case["status"] = "assigned"
        self.book.add(choice.member, case["weight"], solid=not case["never_alone"])

    # ------------------------------------------------------------------ queue
    async def release(self, teams: set[str] | None = None, limit: int = 500) -> int:
        """Assign queued cases (priority, then age) to whoever can now take them."""
        t = models.cases
        # Only teams where someone can take a case now: placing cases only uses up room, so a
        # team without room at the start has none during the pass. Without this, every tick
        # read (and skipped) up to ``limit`` waiting cases of teams nobody could serve.
        d = self.snap.directory
        known = set(d.teams) | {team for m in d.members.values() for team in m.teams}
        open_teams = sorted(x for x in (teams or known) if self._has_room(x))
        if not open_teams:
            return 0
        q = select(t).where(t.c.status == "queued", t.c.team.in_(open_teams))
        rows = (
            await self.uow.session.execute(q.order_by(t.c.priority, t.c.opened_at).limit(limit))
        ).mappings()
        done: list[Case] = []
        room: dict[str, bool] = {}
        returning: tuple[str, ...] | None = None
        for row in rows:
            case = utc_row(row)
            team = case["team"]
            if team not in room:
                room[team] = self._has_room(team)
            if not room[team]:
                continue  # nobody free in this team: no need to try each waiting case
            if returning is None:
                returning = await self._returning()
            choice = self.choose(case, prefer=case["previous_assignee"], exclude=returning)
            if choice.member is None:
                continue
            room.pop(team)  # recomputed for the next case of this team
            self.place(case, choice, "released from the team queue")
            emit(self.uow, "case.assigned", case, reason="released from queue: " + choice.reason)
            done.append(case)
        await self.save(done)
        return len(done)

    async def _returning(self) -> tuple[str, ...]:
        """Members back at work whose return the rebalancing pass has not yet acted on.

        A returning member takes from the queue oldest first (``rebalancing._take_back``);
        releasing to them here first would hand them the queue in priority order instead.
        """
        if not self.uow.core.settings.router_accountability.return_from_queue:
            return ()
        t = models.presence
        recorded = dict((await self.uow.session.execute(select(t.c.member_id, t.c.state))).all())
        return tuple(back_at_work(recorded, self.snap.directory.members, self.uow.now))

    def _has_room(self, team: str) -> bool:
        return has_room(self.snap.directory, self.book, team, self.uow.now)

    # ------------------------------------------------------------------ SLA
    async def check_sla(self, limit: int = 500) -> int:
        """Mark and announce breaches; each case breaches once (``sla_breached_at`` is set)."""
        t = models.cases
        rows = (
            await self.uow.session.execute(
                select(t)
                .where(
                    text(models.SLA_PENDING),  # the partial index's own condition, so it is used
                    # Statuses the accountability policy pauses cannot breach. (``status || ''``:
                    # SQLite would otherwise walk every case of these statuses by their index.)
                    (t.c.status + "").in_(
                        sla_statuses(self.uow.core.settings.router_accountability.sla_paused_states)
                    ),
                    t.c.sla_due_at <= self.uow.now,
                )
                .order_by(t.c.sla_due_at)
                .limit(limit)
            )
        ).mappings()
        done: list[Case] = []
        for row in rows:
            case = utc_row(row)
            lead = self.snap.directory.lead_of(case["team"])
            case["sla_breached_at"] = self.uow.now
            case["escalated_to"] = lead
            due = case["sla_due_at"].isoformat()
            emit(self.uow, "case.sla_breached", case, reason=f"first response was due {due}")
            emit(self.uow, "case.escalated", case, reason=f"SLA breached; escalated to lead {lead}")
            notify(
                self.uow,
                lead,
                "sla_breached",
                f"Case {case['id']} ({case['team']}, {case['priority']}) breached its SLA",
                case_id=case["id"],
                assignee=case["assignee"],
            )
            done.append(case)
        await self.save(done)
        return len(done)

    async def auto_resolve(self, hours: float, limit: int = 500) -> int:
        """Resolve replied cases whose customer has been quiet for ``hours``."""
        t = models.cases
        cutoff = self.uow.now - timedelta(hours=hours)
        rows = (
            await self.uow.session.execute(
                select(t).where(t.c.status == "replied", t.c.updated_at <= cutoff).limit(limit)
            )
        ).mappings()
        done = []
        for row in rows:
            case = utc_row(row)
            self.resolve(case, f"auto-resolved: no customer reply for {hours:g} h")
            done.append(case)
        await self.save(done)
        return len(done)

    # ------------------------------------------------------------------ people
    def resolve(self, case: Case, reason: str) -> None:
        status = next_status(case["status"], "resolve")
        unbook(self.book, case)
        case["status"] = status
        case["resolved_at"] = self.uow.now
        self.uow.release_teams.add(case["team"])
        emit(self.uow, "case.resolved", case, reason=reason)

    def reopen(self, case: Case, reason: str) -> None:
        case["status"] = next_status(case["status"], "reopen")
        case["resolved_at"] = None
        choice = self.choose(case, prefer=case["assignee"])
        self.place(case, choice, "reopened")
        emit(self.uow, "case.reopened", case, reason=f"{reason}; {choice.reason}")

    def assign_to(self, case: Case, member: str, actor: str, reason: str) -> None:
        """A lead's explicit choice (the member must be in an involved team, below capacity)."""
        next_status(case["status"], "assign")
        old = case["assignee"]
        unbook(self.book, case)
        case["status"] = next_status(case["status"], "assign")
        case["previous_assignee"] = old
        case["assignee"] = member
        case["assigned_at"] = self.uow.now
        self.book.add(member, case["weight"], solid=not case["never_alone"])
        case["decision"] = {
            **case["decision"],
            "assignment": {
                "member": member,
                "reason": f"assigned by {actor}: {reason}",
                "continuity": False,
                "relaxed": [],
                "candidates": [],
            },
        }
        kind = "case.reassigned" if old else "case.assigned"
        emit(self.uow, kind, case, reason=f"assigned to {member} by {actor}: {reason}")
        if old:
            self.uow.release_teams.add(case["team"])

    def handback(self, case: Case, actor: str, reason: str) -> None:
        next_status(case["status"], "handback")
        old = case["assignee"]
        unbook(self.book, case)
        case["previous_assignee"] = old
        choice = self.choose(case, exclude=(old,) if old else ())
        self.place(case, choice, f"handed back by {actor}")
        emit(self.uow, "case.reassigned", case, reason=f"handed back by {actor}: {reason}")

    def apply_reply(self, case: Case, event_type: str, reply_id: str) -> bool:
        """Move the case along on the responder's events; False when nothing changed."""
        action = {
            "reply.approval_requested": "approval_requested",
            "reply.approved": "approval_settled",
            "reply.rejected": "approval_settled",
            "reply.sent": "reply_sent",
        }.get(event_type)
        if action is None:
            return False
        status = case["status"]
        try:
            new = next_status(status, action)
        except ValueError:
            return False  # e.g. a late approval for a case already resolved
        if event_type == "reply.sent" and case["first_response_at"] is None:
            case["first_response_at"] = self.uow.now
        if new == status and event_type != "reply.sent":
            return False
        case["status"] = new
        emit(self.uow, "case.updated", case, reason=f"{event_type} ({reply_id})")
        return True
