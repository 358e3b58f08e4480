"""Choosing the member inside a team: eligibility, weighted least-load, fair tie-break."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from chorus_router.casework.load import LoadBook
from chorus_router.directory.roster import Directory, Member


@dataclass(frozen=True, slots=True)
class Need:
    """What the case asks of its assignee."""

    team: str
    weight: float = 1.0
    language: str | None = None
    skills: tuple[str, ...] = ()
    platform: str | None = None
    never_alone: bool = False

    @classmethod
    def of(cls, asker: Asker) -> Need:
        """The need of a case, or of a post's classification before its case exists."""
        return cls(
            team=asker.team,
            weight=asker.weight,
            language=asker.language,
            skills=tuple(asker.skills),
            platform=asker.platform,
            never_alone=asker.never_alone,
        )


class Asker(Protocol):
    """What a case and a classification both say about who may take it."""

    @property
    def team(self) -> str: ...
    @property
    def weight(self) -> float: ...
    @property
    def language(self) -> str | None: ...
    @property
    def skills(self) -> Sequence[str]: ...
    @property
    def platform(self) -> str | None: ...
    @property
    def never_alone(self) -> bool: ...


@dataclass(slots=True)
class Candidate:
    member: str
    eligible: bool
    why: str
    open_cases: int
    capacity: int
    load: float
    score: float | None = None

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "member": self.member,
            "eligible": self.eligible,
            "why": self.why,
            "open_cases": self.open_cases,
            "capacity": self.capacity,
            "load": self.load,
        }
        if self.score is not None:
            d["score"] = round(self.score, 4)
        return d


@dataclass(slots=True)
class Choice:
    member: str | None
    reason: str
    candidates: list[Candidate] = field(default_factory=list)
    relaxed: list[str] = field(default_factory=list)
    continuity: bool = False
    fairness: dict[str, Any] | None = None  # set by the fairness guard (casework.fairness)

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "member": self.member,
            "reason": self.reason,
            "continuity": self.continuity,
            "relaxed": list(self.relaxed),
            "candidates": [c.as_dict() for c in self.candidates],
        }
        if self.fairness is not None:
            d["fairness"] = self.fairness
        return d


def has_room(directory: Directory, book: LoadBook, team: str, now: datetime) -> bool:
    """Is anyone in ``team`` available now and below capacity (so its queue could move)?"""
    return any(
        m.unavailable_reason(now) is None and book.get(m.id).open_cases < m.capacity
        for m in directory.members_of(team)
    )


def _relaxations(need: Need, members: list[Member]) -> tuple[bool, set[str], bool, list[str]]:
    """Requirements nobody in the team could ever meet are dropped (and said so), not queued forever."""
    relaxed: list[str] = []
    lang = (need.language or "").lower()[:2]
    use_lang = bool(lang) and any(lang in m.languages for m in members)
    if lang and not use_lang and members:
        relaxed.append(f"language {lang!r}: nobody in {need.team} speaks it")
    skills = set(need.skills)
    for s in need.skills:
        if not any(s in m.skills for m in members):
            skills.discard(s)
            relaxed.append(f"skill {s!r}: nobody in {need.team} has it")
    use_platform = bool(need.platform) and any(
        not m.platforms or need.platform in m.platforms for m in members
    )
    if need.platform and not use_platform and members:
        relaxed.append(f"platform {need.platform!r}: nobody in {need.team} handles it")
    return use_lang, skills, use_platform, relaxed


def ineligible_reason(
    m: Member,
    need: Need,
    book: LoadBook,
    now: datetime,
    *,
    use_lang: bool,
    skills: Collection[str],
    use_platform: bool,
) -> str | None:
    why = m.unavailable_reason(now)
    if why:
        return why
    if use_lang and (need.language or "").lower()[:2] not in m.languages:
        return f"does not speak {need.language}"
    missing = [s for s in skills if s not in m.skills]
    if missing:
        return f"lacks skill {', '.join(sorted(missing))}"
    if use_platform and m.platforms and need.platform not in m.platforms:
        return f"does not handle {need.platform}"
    load = book.get(m.id)
    if load.open_cases >= m.capacity:
        return f"at capacity ({load.open_cases}/{m.capacity})"
    if need.never_alone and load.solid_cases == 0:
        return "low-priority item would be the only one in their queue"
    return None


def choose(
    need: Need,
    directory: Directory,
    book: LoadBook,
    now: datetime,
    *,
    exclude: Collection[str] = (),
    prefer: str | None = None,
    per_case: float = 1.0,
) -> Choice:
    """Pick an eligible member (``prefer`` first, for thread continuity), or none (queue).

    The score is ``(weighted load + per_case x open cases) / capacity``: weights make heavy
    cases count more, and the per-case term keeps case counts even when weights vary.
    """
    members = [m for m in directory.members_of(need.team) if m.id not in exclude]
    use_lang, skills, use_platform, relaxed = _relaxations(need, members)
    candidates: list[Candidate] = []
    best: Candidate | None = None
    best_key: tuple[float, float, str] | None = None
    preferred: Candidate | None = None
    for m in members:
        load = book.get(m.id)
        why = ineligible_reason(
            m, need, book, now, use_lang=use_lang, skills=skills, use_platform=use_platform
        )
        c = Candidate(m.id, why is None, why or "", load.open_cases, m.capacity, load.weighted)
        candidates.append(c)
        if why is not None:
            continue
        # The current load relative to capacity, not counting the new case: adding its weight
        # would steer heavy cases away from small-capacity members and light ones to them.
        c.score = (load.weighted + per_case * load.open_cases) / max(m.capacity, 1)
        # Ties (same relative load) go to whoever was assigned least recently: round robin.
        key = (round(c.score, 9), load.last_assigned, m.id)
        if best_key is None or key < best_key:
            best, best_key = c, key
        if m.id == prefer:
            preferred = c
    if preferred is not None:
        preferred.why = "owns the conversation (thread continuity)"
        return Choice(preferred.member, preferred.why, candidates, relaxed, continuity=True)
    if best is None:
        if not members:
            reason = f"no active member in {need.team}"
        else:
            reason = f"nobody in {need.team} can take it now; queued"
        return Choice(None, reason, candidates, relaxed)
    return Choice(best.member, _explain(best, candidates, prefer), candidates, relaxed)


def _explain(best: Candidate, candidates: list[Candidate], prefer: str | None) -> str:
    """Say why ``best`` won, and why each other eligible candidate did not."""
    best.why = f"least loaded relative to capacity ({best.score:.3f})"
    for c in candidates:
        if c.eligible and c is not best and not c.why:
            c.why = (
                f"more loaded ({c.score:.3f})"
                if c.score != best.score
                else "tie, assigned more recently"
            )
    note = ""
    if prefer and prefer not in (c.member for c in candidates if c.eligible):
        owner = next((c for c in candidates if c.member == prefer), None)
        note = f"; owner {prefer} not eligible ({owner.why if owner else 'not in team'})"
    return best.why + note
