"""The versioned payload schemas of the events (frozen Pydantic v2 models).

What each ``type`` carries: :mod:`chorus_common.contracts.event_types` maps every type to its
payload model and topic; the envelope around a payload is
:class:`chorus_common.messaging.envelope.Envelope`.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

# The platform slugs and post kinds, kept beside the platforms; re-exported for the schemas' users.
from chorus_common.contracts.platforms import PLATFORMS as PLATFORMS
from chorus_common.contracts.platforms import Platform as Platform
from chorus_common.contracts.platforms import PostKind as PostKind


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        # e.g. 0001-01-01T00:00:00+01:00: a ValueError becomes a validation error (a
        # clear invalid_envelope / invalid_payload), an OverflowError escaped the decoder
        raise ValueError("datetime out of range in UTC") from None


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


M = TypeVar("M", bound=BaseModel)


def constructed(cls: type[M], values: dict[str, Any], fields_set: set[str] | None = None) -> M:
    """``cls.model_construct(**values)`` when ``values`` holds every field, already valid:
    the instance ``model_construct`` leaves, without its per-field work, for models built on
    every post. ``fields_set``: the fields given (default: all). Private attributes are
    left unset (``None``), as on a model without any."""
    out = cls.__new__(cls)
    object.__setattr__(out, "__dict__", values)
    object.__setattr__(
        out, "__pydantic_fields_set__", set(values) if fields_set is None else fields_set
    )
    object.__setattr__(out, "__pydantic_extra__", None)
    object.__setattr__(out, "__pydantic_private__", None)
    return out


# --------------------------------------------------------------------------- posts


class Author(Frozen):
    id: str = Field(min_length=1, max_length=256)
    handle: str | None = Field(default=None, max_length=256)
    display_name: str | None = Field(default=None, max_length=512)
    followers: int | None = Field(default=None, ge=0)
    verified: bool = False
    url: str | None = Field(default=None, max_length=2048)


class Metrics(Frozen):
    likes: int = Field(default=0, ge=0)
    shares: int = Field(default=0, ge=0)
    replies: int = Field(default=0, ge=0)
    views: int = Field(default=0, ge=0)


class Media(Frozen):
    type: str = Field(min_length=1, max_length=32)
    url: str = Field(min_length=1, max_length=4096)


class Signals(Frozen):
    sentiment_score: float | None = Field(default=None, ge=-1.0, le=1.0)
    sentiment_label: Literal["negative", "neutral", "positive"] | None = None
    keywords: tuple[str, ...] = ()
    entities: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    personal_data: bool = False


class Post(Frozen):
    """The canonical post every connector produces."""

    id: str = Field(min_length=3, max_length=600)
    platform: Platform
    channel: str = Field(min_length=1, max_length=256)
    kind: PostKind
    native_id: str = Field(min_length=1, max_length=512)
    url: str | None = Field(default=None, max_length=4096)
    thread_id: str = Field(min_length=1, max_length=600)
    in_reply_to: str | None = Field(default=None, max_length=600)
    author: Author
    text: str = Field(max_length=100_000)
    lang: str | None = Field(default=None, max_length=16)
    created_at: datetime
    received_at: datetime = Field(default_factory=utcnow)
    rating: int | None = Field(default=None, ge=1, le=5)
    metrics: Metrics = Field(default_factory=Metrics)
    media: tuple[Media, ...] = ()
    signals: Signals = Field(default_factory=Signals)
    # Written by the brand's own account on the platform: brand activity, never a new case.
    from_brand: bool = False

    @field_validator("created_at", "received_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return as_utc(value)

    @staticmethod
    def make_id(platform: str, native_id: str) -> str:
        return f"{platform}:{native_id}"


class PostReceived(Frozen):
    """`post.received`: a new post, or an edit of a known one (``is_update``)."""

    post: Post
    is_update: bool = False
    revision: int = Field(default=1, ge=1)


# --------------------------------------------------------------------------- cases

CaseStatus = Literal[
    "new", "assigned", "waiting_approval", "replied", "resolved", "reopened", "queued"
]
Priority = Literal["P1", "P2", "P3", "P4"]


HandState = Literal["open", "waiting_approval", "waiting_customer"]


class HandOff(Frozen):
    """One change of hands of a case (owner team and/or member; member None = team queue)."""

    at: datetime
    event: str
    from_team: str | None = None
    from_member: str | None = None
    to_team: str | None = None
    to_member: str | None = None
    reason: str | None = None


class TimeInHands(Frozen):
    """Seconds a case spent with one team (and member; None = the team queue) in one state."""

    team: str
    member: str | None = None
    state: HandState
    seconds: float


class NativeReply(Frozen):
    """A reply the brand's own account wrote on the platform itself (not sent by Chorus)."""

    post_id: str
    url: str | None = None
    created_at: datetime = Field(description="when the platform says it was written")
    first_response: bool = Field(description="it was the case's first response")


