"""Response schemas of the intent-model endpoints (``/v1/intent/…``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class _Open(BaseModel):
    # Model metadata and audit rows carry fields that grow with the trainer; clients read the
    # named ones.
    model_config = ConfigDict(extra="allow")


class IntentModelRead(_Open):
    version: str
    status: str
    current: bool
    corrections: int = 0
    author: str | None = None
    created_at: str | None = None
    finished_at: str | None = None
    error: str | None = None
    metadata: dict[str, Any] = {}


class IntentModelList(_Open):
    current: str
    items: list[IntentModelRead]


class CurrentIntentModel(_Open):
    version: str
    shipped: bool
    routing: Literal["on", "off"]
    promotion: dict[str, Any] | None = None
    metadata: dict[str, Any] = {}


class TrainingStarted(_Open):
    version: str


class PromotionRead(_Open):
    seq: int
    action: str
    version: str


class PromotionList(_Open):
    items: list[dict[str, Any]]


class CorrectionList(_Open):
    by_intent: dict[str, int]
    items: list[dict[str, Any]]
