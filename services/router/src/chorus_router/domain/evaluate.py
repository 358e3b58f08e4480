"""Evaluate an ordered rule set against a post: matches, near misses and the merged actions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from chorus_common.contracts.events import Post
from chorus_router.domain.intent import Classifier, Verdict
from chorus_router.domain.rules import HoursCondition, Range, Rule, SentimentCondition, When
from chorus_router.domain.text import phrase_stems, stems

PRIORITY_RANK = {"P1": 1, "P2": 2, "P3": 3, "P4": 4}


class PhraseIndex:
    """Every rule phrase, indexed by its first stem, matched in one pass over a post's words."""

    def __init__(self, phrases: Sequence[str]) -> None:
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        self.labels: dict[tuple[str, ...], str] = {}
        for p in phrases:
            st = phrase_stems(p)
            if st in self.labels:
                continue
            self.labels[st] = p
            self.by_first.setdefault(st[0], []).append(st)

    def find(self, words: Sequence[str]) -> set[tuple[str, ...]]:
        found: set[tuple[str, ...]] = set()
        n = len(words)
        by_first = self.by_first
        for i, w in enumerate(words):
            cands = by_first.get(w)
            if not cands:
                continue
            for ph in cands:
                k = len(ph)
                if k == 1 or (
                    i + k <= n and all(p == "*" or p == words[i + j] for j, p in enumerate(ph) if j)
                ):
                    found.add(ph)
        return found


@dataclass(slots=True)
class PostView:
    """What conditions look at, computed once per post; the intent only when first asked."""

    post: Post
    words: list[str]
    found: set[tuple[str, ...]]
    at: datetime
    classifier: Classifier | None = None
    verdict: Verdict | None = None
    classified: bool = False

    @property
    def engagement(self) -> int:
        m = self.post.metrics
        return m.likes + m.shares + m.replies

    def intent(self) -> Verdict | None:
        """The classifier's verdict (None when classification is off), computed at most once."""
        if not self.classified:
            self.classified = True
            if self.classifier is not None:
                self.verdict = self.classifier.classify(self.post.text, self.post.lang)
        return self.verdict


Check = Callable[[PostView], str | None]  # None when the condition holds, else why not


def _range(name: str, r: Range, get: Callable[[PostView], float | None]) -> Check:
    def check(v: PostView) -> str | None:
        x = get(v)
        if x is None:
            return f"{name}: unknown"
        if r.min is not None and x < r.min:
            return f"{name}: {x:g} < {r.min:g}"
        if r.max is not None and x > r.max:
            return f"{name}: {x:g} > {r.max:g}"
        return None

    return check


def _one_of(name: str, allowed: Sequence[str], get: Callable[[PostView], str | None]) -> Check:
    wanted = frozenset(allowed)

    def check(v: PostView) -> str | None:
        x = get(v)
        return None if x in wanted else f"{name}: {x} not in {sorted(wanted)}"

    return check


def _sentiment(c: SentimentCondition) -> Check:
    labels = frozenset(c.labels)

    def check(v: PostView) -> str | None:
        s = v.post.signals
        if labels and s.sentiment_label not in labels:
            return f"sentiment: {s.sentiment_label or 'unknown'} not in {sorted(labels)}"
        score = s.sentiment_score
        if c.min is not None and (score is None or score < c.min):
            return f"sentiment: score {score} < {c.min}"
        if c.max is not None and (score is None or score > c.max):
            return f"sentiment: score {score} > {c.max}"
        return None

    return check


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def _hours(c: HoursCondition) -> Check:
    tz = ZoneInfo(c.tz)
    start, end = _minutes(c.start), _minutes(c.end)
    days = frozenset(c.days)

    def check(v: PostView) -> str | None:
        local = v.at.astimezone(tz)
        mins = local.hour * 60 + local.minute
        inside = start <= mins < end if start < end else (mins >= start or mins < end)
        if days and local.weekday() not in days:
            return f"hours: {local.strftime('%a')} not in days"
        if not inside:
            return f"hours: {local.time().strftime('%H:%M')} outside {c.start}-{c.end} {c.tz}"
        return None

    return check


def _keywords(phrases: Sequence[str], exclude: bool) -> tuple[Check, tuple[tuple[str, ...], ...]]:
    keys = tuple(phrase_stems(p) for p in phrases)
    key_set = frozenset(keys)

    def check(v: PostView) -> str | None:
        hit = not key_set.isdisjoint(v.found)
        if exclude:
            return "exclude: an excluded phrase is present" if hit else None
        return None if hit else "keywords: none present"

    return check, keys


def _intent_miss(v: PostView, wanted: frozenset[str], names: str) -> str | None:
    r = v.intent()
    if r is None:
        return "intent: classification is off"
    if not r.supported_language:
        return f"intent: language {v.post.lang or 'unknown'} is not one the classifier knows"
    if r.intent not in wanted:
        return f"intent: {r.intent} ({r.confidence:.2f}), not {names}"
    return None


