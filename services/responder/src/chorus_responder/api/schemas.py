"""Request bodies of the responder API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReplyCreate(_In):
    text: str | None = Field(default=None, max_length=100_000)
    template_id: str | None = Field(default=None, max_length=36)
    variables: dict[str, str] = Field(default_factory=dict, max_length=50)
    post_id: str | None = Field(default=None, max_length=600)
    force: bool = False


class ReplyUpdate(_In):
    text: str = Field(min_length=1, max_length=100_000)


class ApproveBody(_In):
    comment: str | None = Field(default=None, max_length=4000)


class RejectBody(_In):
    comment: str = Field(min_length=1, max_length=4000)


class SendBody(_In):
    force: bool = False


class TemplateCreate(_In):
    team: str = Field(min_length=1, max_length=64)
    lang: str = Field(min_length=2, max_length=16)
    name: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20_000)


class TemplateUpdate(_In):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    body: str | None = Field(default=None, min_length=1, max_length=20_000)


class ChannelConfig(_In):
    base_url: str | None = Field(default=None, max_length=2048, pattern=r"^https?://")
    options: dict[str, str] = Field(default_factory=dict, max_length=50)
    credentials: dict[str, str] | None = Field(default=None, max_length=20)
