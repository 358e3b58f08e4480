"""What-if routing: replay recorded posts through a proposed rule set (and roster) and put
the result beside what really happened. Pure: no live case is read or touched.

Each case is replayed from its first post, classified as of its arrival time (so time-of-day
conditions hold), and assigned by the same guarded least-load assignment as live routing.
A replayed case holds its member for as long as the real case stayed open, then frees
them; cases nobody can take wait in their team queue for the next free slot. Response
times are the recorded ones: SLA attainment is projected against the proposed SLA.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from chorus_common.contracts.events import Post

from chorus_router.casework.fairness import figure, guarded_choose
from chorus_router.casework.load import LoadBook, LoadWeights
from chorus_router.directory.roster import Directory
from chorus_router.intent.verdict import Classifier
from chorus_router.routing.decision import Classification, classify
from chorus_router.routing.evaluate import PRIORITY_RANK, RuleSet

QUEUED = "(queued)"


@dataclass(frozen=True, slots=True)
class Outcome:
    team: str
    member: str | None
    priority: str
    sla_minutes: int
    approvals: tuple[str, ...]
    weight: float
    rules: tuple[str, ...] = ()

    def key(self) -> tuple[Any, ...]:
        """What a rule decides (the member depends on load, not on the rules alone)."""
        return (self.team, self.priority, self.sla_minutes, tuple(sorted(self.approvals)))

    def as_dict(self) -> dict[str, Any]:
        return {
            "team": self.team,
            "member": self.member,
            "priority": self.priority,
            "sla_minutes": self.sla_minutes,
            "approvals": list(self.approvals),
            "rules": list(self.rules),
        }


@dataclass(frozen=True, slots=True)
class Recorded:
    case_id: str
    post: Post
    actual: Outcome
    response_seconds: float | None = None
    held_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class Replay:
    rules: RuleSet
    directory: Directory
    weights: LoadWeights
    default_team: str = "support"
    default_sla_minutes: int = 1440
    bound: float | None = 1.5
    enforced: bool = True
    classifier: Classifier | None = None


def at_work(directory: Directory) -> Directory:
    """Everyone on shift (their hours still apply): today's absences say nothing of last week."""
    members = {
        k: replace(m, availability="on_shift", until=None) for k, m in directory.members.items()
    }
    return Directory(directory.teams, members, directory.version)


def _outcome(c: Classification, member: str | None) -> Outcome:
    return Outcome(
        team=c.team,
        member=member,
        priority=c.priority,
        sla_minutes=c.sla_minutes,
        approvals=tuple(c.approvals),
        weight=c.weight,
        rules=tuple(m["rule"] for m in c.matched),
    )


def replay(recorded: Sequence[Recorded], how: Replay) -> list[Outcome]:
    """The proposed outcome of every recorded case, in the order given."""
    directory = at_work(how.directory)
    book = LoadBook()
    per_case = how.weights.per_case
    out: list[Outcome | None] = [None] * len(recorded)
    frees: list[tuple[datetime, int, str, float, bool]] = []
    queue: list[tuple[int, datetime, int, Classification]] = []
    seq = 0

    def assign(i: int, c: Classification, now: datetime) -> bool:
        nonlocal seq
        choice = guarded_choose(
            c.need(),
            directory,
            book,
            now,
            bound=how.bound,
            enforced=how.enforced,
            per_case=per_case,
        )
        if choice.member is None:
            return False
        book.add(choice.member, c.weight, solid=not c.never_alone)
        held = recorded[i].held_seconds
        if held is not None:
            seq += 1
            until = now + timedelta(seconds=max(0.0, held))
            heapq.heappush(frees, (until, seq, choice.member, c.weight, not c.never_alone))
        out[i] = _outcome(c, choice.member)
        return True

    def release(now: datetime) -> None:
        while frees and frees[0][0] <= now:
            at, _s, member, weight, solid = heapq.heappop(frees)
            book.remove(member, weight, solid=solid)
            for entry in sorted(queue):
                if assign(entry[2], entry[3], at):
                    queue.remove(entry)

    order = sorted(range(len(recorded)), key=lambda i: (recorded[i].post.received_at, i))
    for i in order:
        post = recorded[i].post
        release(post.received_at)
        c = classify(
            post,
            how.rules,
            weights=how.weights,
            default_team=how.default_team,
            default_sla_minutes=how.default_sla_minutes,
            at=post.received_at,
            classifier=how.classifier,
        )
        waiting = any(q[3].team == c.team for q in queue) and not c.never_alone
        if waiting or not assign(i, c, post.received_at):
            queue.append((PRIORITY_RANK.get(c.priority, 9), post.received_at, i, c))
            out[i] = _outcome(c, None)
    return [o if o is not None else recorded[k].actual for k, o in enumerate(out)]


