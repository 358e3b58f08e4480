"""The demo people's credentials: tokens minted locally with the shared secret, as each
person would hold their own (their member id, role and teams from the seeded directory)."""

from __future__ import annotations

from collections.abc import Callable

from chorus_common.auth import create_token

from chorus_cli import demo_directory as people


class MemberTokens:
    """Bearer headers of the admin and of each member, minted once each."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self._cache: dict[str, str] = {}

    def admin(self) -> dict[str, str]:
        return self._bearer("admin", lambda: create_token(self.secret, sub="admin", role="admin"))

    def member(self, member_id: str) -> dict[str, str]:
        """The member's own token: their id, role and teams in the directory."""
        return self._bearer(
            member_id,
            lambda: create_token(
                self.secret,
                sub=member_id,
                role=people.role_of(member_id),
                member_id=member_id,
                teams=people.teams_of(member_id),
                ttl_seconds=24 * 3600,
            ),
        )

    def _bearer(self, key: str, mint: Callable[[], str]) -> dict[str, str]:
        if key not in self._cache:
            self._cache[key] = mint()
        return {"Authorization": f"Bearer {self._cache[key]}"}
