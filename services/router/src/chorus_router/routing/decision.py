"""Routing one post: classify it with the rules (and crisis mode), then pick the member.

The decision record kept on every case says which rules matched, which nearly did, what
crisis mode changed, and which candidates were considered and why each was or was not chosen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chorus_common.contracts.events import Post

from chorus_router.casework.assignment import Choice, Need
from chorus_router.casework.fairness import guarded_choose
from chorus_router.casework.load import LoadBook, LoadWeights
from chorus_router.directory.roster import Directory
from chorus_router.intent.verdict import Classifier, Verdict, verdict_record
from chorus_router.routing.crisis import Crisis, first_match
from chorus_router.routing.evaluate import RuleSet

CRISIS_TEAM = "pr"


@dataclass(slots=True)
class Classification:
    """What the rules (and crisis mode) say about a post, before picking a person."""

    team: str
    collaborators: list[str]
    priority: str
    sla_minutes: int
    tags: list[str]
    approvals: list[str]
    skills: list[str]
    never_alone: bool
    weight: float
    language: str | None
    platform: str
    rules_version: int
    matched: list[dict[str, Any]] = field(default_factory=list)
    near_misses: list[dict[str, Any]] = field(default_factory=list)
    owner_rule: str | None = None
    crisis: str | None = None
    notes: list[str] = field(default_factory=list)
    intent: dict[str, Any] | None = None  # the classifier's verdict, when it was asked

    def need(self) -> Need:
        return Need.of(self)


def classify(
    post: Post,
    rules: RuleSet,
    *,
    weights: LoadWeights,
    default_team: str,
    default_sla_minutes: int = 1440,
    crises: tuple[Crisis, ...] = (),
    crisis_team: str = CRISIS_TEAM,
    at: datetime | None = None,
    classifier: Classifier | None = None,
    explain_intent: bool = False,
) -> Classification:
    """``classifier``: asked only when a rule needs the intent, or always with
    ``explain_intent`` (simulation: the verdict is shown even when a rule decided)."""
    view = rules.view(post, at, classifier)
    out = rules.evaluate_view(view)
    notes: list[str] = []
    team = out.team
    if team is None:
        team = default_team
        notes.append(f"no rule matched: default team {default_team}")
    if explain_intent:
        view.intent()
    verdict = view.verdict
    notes += _intent_notes(out.intent_rules, classifier is None, verdict, post.lang)
    c = Classification(
        team=team,
        collaborators=list(out.collaborators),
        priority=out.priority if out.team else "P3",
        sla_minutes=out.sla_minutes if out.team else default_sla_minutes,
        tags=list(out.tags),
        approvals=list(out.approvals),
        skills=list(out.skills),
        never_alone=out.never_alone,
        weight=0.0,
        language=post.lang,
        platform=post.platform,
        rules_version=rules.version,
        matched=[
            {"rule": h.id, "name": h.name, "team": h.team, "priority": h.priority, "why": h.why}
            for h in out.matched
        ],
        near_misses=[{"rule": n.id, "name": n.name, "missed": n.missed} for n in out.near_misses],
        owner_rule=out.owner_rule,
        notes=notes,
        intent=verdict_record(verdict, decided=out.by_intent) if verdict is not None else None,
    )
    crisis = first_match(crises, view) if crises else None
    if crisis is not None:
        _crisis_mode(c, crisis.subject, crisis_team)
    c.weight = weights.weight(c.priority, post.kind, post.author.followers)
    return c


def _intent_notes(
    intent_rules: str, off: bool, verdict: Verdict | None, lang: str | None
) -> list[str]:
    """What the decision record says about the intent classifier's part."""
    if intent_rules == "not needed":
        return ["intent not needed: a rule without an intent condition matched"]
    if intent_rules == "evaluated" and off:
        return ["intent classification is off: rules with an intent condition cannot match"]
    if verdict is not None and not verdict.supported_language:
        return [
            f"language {lang or 'unknown'} is not one the intent classifier knows: "
            "rules with an intent condition do not match"
        ]
    return []


def _crisis_mode(c: Classification, subject: str, crisis_team: str) -> None:
    """A crisis takes the case: the crisis team owns it, P1, an hour at most, its approval."""
    c.crisis = subject
    if c.team != crisis_team:
        c.collaborators = [t for t in [c.team, *c.collaborators] if t != crisis_team]
        c.team = crisis_team
        c.skills = []
        c.never_alone = False
    c.priority = "P1"
    c.sla_minutes = min(c.sla_minutes, 60)
    if "crisis" not in c.tags:
        c.tags.append("crisis")
    if crisis_team not in c.approvals:
        c.approvals.append(crisis_team)
    c.notes.append(f"crisis mode ({subject}): owner {crisis_team}, P1")


def assign(
    c: Classification,
    directory: Directory,
    book: LoadBook,
    now: datetime,
    *,
    prefer: str | None = None,
    exclude: tuple[str, ...] = (),
    per_case: float = 1.0,
    bound: float | None = None,
    enforced: bool = True,
) -> Choice:
    """Choose the member and book the load on them (nothing booked when the case queues);
    ``bound``: the fairness guard (:mod:`chorus_router.casework.fairness`)."""
    choice = guarded_choose(
        c.need(),
        directory,
        book,
        now,
        prefer=prefer,
        exclude=exclude,
        per_case=per_case,
        bound=bound,
        enforced=enforced,
    )
    if choice.member is not None:
        book.add(choice.member, c.weight, solid=not c.never_alone)
    return choice


def record(c: Classification, choice: Choice | None, decided_at: datetime) -> dict[str, Any]:
    """The decision record stored on the case and carried on its events."""
    return {
        "decided_at": decided_at.isoformat(),
        "rules_version": c.rules_version,
        "owner_rule": c.owner_rule,
        "matched": c.matched,
        "near_misses": c.near_misses,
        "crisis": c.crisis,
        "notes": c.notes,
        "intent": c.intent,
        "team": c.team,
        "collaborators": c.collaborators,
        "priority": c.priority,
        "sla_minutes": c.sla_minutes,
        "approvals": c.approvals,
        "skills": c.skills,
        "weight": c.weight,
        "assignment": choice.as_dict() if choice is not None else None,
    }


def summary(c: Classification, choice: Choice | None) -> str:
    """One line: why this team and this person."""
    rules = ", ".join(m["rule"] for m in c.matched) or "no rule"
    who = "queued" if choice is None or choice.member is None else choice.member
    crisis = f"; crisis {c.crisis}" if c.crisis else ""
    i = c.intent
    intent = f" (intent {i['intent']} {i['confidence']:.2f})" if i and i["decided"] else ""
    return (
        f"{c.team} {c.priority} by {rules}{intent}{crisis}; "
        f"{who}: {choice.reason if choice else ''}"
    )
