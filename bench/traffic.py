"""Traffic: generic batches for internal systems, and signed platform webhooks (the demo feed)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import httpx
from chorus_cli.demo_feed import DemoFeed, ensure_channels
from chorus_cli.demo_payloads import Delivery

TEXTS = [
    "My order #{i} never arrived, where is my delivery?",
    "Je veux être remboursé, la commande {i} est arrivée cassée",
    "Love the new flavour, great job team! #{i}",
    "I will sue you if my data is not deleted under GDPR (ref {i})",
    "Journaliste au Monde, je prépare un article sur votre rappel produit {i}",
    "Idea: a family size pack would be awesome {i}",
]


# Posts no keyword or signal rule of the default set matches (tests/test_bench_tools.py checks
# it): each one is routed by the intent classifier, the worst case of its cost.
INTENT_TEXTS = [
    "Hi, I'm with the Guardian's money desk, could someone call me back today? {i}",
    "Ici France Inter : pouvez-vous réagir à la fuite du mémo interne pour le 13h ? {i}",
    "Your new billboard shows my photo and nobody ever asked me {i}",
    "Vous utilisez ma photo dans votre pub sans mon accord {i}",
    "Please bring back the old recipe, the new one tastes of cardboard {i}",
    "Le nouveau flacon est magnifique, ce vert sapin est parfait {i}",
    "The kettle I got from you sparked and scorched my hand {i}",
    "Quelqu'un sait à quelle heure ouvre le magasin de Lyon samedi ? {i}",
]


def make_post(run: str, i: int, texts: list[str] = TEXTS) -> dict[str, Any]:
    """A generic-shape post with its own conversation and a distinct text (no enrichment cache)."""
    return {
        "id": f"{run}-{i}",
        "channel": "bench",
        "kind": "comment",
        # Distinct in every run too: a repeated run must not find its texts in the caches.
        "text": texts[i % len(texts)].format(i=f"{run}-{i}"),
        "created_at": datetime.now(UTC).isoformat(),
        "author": {
            "id": f"u{i % 5000}",
            "handle": f"user{i % 5000}",
            "followers": (i * 37) % 20000,
        },
        "thread_id": f"{run}-t{i}",
    }


def generic_id(run: str, i: int) -> str:
    return f"generic:{run}-{i}"


class Webhooks:
    """Signed platform deliveries (X, Facebook, Instagram, WhatsApp, Google reviews, e-mail).

    One post per HTTP request, as platforms send them; a quarter are replies in threads
    opened earlier, so some posts join an existing case instead of opening one.
    """

    def __init__(self, seed: int = 7) -> None:
        self.feed = DemoFeed(random.Random(seed))

    async def prepare(self, client: httpx.AsyncClient, base_url: str, token: str) -> bool:
        import asyncio

        async with httpx.AsyncClient(base_url=base_url, timeout=30) as c:
            return await ensure_channels(c, token, asyncio.Event())

    def next(self) -> Delivery:
        return self.feed.next()
