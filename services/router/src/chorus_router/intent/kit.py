"""What the router needs to manage intent models: the shipped one, stored ones, training.

``ModelKit`` is the port; the app gets the packaged classifier's adapter by default and the
unit tests a fake. Training is CPU-bound: callers run it in a thread.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from chorus_router.intent.verdict import Verdict


@dataclass(frozen=True, slots=True)
class Labelled:
    """A team's correction: the post's text and the intent of the team that took the case."""

    text: str
    intent: str
    lang: str | None = None


class TrainableModel(Protocol):
    @property
    def version(self) -> str: ...

    @property
    def metadata(self) -> Mapping[str, Any]: ...

    def classify(self, text: str, lang: str | None = None) -> Verdict: ...

    def to_bytes(self) -> bytes: ...


class ModelKit(Protocol):
    def shipped(self) -> TrainableModel:
        """The model packaged with the code (no network)."""
        ...

    def load(self, data: bytes) -> TrainableModel:
        """A stored model; ValueError when ``data`` is not one."""
        ...

    def train(self, corrections: Sequence[Labelled], *, version: str) -> TrainableModel:
        """A new model from the shipped corpus plus ``corrections`` (deterministic)."""
        ...
