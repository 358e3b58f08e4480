"""Deterministic, realistic traffic for analytics benchmarks: posts with the case and reply
events router and responder would emit for them, edits, late posts and redeliveries.

Arrival order mimics the live system: a post, then (milliseconds later) its case events.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chorus_analytics import models
from chorus_common.contracts.events import (
    Author,
    CaseEvent,
    HandOff,
    Metrics,
    Post,
    PostReceived,
    ReplyEvent,
    Signals,
    TimeInHands,
)
from chorus_common.contracts.timebuckets import as_utc
from chorus_common.messaging.envelope import Envelope, make_event
from sqlalchemy import func, select

from services.analytics.tests.analytics_kit import T0

PLATFORMS = ("x", "facebook", "instagram", "google_business", "youtube", "reddit")
KINDS = ("mention", "comment", "review", "post", "dm")
LANGS = ("en", "en", "en", "fr", "de", "es")
TEAMS = ("support", "pr", "legal", "brand")
WORDS = [f"kw{i}" for i in range(60)]
TEXTS = (
    "My order {i} never arrived, where is my delivery? #late",
    "Je veux être remboursé, la commande {i} est arrivée cassée #remboursement",
    "Love the new flavour, great job team! #yum #new",
    "I will sue you if my data is not deleted under GDPR (ref {i})",
    "Idea: a family size pack would be awesome {i}",
)


@dataclass
class Traffic:
    """The events in arrival order and what they should add up to."""

    events: list[Envelope] = field(default_factory=list)
    posts: int = 0  # post.received events (including edits and redeliveries)
    distinct_posts: int = 0
    team_of_post: dict[str, str] = field(default_factory=dict)


def _decision(rng: random.Random, team: str, priority: str) -> dict[str, Any]:
    return {
        "decided_at": T0.isoformat(),
        "rules_version": 7,
        "owner_rule": f"rule-{team}",
        "matched": [{"rule": f"rule-{team}", "team": team, "why": "keyword match"}],
        "near_misses": [{"rule": "rule-brand", "missing": ["lang"]}],
        "crisis": None,
        "notes": [],
        "team": team,
        "collaborators": [],
        "priority": priority,
        "sla_minutes": 60,
        "approvals": ["legal"] if team == "legal" else [],
        "skills": ["billing"],
        "weight": 1.0,
        "assignment": {"member": f"m{rng.randrange(40)}", "reason": "least loaded", "load": 3},
    }


def generate(n_posts: int, seed: int = 11) -> Traffic:
    """``n_posts`` post.received events and the case/reply events that go with them."""
    rng = random.Random(seed)
    out = Traffic()
    ids = iter(range(1, 10**9))
    cases: list[dict[str, Any]] = []  # open threads: case state router would carry
    post_of: dict[str, PostReceived] = {}
    case_of: dict[str, dict[str, Any]] = {}
    redeliver: list[tuple[int, Envelope]] = []

    def emit(type_: str, payload: Any, when: Any) -> None:
        env = make_event(type_, payload, producer="bench")
        env = env.model_copy(update={"event_id": uuid.UUID(int=next(ids)), "occurred_at": when})
        out.events.append(env)
        if rng.random() < 0.02:  # a redelivery, a few hundred events later
            redeliver.append((len(out.events) + rng.randrange(50, 600), env))
            redeliver.sort(key=lambda d: d[0])
        while redeliver and redeliver[0][0] <= len(out.events):
            out.events.append(redeliver.pop(0)[1])

    def case_event(type_: str, case: dict[str, Any], when: Any) -> None:
        case["version"] += 1
        fields = {k: v for k, v in case.items() if k != "version" and not k.startswith("_")}
        emit(type_, CaseEvent(**fields, **_hands(case, type_, when), version=case["version"]), when)

    def _hands(case: dict[str, Any], type_: str, when: Any) -> dict[str, Any]:
        """Router's cumulative time in hands and hand-off chain (from the second version)."""
        held, chain = case.setdefault("_held", {}), case.setdefault("_chain", [])
        owner = (case["team"], case.get("assignee"))
        if not chain or (chain[-1].to_team, chain[-1].to_member) != owner:
            frm = (chain[-1].to_team, chain[-1].to_member) if chain else (None, None)
            chain.append(
                HandOff(
                    at=when,
                    event=type_,
                    from_team=frm[0],
                    from_member=frm[1],
                    to_team=owner[0],
                    to_member=owner[1],
                )
            )
        if case["version"] < 2:
            return {}
        state = "waiting_customer" if case["status"] == "resolved" else "open"
        held[(*owner, state)] = held.get((*owner, state), 0.0) + case["version"] * 30.0
        return {
            "handoffs": tuple(chain),
            "time_in_hands": tuple(
                TimeInHands(team=t, member=m, state=st, seconds=v) for (t, m, st), v in held.items()
            ),
            "time_in_hands_at": when,
        }

    for i in range(n_posts):
        created = T0 + timedelta(seconds=i * 0.2)
        if rng.random() < 0.02:
            created -= timedelta(hours=3)  # a late post lands in its own bucket
        now = T0 + timedelta(seconds=i * 0.2 + 1)
        if post_of and rng.random() < 0.04:  # an edit of a recent post
            old = post_of[rng.choice(list(post_of)[-300:])]
            edited = old.post.model_copy(
                update={"metrics": Metrics(likes=old.post.metrics.likes + rng.randrange(1, 50))}
            )
            pr = PostReceived(post=edited, is_update=True, revision=old.revision + 1)
            post_of[edited.id] = pr
            emit("post.received", pr, now)
            out.posts += 1
            continue
        follow = bool(cases) and rng.random() < 0.25
        case = rng.choice(cases[-200:]) if follow else None
        thread = case["thread_id"] if case else f"th{i}"
        platform = case["platform"] if case else rng.choice(PLATFORMS)
        label = rng.choice(("negative", "neutral", "positive", None))
        post = Post(
            id=f"{platform}:n{i}",
            platform=platform,
            channel=case["channel"] if case else f"ch{rng.randrange(12)}",
            kind=rng.choice(KINDS),
            native_id=f"n{i}",
            url=f"https://example.com/p/{i}",
            thread_id=thread,
            author=Author(
                id=f"u{rng.randrange(3000)}",
                handle=f"@user{i % 3000}",
                display_name=f"User {i % 3000}",
                followers=rng.randrange(50_000),
            ),
            text=rng.choice(TEXTS).format(i=i),
            lang=rng.choice(LANGS),
            created_at=created,
            received_at=now,
            metrics=Metrics(
                likes=rng.randrange(100), shares=rng.randrange(10), views=rng.randrange(5000)
            ),
            signals=Signals(
                sentiment_label=label,
                sentiment_score=round(rng.uniform(-1, 1), 3),
                keywords=tuple(rng.sample(WORDS, rng.randrange(0, 3))),
            ),
        )
        pr = PostReceived(post=post)
        post_of[post.id] = pr
        emit("post.received", pr, now)
        out.posts += 1
        out.distinct_posts += 1
        if case is None:
            team, priority = rng.choice(TEAMS), rng.choice(("P1", "P2", "P3", "P3"))
            case = {
                "case_id": f"case-{i}",
                "thread_id": thread,
                "status": "new",
                "team": team,
                "priority": priority,
                "platform": platform,
                "channel": post.channel,
                "post_ids": (post.id,),
                "latest_post_id": post.id,
                "post_received_at": now,
                "opened_at": now,
                "sla_due_at": now + timedelta(hours=1),
                "decision": _decision(rng, team, priority),
                "reason": f"{team} {priority} by rule-{team}; least loaded",
                "version": 0,
            }
            cases.append(case)
            case_event("case.opened", case, now + timedelta(milliseconds=5))
            case.update(status="assigned", assignee=f"m{rng.randrange(40)}")
            case_event("case.assigned", case, now + timedelta(milliseconds=6))
        else:
            case["post_ids"] = (*case["post_ids"], post.id)[-20:]
            case["latest_post_id"] = post.id
            case_event("case.updated", case, now + timedelta(milliseconds=5))
        r = rng.random()
        if r < 0.03:  # moved to another team: its posts move with it
            before = case.get("assignee")
            case.update(team=rng.choice(TEAMS), assignee=f"m{rng.randrange(40)}")
            case["previous_assignee"] = before
            case_event("case.reassigned", case, now + timedelta(milliseconds=7))
            case.pop("previous_assignee")
        elif r < 0.10:  # answered (and sometimes resolved)
            rid = f"r{i}"
            team = str(case["team"])
            common = {"team": team, "platform": platform, "author_member_id": case.get("assignee")}
            emit(
                "reply.drafted",
                ReplyEvent(reply_id=rid, case_id=case["case_id"], status="draft", **common),
                now,
            )
            emit(
                "reply.sent",
                ReplyEvent(reply_id=rid, case_id=case["case_id"], status="sent", **common),
                now + timedelta(seconds=1),
            )
            if r < 0.05:
                case["status"] = "resolved"
                case_event("case.resolved", case, now + timedelta(seconds=2))
        case_of[post.id] = case
    out.events.extend(env for _, env in redeliver)
    out.team_of_post = {pid: str(case["team"]) for pid, case in case_of.items()}
    return out


