"""The learned intent of a post (legal, pr, brand, support, spam), calibrated and explained."""

from chorus_signals.intent.model import IntentModel
from chorus_signals.intent.shipped import corpus, shipped_model
from chorus_signals.intent.training import train
from chorus_signals.intent.types import INTENTS, Evidence, Example, IntentResult

__all__ = [
    "INTENTS",
    "Evidence",
    "Example",
    "IntentModel",
    "IntentResult",
    "corpus",
    "shipped_model",
    "train",
]
