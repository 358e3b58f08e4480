"""The router with the shipped intent model on the real broker, SQLite and PostgreSQL: each
intent in English and French reaches its team, the decision record explains it on the cases
API and on the case events, and a lead's transfer is stored as a correction."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from chorus_common.bus.kafka import KafkaConsumer
from chorus_common.events import Envelope
from chorus_common.runtime import KafkaBus
from chorus_router.app import create_app
from chorus_router.settings import RouterSettings
from chorus_signals.intent import shipped_model

from services.router.tests.router_support import encode, make_post, post_event
from tests.support.fixtures import FAST_KAFKA_ENV, auth, running
from tests.support.wait import wait_for

ADMIN = auth("admin")
# (intent's team, owner rule, lang, text): phrasings of tests/data/intent_phrasings.jsonl.
POSTS = [
    ("legal", "intent-legal", "en", "Your new sneaker logo is a near copy of the mark my "
     "company registered in 2019, take it off the shelves"),
    ("legal", "intent-legal", "fr", "Vous vendez des copies de nos sacs sous un nom presque "
     "identique au nôtre, déposé à l'INPI"),
    ("pr", "intent-pr", "en", "Producer at BBC Radio 4's consumer programme here, we'd like "
     "your side before Thursday's broadcast"),
    ("pr", "intent-pr", "fr", "Votre pub sur les mères au foyer circule partout, des milliers "
     "de gens sont choqués"),
    ("brand", "intent-brand", "en", "The lavender scent of the new candle range is gorgeous, "
     "my whole flat smells like summer"),
    ("brand", "intent-brand", "fr", "La nouvelle couleur du pot est trop jolie, on dirait un "
     "sorbet"),
    ("support", "catch-all", "en", "The zip on my backpack broke after two weeks, can I get it "
     "repaired?"),
    ("support", "catch-all", "fr", "La fermeture éclair de mon sac a lâché, est-ce que vous la "
     "réparez ?"),
    ("brand", "intent-spam", "en", "Turn $200 into $5,000 in a week with my forex tips, "
     "message me on telegram"),
    ("brand", "intent-spam", "fr", "Like mes 3 dernières photos et je fais pareil sur les "
     "tiennes, promis 🔥"),
    ("support", "support-refund", "en", "Where is my refund?"),
    ("support", "catch-all", "de", "Ihre Werbung benutzt mein Foto ohne meine Erlaubnis"),
]  # fmt: skip


@pytest.mark.integration
async def test_each_intent_reaches_its_team_explained_on_api_and_events(broker, db_url) -> None:
    settings = RouterSettings(
        database_url=db_url, kafka_bootstrap_servers=broker, router_release_seconds=0.2,
        **FAST_KAFKA_ENV,
    )  # fmt: skip
    app = create_app(settings)
    producer = KafkaBus(settings).producer()
    await producer.start()
    watcher = KafkaConsumer(
        settings, group_id=f"t-{uuid.uuid4().hex}", topics=["chorus.cases.v1"], client_id="t"
    )
    await watcher.start()
    posts = [make_post(text, lang=lang) for _t, _r, lang, text in POSTS]
    seen: dict[str, dict[str, Any]] = {}
    try:
        async with running(app) as client:
            await producer.send_many(encode([post_event(p) for p in posts]))

            async def all_cases() -> Any:
                items = (await client.get("/v1/cases", headers=ADMIN)).json()["items"]
                return {i["latest_post_id"]: i for i in items} if len(items) == len(posts) else None

            cases = await wait_for(all_cases, timeout=60, what="every post's case")

            async def assigned_events() -> bool:
                for rec in await watcher.getmany(200, 500):
                    env = Envelope.from_bytes(rec.value)
                    if env.type == "case.assigned":
                        seen[env.payload["latest_post_id"]] = env.payload["decision"]
                return len(seen) == len(posts)

            await wait_for(assigned_events, timeout=60, what="case.assigned of every case")
            german = cases[posts[-1].id]
            lead = auth("lead", member_id="sam", teams=("support",))
            r = await client.get(f"/v1/cases/{german['id']}", headers=ADMIN)
            r = await client.post(
                f"/v1/cases/{german['id']}/transfer",
                json={"team": "legal", "reason": "image rights"},
                headers={**lead, "If-Match": r.headers["etag"]},
            )
            assert r.status_code == 200, r.text
            corrections = (await client.get("/v1/intent/corrections", headers=ADMIN)).json()
    finally:
        await watcher.stop()
        await producer.stop()

    version = shipped_model().version
    for post, (team, rule, lang, text) in zip(posts, POSTS, strict=True):
        case = cases[post.id]
        d = case["decision"]
        assert (case["team"], d["owner_rule"]) == (team, rule), (text, d["intent"])
        assert seen[post.id]["intent"] == d["intent"], "the case event carries the record"
        if rule == "support-refund":
            assert d["intent"] is None and "intent not needed" in d["notes"][0]
            continue
        assert d["intent"]["model_version"] == version and d["intent"]["evidence"]
        assert d["intent"]["supported_language"] is (lang != "de")
        assert d["intent"]["decided"] is rule.startswith("intent-")
    assert corrections["by_intent"] == {"legal": 1}
    (fix,) = corrections["items"]
    assert (fix["lang"], fix["team"], fix["from_team"], fix["source"]) == (
        "de",
        "legal",
        "support",
        "transfer",
    )