TABLES = [t for name, t in sorted(models.metadata.tables.items()) if name != "analytics_outbox"]


async def check(app: Any, traffic: Traffic) -> None:
    """The aggregates add up to the traffic: every post once, in its case's final team."""
    pb = models.post_buckets
    day = pb.c.grain == "d"
    async with app.state.runtime.sessionmaker() as s:
        total = (await s.execute(select(func.sum(pb.c.posts)).where(day))).scalar()
        by_team = dict(
            (
                await s.execute(
                    select(pb.c.team, func.sum(pb.c.posts)).where(day).group_by(pb.c.team)
                )
            ).all()
        )
    expected: dict[str, int] = {}
    for team in traffic.team_of_post.values():
        expected[team] = expected.get(team, 0) + 1
    assert total == traffic.distinct_posts, (total, traffic.distinct_posts)
    assert {k: v for k, v in by_team.items() if v} == expected, (by_team, expected)


async def snapshot(app: Any) -> dict[str, list[list[Any]]]:
    """Every analytics table, sorted, comparable across databases and runs (floats to 6
    places, times as naive UTC, the processed-at time and all-zero bucket rows left out:
    a contribution added then moved away within one batch leaves no row)."""
    out: dict[str, list[list[Any]]] = {}
    async with app.state.runtime.sessionmaker() as s:
        for t in TABLES:
            cols = [c for c in t.columns if c.name != "processed_at"]
            rows = (await s.execute(select(*cols))).all()
            keys = len(t.primary_key.columns)
            out[t.name] = sorted(
                (
                    [_plain(v) for v in r]
                    for r in rows
                    if not t.name.endswith("_buckets") or any(r[keys:])
                ),
                key=repr,
            )
    return out


def _plain(v: Any) -> Any:
    if isinstance(v, float):
        return round(v, 6)
    if isinstance(v, datetime):
        return as_utc(v).replace(tzinfo=None).isoformat()
    return v
