"""Who a signed-in person is to Chorus: the directory decides their role and teams.

* ``admin``: a member flagged ``admin`` (set by an administrator): every scope, every team.
* ``lead``: a member named ``lead`` of at least one team; their teams are the teams they
  belong to plus the teams they lead.
* ``agent``: every other member; their teams are the teams they belong to.

A person is found by their OpenID subject (``oidc_subject``), else by an e-mail their
provider has verified, matched case-insensitively and only when exactly one member has it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

SignedInRole = Literal["admin", "lead", "agent"]


def access_of(
    teams: Iterable[str], led: Iterable[str], *, admin: bool
) -> tuple[SignedInRole, tuple[str, ...]]:
    """A member's role and teams from their memberships, the teams they lead, their flag."""
    led = set(led)
    role: SignedInRole = "admin" if admin else "lead" if led else "agent"
    return role, tuple(sorted(set(teams) | led))


def normal_email(email: str) -> str:
    return email.strip().lower()


def only_match(ids: Sequence[str]) -> str | None:
    """The one member that matched (None when none did, or several: never guess who)."""
    return ids[0] if len(ids) == 1 else None
