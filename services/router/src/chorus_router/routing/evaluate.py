"""Evaluate an ordered rule set against a post: matches, near misses and the merged actions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from chorus_common.contracts.events import Post

from chorus_router.intent.verdict import Classifier
from chorus_router.routing.conditions import CONDITIONS
from chorus_router.routing.conditions.base import Check, Reason
from chorus_router.routing.postview import PhraseIndex, PostView
from chorus_router.routing.rules import Rule
from chorus_router.routing.text import stems

PRIORITY_RANK = {"P1": 1, "P2": 2, "P3": 3, "P4": 4}


@dataclass(frozen=True, slots=True)
class RuleHit:
    id: str
    name: str
    team: str
    priority: str
    why: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NearMiss:
    id: str
    name: str
    missed: str


@dataclass(slots=True)
class RuleOutcome:
    """The merged actions of the matching rules (owner = first match in rule order)."""

    matched: list[RuleHit] = field(default_factory=list)
    near_misses: list[NearMiss] = field(default_factory=list)
    owner_rule: str | None = None
    team: str | None = None
    collaborators: list[str] = field(default_factory=list)
    priority: str = "P3"
    sla_minutes: int = 1440
    tags: list[str] = field(default_factory=list)
    approvals: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    never_alone: bool = False
    # "none" (no rule needs an intent), "not needed" (a rule without one matched), "evaluated"
    intent_rules: str = "none"
    by_intent: bool = False  # the owner rule is one with an intent condition


@dataclass(slots=True)
class CompiledRule:
    rule: Rule
    position: int
    checks: list[tuple[str, Check]]
    reasons: list[Reason]  # why the rule matched, one per shown condition

    @property
    def needs_intent(self) -> bool:
        return self.rule.when.needs_intent


def compile_rule(rule: Rule, position: int) -> CompiledRule:
    """The checks of the conditions the rule gives, in ``CONDITIONS`` order."""
    checks: list[tuple[str, Check]] = []
    reasons: list[Reason] = []
    for c in CONDITIONS:
        check = c.check(rule.when)
        if check is None:
            continue
        checks.append((c.name, check))
        if c.explain is not None:
            reasons.append(c.explain(rule.when))
    return CompiledRule(rule=rule, position=position, checks=checks, reasons=reasons)


class RuleSet:
    """An ordered, compiled rule set (immutable once built).

    Rules without an intent condition are evaluated first; the rules with one only when none
    of those (fallbacks aside) matched, so the classifier never overrides a rule and runs
    only for the posts the other rules leave open. Fallback rules come last."""

    def __init__(self, rules: Sequence[Rule], version: int = 0) -> None:
        self.version = version
        self.rules = tuple(rules)
        self.compiled = [compile_rule(r, i) for i, r in enumerate(rules) if r.enabled]
        self.plain = [cr for cr in self.compiled if not cr.needs_intent]
        self.by_intent = [cr for cr in self.compiled if cr.needs_intent]
        phrases = [p for r in self.compiled for p in (*r.rule.when.keywords, *r.rule.when.exclude)]
        self.index = PhraseIndex(phrases)

    def view(
        self, post: Post, at: datetime | None = None, classifier: Classifier | None = None
    ) -> PostView:
        words = stems(post.text)
        found = self.index.find(words)
        at = at or post.received_at
        return PostView(post, words, found, at, classifier, labels=self.index.labels)

    def evaluate(
        self, post: Post, at: datetime | None = None, classifier: Classifier | None = None
    ) -> RuleOutcome:
        return self.evaluate_view(self.view(post, at, classifier))

    def evaluate_view(self, v: PostView) -> RuleOutcome:
        out = RuleOutcome()
        hits = _match(self.plain, v, out)
        regular = [h for h in hits if not h.rule.then.fallback]
        if self.by_intent:
            if regular:
                out.intent_rules = "not needed"
            else:
                out.intent_rules = "evaluated"
                more = _match(self.by_intent, v, out)
                regular = [h for h in more if not h.rule.then.fallback]
                out.by_intent = bool(regular)
                hits = sorted([*hits, *more], key=lambda h: h.position)
        chosen = regular or hits[:1]
        for cr in chosen:
            out.matched.append(
                RuleHit(
                    cr.rule.id,
                    cr.rule.name,
                    cr.rule.then.team,
                    cr.rule.then.priority,
                    tuple(r(v) for r in cr.reasons) or ("no conditions",),
                )
            )
        if not chosen:
            return out
        owner = chosen[0].rule.then
        out.owner_rule = chosen[0].rule.id
        out.team = owner.team
        out.skills = list(owner.skills)
        out.never_alone = owner.never_alone
        out.priority = min((c.rule.then.priority for c in chosen), key=PRIORITY_RANK.__getitem__)
        out.sla_minutes = min(c.rule.then.sla_minutes for c in chosen)
        for cr in chosen:
            t = cr.rule.then
            for team in (t.team, *t.collaborators):
                if team != out.team and team not in out.collaborators:
                    out.collaborators.append(team)
            for tag in t.tags:
                if tag not in out.tags:
                    out.tags.append(tag)
            for a in t.approvals:
                if a not in out.approvals:
                    out.approvals.append(a)
        return out


def _match(rules: Sequence[CompiledRule], v: PostView, out: RuleOutcome) -> list[CompiledRule]:
    """The rules that hold for ``v``; those that failed on one condition go to near misses."""
    hits: list[CompiledRule] = []
    for cr in rules:
        failed: str | None = None
        failures = 0
        for _name, check in cr.checks:
            why = check(v)
            if why is not None:
                failures += 1
                failed = why
                if failures > 1:
                    break
        if failures == 0:
            hits.append(cr)
        elif failures == 1 and len(cr.checks) > 1:
            out.near_misses.append(NearMiss(cr.rule.id, cr.rule.name, failed or ""))
    return hits
