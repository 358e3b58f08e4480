"""What the router API answers: the documented shape of every successful response.

Extra members are allowed (``extra="allow"``): a field added to a view reaches clients
before its schema names it, and a response model never drops data.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")


# Not derived from casework.case.Case: the wire has ISO-text times and approvals_required.
class CaseRead(_Out):
    """A case: who owns it, why, its SLA and its posts."""

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
    approvals_required: list[str]
    skills: list[str]
    language: str | None
    weight: float
    never_alone: bool
    crisis: str | None
    sla_minutes: int
    sla_due_at: str
    sla_breached_at: str | None
    first_response_at: str | None
    opened_at: str
    updated_at: str
    assigned_at: str | None
    resolved_at: str | None
    post_received_at: str
    latest_post_id: str
    post_ids: list[str]
    post_count: int
    decision: dict[str, Any]
    reason: str
    version: int


class CaseList(_Out):
    items: list[CaseRead]
    next_cursor: str | None = Field(description="send as `cursor` for the next page")


class CaseItems(_Out):
    items: list[CaseRead]


class TeamRead(_Out):
    id: str
    name: str
    lead: str | None
    description: str
    created_at: str
    updated_at: str
    version: int
    members: list[str]
    queued: int | None = Field(default=None, description="single reads: cases waiting")


class TeamList(_Out):
    items: list[TeamRead]


class MemberLoad(_Out):
    open_cases: int
    weighted: float
    assigned_total: int


class MemberRead(_Out):
    id: str
    name: str
    email: str | None
    oidc_subject: str | None = None
    admin: bool = False
    teams: list[str]
    languages: list[str]
    skills: list[str]
    platforms: list[str]
    capacity: int
    timezone: str
    working_hours: list[dict[str, Any]]
    availability: str
    availability_until: str | None
    active: bool
    created_at: str
    updated_at: str
    version: int
    load: MemberLoad
    effective_availability: str
    available_now: bool
    unavailable_reason: str | None


class MemberList(_Out):
    items: list[MemberRead]
    next_after: str | None = Field(description="send as `after` for the next page")


class RuleSetRead(_Out):
    version: int
    rules: list[dict[str, Any]]


class RuleRead(_Out):
    version: int
    position: int
    rule: dict[str, Any]


class RuleVersionSummary(_Out):
    version: int
    change: str
    author: str
    created_at: str


class RuleVersionList(_Out):
    items: list[RuleVersionSummary]
    next_before: int | None = Field(description="send as `before` for older versions")


class RuleVersionRead(RuleVersionSummary):
    rules: list[dict[str, Any]]


class SimulationRead(_Out):
    """The decision a post would get, without any effect."""

    team: str
    collaborators: list[str]
    priority: str
    sla_minutes: int
    sla_due_at: str
    approvals_required: list[str]
    tags: list[str]
    member: str | None
    reason: str
    signals: dict[str, Any]
    explanation: dict[str, Any]


class AuditEntry(_Out):
    id: int
    at: str
    actor: str
    action: str
    entity: str
    entity_id: str
    before: Any
    after: Any


class AuditList(_Out):
    items: list[AuditEntry]
    next_before: int | None = Field(description="send as `before` for older entries")


class NotificationRead(_Out):
    id: int
    member_id: str
    kind: str
    case_id: str | None
    message: str
    data: Any
    created_at: str
    read_at: str | None = Field(default=None, description="when its member read it")


class NotificationList(_Out):
    items: list[NotificationRead]
    unread: int = Field(description="the member's unread notifications, all of them")


class NotificationsMarked(_Out):
    marked: int = Field(description="notifications this call marked read")
    unread: int = Field(description="the member's unread notifications left")


class AccountabilityRead(_Out):
    """RACI, hand-offs, time in hands and the SLA clock of one case."""

    case_id: str
    as_of: str
    status: str
    raci: Any
    handoffs: list[dict[str, Any]]
    handoff_count: int
    team_handoffs: int
    time_in_hands: Any
    brand_replies: list[dict[str, Any]] = Field(
        default_factory=list, description="the brand's own posts on the case (brand activity)"
    )


class FairnessRead(_Out):
    team: str
    as_of: str
    bound: float | None
    enforced: bool
    now: dict[str, Any]
    shift: dict[str, Any]


class WhatIfRead(_Out):
    """What a proposed rule set (and roster) would have done over a past period."""

    period: dict[str, str]
    posts: int
    cases: int
    rules: dict[str, Any]
    roster: str
    actual: dict[str, Any]
    proposed: dict[str, Any]
    changed: Any
    notes: Any
