"""Conditions on the intent classifier's answer for a post, and how confident it is."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from chorus_router.intent.verdict import IntentName
from chorus_router.routing.conditions.base import Check, Condition, Strict, showing
from chorus_router.routing.postview import PostView


class IntentConditions(Strict):
    intent: tuple[IntentName, ...] = Field(
        default=(),
        description="the classifier's intent for the post is one of these (a name or a list); "
        "a rule with an intent applies only when no rule without one matched",
    )
    min_confidence: float | None = Field(
        default=None, ge=0.0, le=1.0, description="and the classifier is at least this confident"
    )

    @field_validator("intent", mode="before")
    @classmethod
    def _one_intent(cls, value: object) -> object:
        return (value,) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _confidence_needs_intent(self) -> IntentConditions:
        if self.min_confidence is not None and not self.intent:
            raise ValueError("min_confidence needs intent")
        return self

    @property
    def needs_intent(self) -> bool:
        return bool(self.intent)


def _intent_miss(v: PostView, wanted: frozenset[str], names: str) -> str | None:
    r = v.intent()
    if r is None:
        return "intent: classification is off"
    if not r.supported_language:
        return f"intent: language {v.post.lang or 'unknown'} is not one the classifier knows"
    if r.intent not in wanted:
        return f"intent: {r.intent} ({r.confidence:.2f}), not {names}"
    return None


def _intent(w: IntentConditions) -> Check | None:
    if not w.intent:
        return None
    wanted, names = frozenset(w.intent), "/".join(w.intent)
    return lambda v: _intent_miss(v, wanted, names)


def _confident(w: IntentConditions) -> Check | None:
    """Also fails when the intent is wrong, so only a right intent held back by its
    confidence (or a rule failing on one other condition) makes a near miss."""
    floor = w.min_confidence
    if not w.intent or floor is None:
        return None
    wanted, names = frozenset(w.intent), "/".join(w.intent)

    def check(v: PostView) -> str | None:
        miss = _intent_miss(v, wanted, names)
        if miss is not None:
            return miss
        r = v.verdict
        assert r is not None  # _intent_miss returned None: there is a verdict
        if r.confidence < floor:
            return f"intent: {r.intent} confidence {r.confidence:.2f} < {floor:.2f}"
        return None

    return check


CONDITIONS: tuple[Condition[IntentConditions], ...] = (
    Condition(
        "intent",
        "intent",
        _intent,
        showing("intent", lambda v: v.verdict.intent if v.verdict else None),
    ),
    Condition(
        "min_confidence",
        "min_confidence",
        _confident,
        showing("min_confidence", lambda v: f"{v.verdict.confidence:.2f}" if v.verdict else None),
    ),
)