def _intent(w: When) -> tuple[Check, Check | None]:
    """The intent check and, with ``min_confidence``, the confidence check. The second also
    fails when the intent is wrong, so only a right intent held back by its confidence (or a
    rule failing on one other condition) makes a near miss."""
    wanted = frozenset(w.intent)
    names = "/".join(w.intent)
    floor = w.min_confidence

    def intent(v: PostView) -> str | None:
        return _intent_miss(v, wanted, names)

    if floor is None:
        return intent, None

    def confident(v: PostView) -> str | None:
        miss = _intent_miss(v, wanted, names)
        if miss is not None:
            return miss
        r = v.verdict
        assert r is not None  # _intent_miss returned None: there is a verdict
        if r.confidence < floor:
            return f"intent: {r.intent} confidence {r.confidence:.2f} < {floor:.2f}"
        return None

    return intent, confident


@dataclass(slots=True)
class CompiledRule:
    rule: Rule
    position: int
    checks: list[tuple[str, Check]]
    keyword_keys: tuple[tuple[str, ...], ...]

    @property
    def needs_intent(self) -> bool:
        return self.rule.when.needs_intent


def compile_rule(rule: Rule, position: int) -> CompiledRule:
    w = rule.when
    checks: list[tuple[str, Check]] = []
    keys: tuple[tuple[str, ...], ...] = ()
    if w.platforms:
        checks.append(("platform", _one_of("platform", w.platforms, lambda v: v.post.platform)))
    if w.kinds:
        checks.append(("kind", _one_of("kind", w.kinds, lambda v: v.post.kind)))
    if w.languages:
        checks.append(
            (
                "language",
                _one_of("language", w.languages, lambda v: (v.post.lang or "").lower()[:2]),
            )
        )
    if w.channels:
        checks.append(("channel", _one_of("channel", w.channels, lambda v: v.post.channel)))
    if w.authors:
        who = frozenset(a.lower().lstrip("@") for a in w.authors)

        def _author(v: PostView) -> str | None:
            a = v.post.author
            ok = a.id.lower() in who or (a.handle or "").lower().lstrip("@") in who
            return None if ok else "authors: not a listed author"

        checks.append(("authors", _author))
    if w.keywords:
        check, keys = _keywords(w.keywords, exclude=False)
        checks.append(("keywords", check))
    if w.exclude:
        checks.append(("exclude", _keywords(w.exclude, exclude=True)[0]))
    if w.sentiment is not None:
        checks.append(("sentiment", _sentiment(w.sentiment)))
    if w.rating is not None:
        checks.append(("rating", _range("rating", w.rating, lambda v: v.post.rating)))
    if w.followers is not None:
        checks.append(
            ("followers", _range("followers", w.followers, lambda v: v.post.author.followers))
        )
    if w.verified is not None:
        want = w.verified
        checks.append(
            (
                "verified",
                lambda v: None if v.post.author.verified == want else f"verified: not {want}",
            )
        )
    if w.engagement is not None:
        checks.append(("engagement", _range("engagement", w.engagement, lambda v: v.engagement)))
    if w.views is not None:
        checks.append(("views", _range("views", w.views, lambda v: v.post.metrics.views)))
    if w.personal_data is not None:
        pd = w.personal_data
        checks.append(
            (
                "personal_data",
                lambda v: (
                    None if v.post.signals.personal_data == pd else f"personal_data: not {pd}"
                ),
            )
        )
    if w.hours is not None:
        checks.append(("hours", _hours(w.hours)))
    if w.intent:  # last: a rule that already failed twice never runs the classifier
        intent, confident = _intent(w)
        checks.append(("intent", intent))
        if confident is not None:
            checks.append(("min_confidence", confident))
    return CompiledRule(rule=rule, position=position, checks=checks, keyword_keys=keys)


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
        return PostView(post, words, self.index.find(words), at or post.received_at, classifier)

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
                    _why(cr, v, self.index.labels),
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


def _why(cr: CompiledRule, v: PostView, labels: dict[tuple[str, ...], str]) -> tuple[str, ...]:
    why: list[str] = []
    if cr.keyword_keys:
        found = [labels.get(k, " ".join(k)) for k in cr.keyword_keys if k in v.found]
        why.append("keywords: " + ", ".join(repr(f) for f in found[:5]))
    for name, _check in cr.checks:
        if name in ("keywords", "exclude"):
            continue
        why.append(_describe(name, v))
    return tuple(why) or ("no conditions",)


_DESCRIBE: dict[str, Callable[[PostView], object]] = {
    "platform": lambda v: v.post.platform,
    "kind": lambda v: v.post.kind,
    "language": lambda v: v.post.lang,
    "channel": lambda v: v.post.channel,
    "authors": lambda v: v.post.author.handle or v.post.author.id,
    "sentiment": lambda v: v.post.signals.sentiment_label,
    "rating": lambda v: v.post.rating,
    "followers": lambda v: v.post.author.followers,
    "verified": lambda v: v.post.author.verified,
    "engagement": lambda v: v.engagement,
    "views": lambda v: v.post.metrics.views,
    "personal_data": lambda v: v.post.signals.personal_data,
    "hours": lambda v: v.at.isoformat(timespec="minutes"),
    "intent": lambda v: v.verdict.intent if v.verdict else None,
    "min_confidence": lambda v: f"{v.verdict.confidence:.2f}" if v.verdict else None,
}


def _describe(name: str, v: PostView) -> str:
    get = _DESCRIBE.get(name)
    return f"{name}={get(v) if get else None}"
