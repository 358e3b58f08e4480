"""The router with the shipped intent model on the real broker, SQLite and PostgreSQL: each
intent in English and French reaches its team, the decision record explains it on the cases
API and on the case events, and a lead's transfer is stored as a correction."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from chorus_common.messaging.bus.kafka import KafkaConsumer
from chorus_common.messaging.envelope import Envelope
from chorus_common.runtime import KafkaBus
from chorus_router.app import create_app
from chorus_router.intent.verdict import INTENTS
from chorus_router.settings import RouterSettings
from chorus_signals.intent import shipped_model

from services.router.tests.intent_data import MINE, TEAM, decide
from services.router.tests.router_support import encode, make_post, post_event
from tests.support.fixtures import FAST_KAFKA_ENV, auth, running
from tests.support.wait import wait_for

ADMIN = auth("admin")


def _posts() -> list[tuple[str, str, str, str]]:
    """(team, owner rule, lang, text): for each intent and language, the first phrasing of
    data/intent_phrasings.jsonl that the router's decision, computed here with the same model,
    routes to the intent's team (how often it does is test_router_intent_phrasings'); then a
    keyword post and a post in a language the classifier does not know."""
    out = []
    for intent in INTENTS:
        for lang in ("en", "fr"):
            for ex in MINE:
                if (ex["intent"], ex["lang"]) != (intent, lang):
                    continue
                c = decide(ex)
                if c.team == TEAM[intent] and c.owner_rule:
                    out.append((c.team, c.owner_rule, lang, ex["text"]))
                    break
    return [
        *out,
        ("support", "support-refund", "en", "Where is my refund?"),
        ("support", "catch-all", "de", "Ihre Werbung benutzt mein Foto ohne meine Erlaubnis"),
    ]


POSTS = _posts()


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

    assert len(POSTS) == 12, "every intent in both languages, a keyword post, a German one"
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
