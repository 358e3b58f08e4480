"""The packaged intent classifier (``chorus_signals.intent``) as the router's model kit."""

from __future__ import annotations

from collections.abc import Sequence

from chorus_signals.intent import Example, IntentModel, corpus, shipped_model, train

from chorus_router.intent.kit import Labelled


class PackagedKit:
    """Shipped model and corpus from the package; corrections join the corpus's train split."""

    def shipped(self) -> IntentModel:
        return shipped_model()

    def load(self, data: bytes) -> IntentModel:
        return IntentModel.from_bytes(data)

    def train(self, corrections: Sequence[Labelled], *, version: str) -> IntentModel:
        examples = [
            *corpus("train"),
            *(Example(c.text, c.intent, c.lang, source="correction") for c in corrections),
        ]
        return train(examples, version=version)
