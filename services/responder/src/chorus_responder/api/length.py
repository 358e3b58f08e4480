"""`POST /v1/text-length`: how a platform counts a reply's text, before any draft exists (the
console's composer counts as the user types; the draft's own `length` says the same)."""

from __future__ import annotations

from typing import Any

from chorus_common.openapi import problem
from chorus_common.problems import ApiProblem
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from chorus_responder.api.deps import RepliesReader
from chorus_responder.domain.constraints import LIMITS, ConstraintError, plan_reply

router = APIRouter(prefix="/v1", tags=["replies"])


class LengthIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform: str = Field(min_length=1, max_length=32, description="the post's platform")
    kind: str = Field(
        default="comment", min_length=1, max_length=16, description="the post's kind (dm…)"
    )
    text: str = Field(max_length=100_000)


class LengthRead(BaseModel):
    adapter: str = Field(description="the API the reply would go through")
    visibility: str = Field(description="`public` or `private`")
    value: int = Field(description="the text's length as the platform counts it")
    maximum: int
    unit: str = Field(description="`characters`, `weighted characters` (X) or `bytes`")
    fits: bool


@router.post(
    "/text-length",
    response_model=LengthRead,
    responses=problem(422, "platform_not_supported", "kind_not_supported", "validation_error"),
)
async def text_length(body: LengthIn, principal: RepliesReader) -> Any:
    """The length of ``text`` in a reply to a ``kind`` post on ``platform``, counted the
    platform's way (X: weighted characters, every URL 23; Mastodon: URLs 23; Google reviews:
    UTF-8 bytes), with the platform's maximum."""
    try:
        plan = plan_reply(body.platform, body.kind, already_answered=False)
    except ConstraintError as exc:
        field = "platform" if exc.code == "platform_not_supported" else "kind"
        raise ApiProblem(422, exc.code, str(exc), field=field) from exc
    limit = LIMITS[plan.adapter]
    value = limit.measure(body.text)
    return {
        "adapter": plan.adapter,
        "visibility": plan.visibility,
        "value": value,
        "maximum": limit.maximum,
        "unit": limit.unit,
        "fits": value <= limit.maximum,
    }