class CaseEvent(Frozen):
    """Payload of every `case.*` event: the case as it stands after the change."""

    case_id: str
    thread_id: str
    status: CaseStatus
    team: str | None = None
    collaborators: tuple[str, ...] = ()
    assignee: str | None = None
    previous_assignee: str | None = None
    priority: Priority = "P3"
    sla_due_at: datetime | None = None
    tags: tuple[str, ...] = ()
    approvals_required: tuple[str, ...] = ()
    platform: str | None = None
    channel: str | None = None
    post_ids: tuple[str, ...] = ()
    latest_post_id: str | None = None
    post_received_at: datetime | None = None
    opened_at: datetime | None = None
    reason: str | None = None
    decision: dict[str, Any] = Field(
        default_factory=dict,
        description="the router's decision record: rules matched and near misses, the intent "
        "classifier's answer (intent, confidence, model_version, evidence), the assignment and "
        "why (docs/router.md, 'The decision record')",
    )
    version: int = 1
    # Accountability (optional): every hand-off so far, and cumulative time in hands as of
    # ``time_in_hands_at`` (newest version wins; absent on events of a brand-new case).
    handoffs: tuple[HandOff, ...] | None = None
    time_in_hands: tuple[TimeInHands, ...] | None = None
    time_in_hands_at: datetime | None = None
    # Set only on the `case.updated` that records a native reply of the brand on the case.
    native_reply: NativeReply | None = None


# --------------------------------------------------------------------------- replies

ReplyStatus = Literal[
    "draft", "pending_approval", "approved", "rejected", "sending", "sent", "failed"
]


class ReplyEvent(Frozen):
    """Payload of every `reply.*` event."""

    reply_id: str
    case_id: str
    post_id: str | None = None
    platform: str | None = None
    channel: str | None = None
    team: str | None = None
    author_member_id: str | None = None
    status: ReplyStatus
    text: str | None = None
    approvals_required: tuple[str, ...] = ()
    approver_member_id: str | None = None
    comment: str | None = None
    platform_reply_id: str | None = None
    platform_url: str | None = None
    error: str | None = None
    error_code: str | None = None
    drafted_at: datetime | None = None


# --------------------------------------------------------------------------- alerts


class AlertEvent(Frozen):
    """Payload of `alert.buzz` and `alert.sla`."""

    alert_id: str
    subject: str
    state: Literal["raised", "cleared"] = "raised"
    channel: str | None = None
    keyword: str | None = None
    team: str | None = None
    case_id: str | None = None
    rate: float | None = None
    baseline: float | None = None
    zscore: float | None = None
    sample_post_ids: tuple[str, ...] = ()
    message: str = ""


# --------------------------------------------------------------------------- dead letters


class DeadLetter(Frozen):
    """`dead_letter`: something that could not be handled, with the reason and the original bytes."""

    error: str
    error_code: str
    source: str
    original_b64: str = ""
    original_topic: str | None = None
    original_partition: int | None = None
    original_offset: int | None = None
    original_key: str | None = None
    field: str | None = None
    post_id: str | None = Field(
        default=None,
        max_length=600,
        description="The post the original concerns, when it names one (`chorus trace`).",
    )

    @classmethod
    def of(
        cls, *, error: str, error_code: str, source: str, original: bytes, **kw: Any
    ) -> DeadLetter:
        return cls(
            error=error[:4000],
            error_code=error_code,
            source=source,
            original_b64=base64.b64encode(original).decode("ascii"),
            **kw,
        )

    def original(self) -> bytes:
        return base64.b64decode(self.original_b64)
