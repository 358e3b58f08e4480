"""What a rule condition is made of, and the model its schema is declared on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from chorus_router.routing.postview import PostView

W = TypeVar("W")
Check = Callable[[PostView], str | None]  # None when the condition holds, else why not
Reason = Callable[[PostView], str]  # why the condition held, in a match's reasons


class Strict(BaseModel):
    # No NaN or infinity: JSON cannot store them, and no bound is meant by them.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


@dataclass(frozen=True, slots=True)
class Condition(Generic[W]):
    """One rule condition whole: the ``When`` field that gives it, the name its near misses
    and a match's reasons carry, its check for a rule's ``when``, and the reason it shows."""

    field: str
    name: str
    check: Callable[[W], Check | None]  # None when the rule leaves the condition out
    explain: Callable[[W], Reason] | None  # None: a match does not mention it


def showing(name: str, get: Callable[[PostView], object]) -> Callable[[object], Reason]:
    """The usual reason: the condition's name and the post's value."""

    def reason(v: PostView) -> str:
        return f"{name}={get(v)}"

    return lambda _when: reason
