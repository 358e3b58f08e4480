"""A routing rule's conditions.

Each module here describes its conditions whole: the ``When`` field that gives one (with its
validation), its check and the reason a match shows. ``When`` and ``CONDITIONS`` are derived
from them; the rule set's evaluation and the rules' JSON Schema read only these two.
"""

from __future__ import annotations

from typing import Any

from chorus_router.routing.conditions import hours, intent, signals, source, words
from chorus_router.routing.conditions.base import Condition


# The bases in reverse: the schema lists the source fields first, the intent ones last.
class When(
    intent.IntentConditions,
    hours.HoursConditions,
    signals.SignalConditions,
    words.WordConditions,
    source.SourceConditions,
):
    """Conditions: all given fields must hold; inside a list, any value may match."""


# In check order: the intent last, so a rule that already failed twice never runs the classifier.
CONDITIONS: tuple[Condition[Any], ...] = (
    *words.CONDITIONS,
    *source.CONDITIONS,
    *signals.CONDITIONS,
    *hours.CONDITIONS,
    *intent.CONDITIONS,
)
