"""What the analytics API answers: the documented shape of every report."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Counts = dict[str, int]


class ReportRead(BaseModel):
    """Every report: its range, bucket size and filters, and one row per bucket or group (the
    rows are what `?format=csv` gives)."""

    model_config = ConfigDict(populate_by_name=True, extra="allow")

    report: str
    from_: str = Field(alias="from")
    to: str
    granularity: str
    filters: dict[str, str]
    rows: list[dict[str, Any]]


class VolumeRead(ReportRead):
    group_by: str | None
    total: int
    totals: dict[str, Counts] = Field(description="posts per value of every dimension")


class EngagementRead(ReportRead):
    group_by: str | None
    totals: dict[str, dict[str, int]]
    authors: dict[str, int]


class SentimentRead(ReportRead):
    net: float | None
    channels: dict[str, Any]


class TopAuthorsRead(ReportRead):
    influencers: list[dict[str, Any]]


class KeywordsRead(ReportRead):
    keywords: list[dict[str, Any]]
    hashtags: list[dict[str, Any]]


class ResponsivenessRead(ReportRead):
    group_by: str
    unit: str


class SlaRead(ReportRead):
    group_by: str


class WorkloadRead(ReportRead):
    teams: dict[str, Any]


class RepliesRead(ReportRead):
    teams: dict[str, Any]
    approval_turnaround: dict[str, Any]
    failures_by_code: dict[str, Any]


class TimeInHandsRead(ReportRead):
    unit: str
    teams: dict[str, Any]
    members: dict[str, Any]


class SummaryRead(BaseModel):
    """Every section in one document."""

    model_config = ConfigDict(populate_by_name=True, extra="allow")

    from_: str = Field(alias="from")
    to: str
    posts_total: int
    cases_open_by_team: Counts
    replies_sent: int
    replies_failed: int
    dead_letters_total: int
    posts: dict[str, Any]
    engagement: dict[str, Any]
    cases: dict[str, Any]
    replies: dict[str, Any]
    sentiment: dict[str, Any]
    brand_activity: dict[str, Any] = Field(
        default_factory=dict,
        description="the brand's own posts beside the others' (mentions), per platform, and "
        "the replies it wrote natively on the platforms",
    )


class DigestRead(BaseModel):
    """The day's figures overall and per channel."""

    model_config = ConfigDict(extra="allow")

    date: str
    overall: dict[str, Any]
    channels: dict[str, dict[str, Any]]


REPORT_MODELS: dict[str, type[ReportRead]] = {
    "volume": VolumeRead,
    "engagement": EngagementRead,
    "sentiment": SentimentRead,
    "top-authors": TopAuthorsRead,
    "keywords": KeywordsRead,
    "responsiveness": ResponsivenessRead,
    "sla": SlaRead,
    "workload": WorkloadRead,
    "replies": RepliesRead,
    "time-in-hands": TimeInHandsRead,
}
