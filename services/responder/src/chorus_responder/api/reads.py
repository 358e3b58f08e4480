"""What the responder API answers: the documented shape of every successful response."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from chorus_responder.domain.policy import Policy


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class NeededApproval(_Out):
    key: str
    team: str
    role: str
    satisfied: bool


class TextLength(_Out):
    value: int
    maximum: int
    unit: str


class HistoryEntry(_Out):
    step: str
    actor: str | None
    comment: str | None
    at: str | None
    data: Any


class ReplyRead(_Out):
    """A reply, with the approvals it needs and, on single reads, its history."""

    reply_id: str
    case_id: str
    post_id: str | None
    platform: str | None
    adapter: str | None
    channel: str | None
    visibility: str | None
    mode: str | None
    team: str | None
    author_id: str | None
    text: str
    lang: str | None
    template_id: str | None
    status: str
    version: int
    approvals_needed: list[NeededApproval]
    approvals_pending: list[NeededApproval]
    approvals: list[dict[str, Any]]
    length: TextLength | None
    attempts: int
    next_attempt_at: str | None
    platform_reply_id: str | None
    platform_url: str | None
    error: str | None
    error_code: str | None
    created_at: str | None
    updated_at: str | None
    sent_at: str | None
    history: list[HistoryEntry] | None = None


class DraftRead(ReplyRead):
    collisions: list[dict[str, Any]]


class CaseRepliesRead(_Out):
    case_id: str
    case_status: str | None
    team: str | None
    replies: list[ReplyRead]
    older_replies: bool = Field(description="more replies exist than `limit` gave")
    collisions: list[dict[str, Any]]


class ReplyList(_Out):
    replies: list[ReplyRead]


class TemplateRead(_Out):
    template_id: str
    team: str
    lang: str
    name: str
    body: str
    variables: list[str]
    version: int
    created_by: str | None
    created_at: str
    updated_at: str


class TemplateList(_Out):
    templates: list[TemplateRead]
    next_after: str | None = Field(description="send as `after` for the next page")


class PolicyRead(Policy):
    """A policy with its place in the evaluation order."""

    model_config = ConfigDict(extra="allow", frozen=True)

    position: int
    updated_by: str | None
    updated_at: str


class PolicyList(_Out):
    policies: list[PolicyRead]


class ChannelRead(_Out):
    """A sending channel's configuration: credential names, never their values."""

    platform: str
    channel: str
    base_url: str | None
    options: dict[str, str]
    credentials: list[str]
    updated_at: str


class ChannelList(_Out):
    channels: list[ChannelRead]
