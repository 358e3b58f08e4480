"""The packaged classifier behind the router's model kit: shipped model, training with the
teams' corrections (on a slice of the corpus, to keep it short), storing and loading."""

from __future__ import annotations

import pytest
from chorus_router.intent.kit import Labelled
from chorus_router.intent.package import PackagedKit
from chorus_signals import intent as package

PHOTO = "Our photographer's picture is on your billboard without any licence"


@pytest.mark.unit
def test_the_kit_trains_with_the_corrections_and_round_trips_its_models(monkeypatch) -> None:
    kit = PackagedKit()
    shipped = kit.shipped()
    assert shipped.version.startswith("base-") and kit.shipped() is shipped
    slice_: dict[tuple[str, str | None], list[package.Example]] = {}
    for ex in package.corpus("train"):
        kept = slice_.setdefault((ex.intent, ex.lang), [])
        if len(kept) < 20:
            kept.append(ex)
    monkeypatch.setattr(
        "chorus_router.intent.package.corpus",
        lambda split: [ex for exs in slice_.values() for ex in exs],
    )
    fixes = [
        Labelled(PHOTO, "legal", "en"),
        Labelled("Vos photos de moi, sans accord", "legal", "fr"),
    ]
    model = kit.train(fixes, version="retrain-7")
    assert model.version == "retrain-7"
    assert dict(model.metadata["examples"]) == {"corpus": 200, "correction": 2}
    again = kit.load(model.to_bytes())
    assert again.version == "retrain-7"
    assert again.classify(PHOTO, "en").intent == model.classify(PHOTO, "en").intent == "legal"
    with pytest.raises(ValueError):
        kit.load(b"not a model")
