"""The demo directory's people, as the command line knows them: who signs in to the
development identity provider under `chorus run`, and whom the demo staff act as (a team
lead's cases are drafted by another member of the team, so that the lead can give the
sign-off only a lead gives: the author of a reply cannot approve it).

The router installs the same teams and members on first start (its seed); a test keeps the
two lists equal, so the command line does not import the service to learn them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chorus_cli.devidp import IdPUser

EMAIL_DOMAIN = "demo.chorus.example"
PASSWORD = "demo"


@dataclass(frozen=True)
class DemoMember:
    id: str
    name: str
    team: str

    @property
    def email(self) -> str:
        return f"{self.id}@{EMAIL_DOMAIN}"


# team -> its lead
LEADS: dict[str, str] = {"legal": "lena", "pr": "paul", "brand": "bea", "support": "sam"}

MEMBERS: tuple[DemoMember, ...] = (
    DemoMember("lena", "Léna Moreau", "legal"),
    DemoMember("marc", "Marc Dubois", "legal"),
    DemoMember("nora", "Nora Chen", "legal"),
    DemoMember("paul", "Paul Martin", "pr"),
    DemoMember("quinn", "Quinn Taylor", "pr"),
    DemoMember("rosa", "Rosa Garcia", "pr"),
    DemoMember("bea", "Béatrice Leroy", "brand"),
    DemoMember("chloe", "Chloé Bernard", "brand"),
    DemoMember("dev", "Dev Patel", "brand"),
    DemoMember("sam", "Sam Nguyen", "support"),
    DemoMember("tom", "Tom Lefèvre", "support"),
    DemoMember("uma", "Uma Singh", "support"),
    DemoMember("victor", "Victor Roux", "support"),
)
BY_ID: dict[str, DemoMember] = {m.id: m for m in MEMBERS}


def members_of(team: str) -> list[str]:
    return [m.id for m in MEMBERS if m.team == team]


def role_of(member_id: str) -> str:
    """The token role the member holds: ``lead`` for a team's lead, else ``agent``."""
    return "lead" if member_id in LEADS.values() else "agent"


def teams_of(member_id: str) -> tuple[str, ...]:
    member = BY_ID.get(member_id)
    return (member.team,) if member else ()


def idp_users() -> list[IdPUser]:
    """The identity provider's accounts: one per member, subject = member id."""
    return [IdPUser(m.id, m.email, PASSWORD, m.name) for m in MEMBERS]


def author_of(case: dict[str, Any]) -> str | None:
    """Who drafts the case's replies: its owner, or for a lead's (or nobody's) case the first
    other member of the team."""
    team, owner = str(case.get("team")), case.get("assignee")
    if owner in BY_ID and owner != LEADS.get(team):
        return str(owner)
    others = [m for m in members_of(team) if m != LEADS.get(team)]
    return others[0] if others else None


def approver_for(need: dict[str, Any], author: str) -> str | None:
    """A member who can give the sign-off ``need`` and is not the author (four-eyes): the
    team's lead for a lead's sign-off, else a member other than the lead when there is one."""
    team = str(need["team"])
    lead = LEADS.get(team)
    if need["role"] == "lead":
        return lead if lead != author else None
    others = [m for m in members_of(team) if m != author]
    return next((m for m in others if m != lead), others[0] if others else None)


def closer_of(case: dict[str, Any]) -> str | None:
    """Who closes the case: its owner, else the team's lead."""
    owner = case.get("assignee")
    return str(owner) if owner in BY_ID else LEADS.get(str(case.get("team")))
