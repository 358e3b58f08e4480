"""The demo directory's people, as the command line knows them: who signs in to the
development identity provider under `chorus run`, and whom the demo staff act as.

The router installs the same teams and members on first start (its seed); a test keeps the
two lists equal, so the command line does not import the service to learn them.
"""

from __future__ import annotations

from dataclasses import dataclass

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
