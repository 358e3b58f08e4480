"""Weighted load: what one case costs its owner, and the running book of who carries what."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

PRIVATE_KINDS = frozenset({"dm", "email"})


class LoadWeights(BaseModel):
    """How much a case weighs (configurable with ``ROUTER_LOAD_WEIGHTS``, a JSON object)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    priority: dict[str, float] = Field(
        default_factory=lambda: {"P1": 3.0, "P2": 2.0, "P3": 1.0, "P4": 0.5}
    )
    public: float = Field(default=1.25, gt=0, description="multiplier for public posts")
    private: float = Field(default=1.0, gt=0, description="multiplier for DMs and e-mail")
    influencer: float = Field(default=1.5, gt=0, description="multiplier above the threshold")
    influencer_followers: int = Field(default=50_000, ge=0)
    per_case: float = Field(
        default=1.0, ge=0, description="what every open case adds on top of its weight"
    )

    def weight(self, priority: str, kind: str, followers: int | None) -> float:
        w = self.priority.get(priority, 1.0)
        w *= self.private if kind in PRIVATE_KINDS else self.public
        if followers is not None and followers >= self.influencer_followers:
            w *= self.influencer
        return round(w, 4)


@dataclass(slots=True)
class Load:
    open_cases: int = 0
    weighted: float = 0.0
    solid_cases: int = 0  # open cases that are not never-alone (spam/trolls)
    assigned_total: int = 0
    last_assigned: float = 0.0  # a monotonic-ish sequence used for fair tie-breaks


@dataclass(slots=True)
class LoadBook:
    """Loads per member; records which members changed so only those are written back."""

    loads: dict[str, Load] = field(default_factory=dict)
    dirty: set[str] = field(default_factory=set)
    clock: float = 0.0

    @classmethod
    def of(cls, loads: dict[str, Load]) -> LoadBook:
        clock = max((x.last_assigned for x in loads.values()), default=0.0)
        return cls(loads=loads, clock=clock)

    def get(self, member: str) -> Load:
        load = self.loads.get(member)
        if load is None:
            load = self.loads[member] = Load()
        return load

    def add(self, member: str, weight: float, *, solid: bool, counted: bool = True) -> None:
        """A case given to ``member`` (``counted`` False for a case they already carry)."""
        load = self.get(member)
        self.clock += 1.0
        load.assigned_total += 1
        load.last_assigned = self.clock
        if counted:
            load.open_cases += 1
            load.weighted = round(load.weighted + weight, 4)
            load.solid_cases += 1 if solid else 0
        self.dirty.add(member)

    def carry(self, member: str, weight: float, *, solid: bool) -> None:
        """A case comes back onto ``member``'s open load (no new assignment counted)."""
        load = self.get(member)
        load.open_cases += 1
        load.weighted = round(load.weighted + weight, 4)
        load.solid_cases += 1 if solid else 0
        self.dirty.add(member)

    def adjust(self, member: str, delta: float) -> None:
        """A carried case got heavier or lighter (its priority changed)."""
        load = self.get(member)
        load.weighted = max(0.0, round(load.weighted + delta, 4))
        self.dirty.add(member)

    def remove(self, member: str, weight: float, *, solid: bool) -> None:
        """A case leaves ``member``'s open load (resolved, handed back, reassigned)."""
        load = self.get(member)
        load.open_cases = max(0, load.open_cases - 1)
        load.weighted = max(0.0, round(load.weighted - weight, 4))
        if solid:
            load.solid_cases = max(0, load.solid_cases - 1)
        self.dirty.add(member)