def summarise(
    outcomes: Sequence[Outcome],
    recorded: Sequence[Recorded],
    directory: Directory,
    *,
    per_case: float,
    until: datetime,
) -> dict[str, Any]:
    """Cases per team and member, fairness per team, approvals needed, SLA attainment."""
    per_team = Counter(o.team for o in outcomes)
    per_member = Counter(o.member or QUEUED for o in outcomes)
    received: dict[str, list[float]] = {}
    for o in outcomes:
        if o.member:
            received.setdefault(o.member, []).append(o.weight)
    fairness = {}
    for team in sorted(per_team):
        loads = {
            m.id: (sum(received.get(m.id, ())) + per_case * len(received.get(m.id, ())))
            / m.capacity
            for m in directory.members_of(team)
            if m.capacity > 0
        }
        fig = figure(loads)
        fairness[team] = {"ratio": fig.ratio, "gini": fig.gini}
    approvals = Counter(t for o in outcomes for t in o.approvals)
    attained = missed = pending = 0
    for o, r in zip(outcomes, recorded, strict=True):
        limit = o.sla_minutes * 60
        if r.response_seconds is not None:
            if r.response_seconds <= limit:
                attained += 1
            else:
                missed += 1
        elif (until - r.post.received_at).total_seconds() > limit:
            missed += 1
        else:
            pending += 1
    judged = attained + missed
    return {
        "cases_per_team": dict(sorted(per_team.items())),
        "cases_per_member": dict(sorted(per_member.items())),
        "fairness": fairness,
        "approvals_needed": {
            "cases": sum(1 for o in outcomes if o.approvals),
            "by_team": dict(sorted(approvals.items())),
        },
        "sla": {
            "attained": attained,
            "missed": missed,
            "pending": pending,
            "attainment": round(attained / judged, 4) if judged else None,
        },
    }


def changed(
    recorded: Sequence[Recorded], proposed: Sequence[Outcome], limit: int = 100
) -> dict[str, Any]:
    """The cases whose rule outcome (team, priority, SLA, approvals) would differ."""
    items: list[dict[str, Any]] = []
    count = 0
    for r, p in zip(recorded, proposed, strict=True):
        if r.actual.key() == p.key():
            continue
        count += 1
        if len(items) < limit:
            items.append(
                {
                    "case_id": r.case_id,
                    "post_id": r.post.id,
                    "received_at": r.post.received_at.isoformat(),
                    "text": r.post.text[:140],
                    "actual": r.actual.as_dict(),
                    "proposed": p.as_dict(),
                }
            )
    return {"cases": count, "items": items}


def _side(c: Classification) -> dict[str, Any]:
    i = c.intent or {}
    return {
        "team": c.team,
        "priority": c.priority,
        "rule": c.owner_rule,
        "intent": i.get("intent"),
        "confidence": i.get("confidence"),
        "evidence": [e["term"] for e in i.get("evidence", ())],
    }


def model_moves(
    recorded: Sequence[Recorded],
    how: Replay,
    current: Classifier,
    candidate: Classifier,
    limit: int = 50,
) -> dict[str, Any]:
    """Cases whose team the candidate model would change, against the current model under
    the same rules: how many, from which team to which, and examples."""
    by_route: Counter[str] = Counter()
    items: list[dict[str, Any]] = []
    classified = 0

    def run(post: Post, clf: Classifier) -> Classification:
        return classify(
            post,
            how.rules,
            weights=how.weights,
            default_team=how.default_team,
            default_sla_minutes=how.default_sla_minutes,
            at=post.received_at,
            classifier=clf,
        )

    for r in recorded:
        a, b = run(r.post, current), run(r.post, candidate)
        classified += a.intent is not None
        if a.team == b.team:
            continue
        by_route[f"{a.team}→{b.team}"] += 1
        if len(items) < limit:
            items.append(
                {
                    "case_id": r.case_id,
                    "received_at": r.post.received_at.isoformat(),
                    "lang": r.post.lang,
                    "text": r.post.text[:140],
                    "current": _side(a),
                    "candidate": _side(b),
                }
            )
    return {
        "cases": sum(by_route.values()),
        "classified": classified,
        "by_route": dict(by_route.most_common()),
        "items": items,
    }
