"""Rule conditions compiled to checks over a post view (computed once per post)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from chorus_common.contracts.events import Post

from chorus_router.intent.verdict import Classifier, Verdict
from chorus_router.routing.rules import HoursCondition, Range, Rule, SentimentCondition, When
from chorus_router.routing.text import phrase_stems


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
    checks = _post_checks(w)
    keys: tuple[tuple[str, ...], ...] = ()
    if w.keywords:
        check, keys = _keywords(w.keywords, exclude=False)
        checks.append(("keywords", check))
    if w.exclude:
        checks.append(("exclude", _keywords(w.exclude, exclude=True)[0]))
    checks += _signal_checks(w)
    if w.hours is not None:
        checks.append(("hours", _hours(w.hours)))
    if w.intent:  # last: a rule that already failed twice never runs the classifier
        intent, confident = _intent(w)
        checks.append(("intent", intent))
        if confident is not None:
            checks.append(("min_confidence", confident))
    return CompiledRule(rule=rule, position=position, checks=checks, keyword_keys=keys)


def _post_checks(w: When) -> list[tuple[str, Check]]:
    """Where the post comes from and who wrote it."""
    checks: list[tuple[str, Check]] = []
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
    return checks


def _signal_checks(w: When) -> list[tuple[str, Check]]:
    """The post's signals, author reach and metrics."""
    checks: list[tuple[str, Check]] = []
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
    return checks
