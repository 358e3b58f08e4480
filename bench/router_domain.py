"""Routing decisions per second of the pure domain (rules + crisis check + assignment), no I/O.

Called by ``make bench``: ``routing_decisions_per_second(n)``.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from datetime import UTC, datetime
from typing import Any

from chorus_common.contracts.events import Author, Metrics, Post, Signals
from chorus_router.casework.assignment import Choice
from chorus_router.casework.load import LoadBook, LoadWeights
from chorus_router.directory.demo import MEMBERS, TEAMS
from chorus_router.directory.roster import Directory, Team, member_from_row
from chorus_router.routing.decision import Classification, assign, classify, record
from chorus_router.routing.defaults import default_rules
from chorus_router.routing.evaluate import RuleSet

_TEXTS = [
    ("My parcel never arrived and nobody answers, I want a refund now", "en", "negative"),
    ("Mon colis n'a toujours pas été livré, c'est la troisième fois", "fr", "negative"),
    ("Loved the new flavour, you guys are amazing!", "en", "positive"),
    ("Petite suggestion : vous devriez proposer un mode sombre", "fr", "neutral"),
    ("My lawyer will hear about this, see you in court", "en", "negative"),
    ("Journaliste au Monde, je prépare un article sur le rappel", "fr", "neutral"),
    ("Everyone should boycott this brand after that scandal", "en", "negative"),
    ("I can't log into my account since yesterday", "en", "negative"),
    ("Free followers, click here", "en", "neutral"),
    ("Just saw your billboard on the highway", "en", "neutral"),
]
# No keyword or signal rule of the default set matches these: each goes to the classifier.
NO_KEYWORD_TEXTS = [
    ("Hi, I'm with the Guardian's money desk, could someone call me back today?", "en",
     "neutral"),
    ("Your new billboard shows my photo and nobody ever asked me", "en", "negative"),
    ("Please bring back the old recipe, the new one tastes of cardboard", "en", "negative"),
    ("The kettle I got from you sparked and scorched my hand", "en", "negative"),
    ("Ici France Inter : pouvez-vous réagir à la fuite du mémo interne ?", "fr", "neutral"),
    ("Vous utilisez ma photo dans votre pub sans mon accord", "fr", "negative"),
    ("Le nouveau flacon est magnifique, ce vert sapin est parfait", "fr", "positive"),
    ("Quelqu'un sait à quelle heure ouvre le magasin de Lyon samedi ?", "fr", "neutral"),
]  # fmt: skip


def _posts(n: int, seed: int = 1, keywordless: bool = False) -> list[Post]:
    """``keywordless``: texts only the classifier routes, each made distinct (a number)."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    followers = (10, 500) if keywordless else (10, 500, 80_000)  # 80,000: an influencer rule
    out = []
    for i in range(n):
        text, lang, label = rng.choice(NO_KEYWORD_TEXTS if keywordless else _TEXTS)
        if keywordless:
            text = f"{text} {i}"
        kind = rng.choice(("post", "comment", "dm", "mention"))
        out.append(
            Post(
                id=f"x:{i}",
                platform="x",
                channel="@brand",
                kind=kind,
                native_id=str(i),
                thread_id=f"x:{i}",
                author=Author(id=f"a{i}", followers=rng.choice(followers)),
                text=text,
                lang=lang,
                created_at=now,
                received_at=now,
                metrics=Metrics(likes=rng.randrange(50)),
                signals=Signals(sentiment_label=label),
            )
        )
    return out


class SeedDomain:
    """The routing domain on its defaults, no I/O: the default rules with the shipped intent
    model, the seed directory and a load book kept busy but never full (the oldest of 150
    open cases is resolved)."""

    OPEN_KEPT = 150

    def __init__(self) -> None:
        from chorus_router.intent.package import PackagedKit

        self.classifier = PackagedKit().shipped()
        self.rules = RuleSet(default_rules(), version=1)
        self.directory = Directory.of(
            [Team(t["id"], t["name"], t["lead"]) for t in TEAMS],
            [member_from_row({**m, "working_hours": []}) for m in MEMBERS],
        )
        self.weights = LoadWeights()
        self.book = LoadBook()
        self.open: deque[tuple[str, float, bool]] = deque()

    def decide(self, post: Post, now: datetime) -> tuple[Classification, Choice]:
        """Classify ``post`` and choose its owner (the choice takes its place in the book)."""
        c = classify(
            post,
            self.rules,
            weights=self.weights,
            default_team="support",
            classifier=self.classifier,
        )
        return c, assign(c, self.directory, self.book, now)

    def keep_busy(self, c: Classification, choice: Choice) -> None:
        """Count the case as open; the oldest open case is resolved past ``OPEN_KEPT``."""
        if choice.member is not None:
            self.open.append((choice.member, c.weight, not c.never_alone))
        if len(self.open) > self.OPEN_KEPT:
            m, w, solid = self.open.popleft()
            self.book.remove(m, w, solid=solid)


