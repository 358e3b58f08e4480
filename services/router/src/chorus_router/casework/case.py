"""The case: one conversation's state, and the transitions every path applies to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chorus_router.casework import sla
from chorus_router.casework.assignment import Choice, Need
from chorus_router.casework.lifecycle import LOADED, next_status

POST_IDS_KEPT = 50
REPLY_ACTIONS = {
    "reply.approval_requested": "approval_requested",
    "reply.approved": "approval_settled",
    "reply.rejected": "approval_settled",
    "reply.sent": "reply_sent",
}


@dataclass(slots=True, eq=False)
class Case:
    """A row of ``router_cases``; the fields are its columns, in the table's order."""

    id: str
    thread_id: str
    platform: str
    channel: str | None
    status: str
    team: str
    collaborators: list[str]
    assignee: str | None
    previous_assignee: str | None
    escalated_to: str | None
    priority: str
    tags: list[str]
    approvals: list[str]
    skills: list[str]
    language: str | None
    weight: float
    never_alone: bool
    crisis: str | None
    sla_minutes: int
    sla_due_at: datetime
    sla_breached_at: datetime | None
    first_response_at: datetime | None
    opened_at: datetime
    updated_at: datetime
    assigned_at: datetime | None
    resolved_at: datetime | None
    post_received_at: datetime
    latest_post_id: str
    post_ids: list[str]
    post_count: int
    decision: dict[str, Any]
    reason: str
    version: int

    @property
    def carried(self) -> bool:
        """Does this case count against its assignee's capacity?"""
        return bool(self.assignee) and self.status in LOADED

    def need(self) -> Need:
        return Need.of(self)

    def changed(self, now: datetime, reason: str | None) -> None:
        """One more version of the case (each change is one event)."""
        self.version += 1
        self.updated_at = now
        if reason is not None:
            self.reason = reason

    def place(self, choice: Choice, now: datetime, note: str | None = None) -> None:
        """Give the case to ``choice.member``, or (no member) put it in the team queue."""
        assignment = choice.as_dict()
        if note is not None:
            assignment["note"] = note
        self.decision = {**self.decision, "assignment": assignment}
        if choice.member is None:
            self.status = "queued"
            self.assignee = None
            return
        self.assignee = choice.member
        self.assigned_at = now
        if self.status == "queued":
            self.status = "assigned"

    def hand_to(self, member: str, now: datetime, why: str) -> str | None:
        """A person's explicit choice of owner; returns the previous one."""
        old = self.assignee
        self.status = next_status(self.status, "assign")
        self.previous_assignee = old
        self.assignee = member
        self.assigned_at = now
        self.decision = {
            **self.decision,
            "assignment": {
                "member": member,
                "reason": why,
                "continuity": False,
                "relaxed": [],
                "candidates": [],
            },
        }
        return old

    def transfer(self, team: str) -> None:
        """``team`` owns the case; the old owner team stays on as a collaborator."""
        old_team = self.team
        self.team = team
        self.collaborators = [
            t for t in dict.fromkeys([old_team, *self.collaborators]) if t != team
        ]
        self.previous_assignee = self.assignee

    def resolve(self, now: datetime) -> None:
        self.status = next_status(self.status, "resolve")
        self.resolved_at = now

    def reopen(self) -> None:
        self.status = next_status(self.status, "reopen")
        self.resolved_at = None

    def breach(self, now: datetime, lead: str | None) -> None:
        """The first response is late: marked once, escalated to the team's lead."""
        self.sla_breached_at = now
        self.escalated_to = lead

    def add_post(self, post_id: str, received_at: datetime) -> None:
        """A new post in the conversation (the newest ids are kept)."""
        self.post_ids = [*self.post_ids, post_id][-POST_IDS_KEPT:]
        self.latest_post_id = post_id
        self.post_received_at = received_at
        self.post_count += 1

    def restart_sla(self, received_at: datetime) -> None:
        """The customer spoke again after an answer: a new first response is due."""
        self.first_response_at = None
        self.sla_breached_at = None
        self.sla_due_at = sla.due_at(received_at, self.sla_minutes)

    def apply_reply(self, event_type: str, now: datetime) -> bool:
        """Move along on a responder event; False when nothing changed."""
        action = REPLY_ACTIONS.get(event_type)
        if action is None:
            return False
        status = self.status
        try:
            new = next_status(status, action)
        except ValueError:
            return False  # e.g. a late approval for a case already resolved
        if event_type == "reply.sent" and self.first_response_at is None:
            self.first_response_at = now
        if new == status and event_type != "reply.sent":
            return False
        self.status = new
        return True

    def answer_natively(self, now: datetime, *, newer_post_waits: bool = False) -> bool:
        """The brand replied on the platform itself: the same move as a reply sent (the SLA
        clock stops); True when this is the case's first response. ``newer_post_waits``: the
        customer wrote again after this reply, so their newer post is still to be answered."""
        first, before = self.first_response_at is None, self.status
        if not self.apply_reply("reply.sent", now):
            return False  # a resolved case stays as it is
        if newer_post_waits:  # still waiting, as before; the newer post's own clock runs
            self.status = before
            self.restart_sla(self.post_received_at)
        return first