def routing_decisions_per_second(n: int) -> dict[str, Any]:
    """Classify and assign ``n`` posts against the default rules and seed directory."""
    domain = SeedDomain()
    posts = _posts(n)
    lat = []
    now = datetime.now(UTC)
    clock = time.perf_counter_ns
    started = clock()
    for post in posts:
        t0 = clock()
        c, choice = domain.decide(post, now)
        record(c, choice, now)
        lat.append(clock() - t0)
        domain.keep_busy(c, choice)
    elapsed = (clock() - started) / 1e9
    lat.sort()
    return {
        "n": n,
        "decisions_per_second": round(n / elapsed, 1),
        "p50_us": round(lat[len(lat) // 2] / 1000, 1),
        "p99_us": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))] / 1000, 1),
    }


def intent_cost() -> dict[str, Any]:
    """The shipped intent classifier's CPU per post, beside the default rules' evaluation, on
    the corpus's held-out posts (578 real-looking posts in English and French, each distinct):
    once on a freshly loaded model (every word new to its cache), then again."""
    from chorus_router.intent.package import PackagedKit
    from chorus_signals.intent import corpus

    kit = PackagedKit()
    model = kit.load(kit.shipped().to_bytes())
    texts = [(e.text, e.lang) for e in corpus("heldout")]
    rules = RuleSet(default_rules(), version=1)
    now = datetime.now(UTC)
    posts = [
        Post(id=f"x:{i}", platform="x", channel="@brand", kind="post", native_id=str(i),
             thread_id=f"x:{i}", author=Author(id=f"a{i}"), text=t, lang=lang,
             created_at=now, received_at=now)
        for i, (t, lang) in enumerate(texts)
    ]  # fmt: skip
    clock = time.perf_counter

    def per_post(fn: Any) -> float:
        started = clock()
        for p in posts:
            fn(p)
        return round(1e6 * (clock() - started) / len(posts), 1)

    first = per_post(lambda p: model.classify(p.text, p.lang))
    again = min(per_post(lambda p: model.classify(p.text, p.lang)) for _ in range(3))
    evaluated = min(per_post(rules.evaluate) for _ in range(3))
    return {
        "posts": len(posts),
        "classifier_first_seen_us": first,
        "classifier_us": again,
        "rules_us": evaluated,
        "model": model.version,
    }


def main() -> None:
    import sys
    import tempfile

    print(routing_decisions_per_second(20000))
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    with tempfile.TemporaryDirectory() as tmp:
        print(pipeline_posts_per_second(n, f"sqlite+aiosqlite:///{tmp}/bench.db"))


async def _pipeline(
    n: int, database_url: str, batch: int, accountability: bool, intent: str, keywordless: bool
) -> dict[str, Any]:
    from chorus_common.contracts.events import PostReceived
    from chorus_common.messaging.bus.base import OutMessage
    from chorus_common.messaging.bus.memory import MemoryBroker
    from chorus_common.messaging.envelope import event_key, make_event
    from chorus_router import models
    from chorus_router.app import create_app
    from chorus_router.settings import RouterSettings
    from sqlalchemy import func, select, update

    broker = MemoryBroker(partitions=4)
    overrides: dict[str, Any] = {
        "database_url": database_url,
        "kafka_max_poll_records": batch,
        "log_level": "WARNING",
        "router_release_seconds": 60,
        "router_sla_check_seconds": 3600,
        "router_intent": intent,
    }
    if not accountability:
        overrides["router_accountability"] = {"record_posts": False}
    settings = RouterSettings.model_validate(overrides)
    app = create_app(settings, bus=broker)
    core = app.state.core
    if not accountability:
        core.before_commit.clear()
    async with app.router.lifespan_context(app):
        async with core.unit() as uow:  # room for everyone: measure routing, not queueing
            await uow.session.execute(update(models.members).values(capacity=1_000_000))
            await uow.session.execute(
                update(models.versions).values(version=models.versions.c.version + 1)
            )
        msgs = []
        for post in _posts(n, seed=3, keywordless=keywordless):
            env = make_event("post.received", PostReceived(post=post), producer="bench")
            msgs.append(OutMessage(env.topic, event_key(env).encode(), env.to_bytes()))
        started = time.perf_counter()
        cpu_started = time.process_time()
        await broker.append(msgs)
        done = 0
        while done < n:
            await asyncio.sleep(0.05)
            async with core.runtime.sessionmaker() as s:
                done = (
                    await s.execute(select(func.count()).select_from(models.cases))
                ).scalar_one()
        routed = time.perf_counter() - started
        while len(broker.records("chorus.cases.v1")) < 2 * n:
            await asyncio.sleep(0.05)
        published = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    return {
        "n": n,
        "accountability": accountability,
        "intent": intent,
        "keywordless": keywordless,
        "posts_per_cpu_second": round(n / cpu, 1),
        "database": database_url.split(":", 1)[0],
        "routed_posts_per_second": round(n / routed, 1),
        "published_posts_per_second": round(n / published, 1),
    }


def pipeline_posts_per_second(
    n: int,
    database_url: str,
    batch: int = 500,
    accountability: bool = True,
    intent: str = "on",
    keywordless: bool = False,
) -> dict[str, Any]:
    """Posts routed per second through the consumer, database and outbox (memory bus);
    ``accountability=False`` leaves out issue 7's hand-off log and routed-post archive;
    ``intent``: ``ROUTER_INTENT``; ``keywordless``: posts only the classifier routes."""
    return asyncio.run(_pipeline(n, database_url, batch, accountability, intent, keywordless))


if __name__ == "__main__":
    main()
