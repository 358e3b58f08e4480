"""Which principal a bearer token is: CLI-minted (HS256) or the OpenID provider's.

* A token whose ``iss`` is ``OIDC_ISSUER`` is verified against the provider's keys (only the
  algorithms of ``OIDC_ALGORITHMS``), then mapped to a directory member: by ``sub`` ==
  the member's ``oidc_subject``, else by verified e-mail. Role, teams and member id come
  from the directory, scopes from the role; nothing else in the token is trusted.
* Any other token is a CLI-minted one (service accounts, scripts), verified with
  ``TOKEN_SECRET`` and trusted as minted, except that a member it names must exist and be
  active in the directory.
"""

from __future__ import annotations

from chorus_common.auth import ROLE_SCOPES, VERIFIED, AuthError, Principal
from chorus_common.members import (
    DirectoryMember,
    DirectoryUnavailable,
    MemberDirectory,
    MemberQuery,
)
from chorus_common.oidc import IdpUnavailable, OidcVerifier, TokenRefused, unverified_issuer
from chorus_common.problems import ApiProblem
from chorus_common.settings import CommonSettings


def oidc_verifier(settings: CommonSettings) -> OidcVerifier | None:
    """The provider's verifier (None: OIDC_ISSUER is empty, sign-in is off)."""
    if not settings.oidc_issuer:
        return None
    return OidcVerifier(
        settings.oidc_issuer,
        audience=settings.oidc_audience,
        algorithms=settings.oidc_algorithm_list(),
        leeway=settings.oidc_leeway_seconds,
        timeout=settings.oidc_timeout_seconds,
    )


def principal_of(member: DirectoryMember) -> Principal:
    """The principal of a signed-in member: the directory's role and teams, the role's scopes."""
    if not member.active:
        raise ApiProblem(403, "member_inactive", f"member {member.member_id!r} is deactivated")
    role = member.role if member.role in ("admin", "lead", "agent") else "agent"
    return Principal(
        sub=member.member_id,
        role=role,
        member_id=member.member_id,
        teams=member.teams,
        scopes=ROLE_SCOPES[role],
    )


class Authenticator:
    """One service's token checks; ``members`` None: no directory (development only)."""

    def __init__(self, settings: CommonSettings, members: MemberDirectory | None) -> None:
        self.secret = settings.token_secret.get_secret_value()
        self.issuer = settings.token_issuer
        self.oidc = oidc_verifier(settings)
        self.members = members

    async def principal(self, token: str) -> Principal:
        """Raises :class:`AuthError` (401) or :class:`ApiProblem` (403, 503)."""
        principal = VERIFIED.known(self.secret, token, self.issuer)  # no parsing on a hit
        if principal is None:
            if self.oidc is not None and unverified_issuer(token) == self.oidc.issuer:
                return await self._signed_in(token, self.oidc)
            principal = VERIFIED.verify(self.secret, token, self.issuer)
        if principal.member_id is not None and self.members is not None:
            member = await self._find(MemberQuery(member_id=principal.member_id))
            if not member.active:
                raise ApiProblem(
                    403, "member_inactive", f"member {member.member_id!r} is deactivated"
                )
        return principal

    async def _signed_in(self, token: str, oidc: OidcVerifier) -> Principal:
        try:
            identity = await oidc.verify(token)
        except TokenRefused as exc:
            raise AuthError(exc.code, str(exc)) from exc
        except IdpUnavailable as exc:
            raise ApiProblem(
                503, "idp_unavailable", str(exc), headers={"Retry-After": "5"}
            ) from exc
        query = MemberQuery(
            sub=identity.sub, email=identity.email, email_verified=identity.email_verified
        )
        # The subject is the caller's own: they hand it to an administrator to be linked.
        unknown = (
            f"no directory member has this sign-in (subject {identity.sub!r}); an "
            'administrator links it with PATCH /v1/members/{id} {"oidc_subject": ...}'
        )
        return principal_of(await self._find(query, unknown))

    async def _find(
        self, query: MemberQuery, unknown: str = "the directory has no such member"
    ) -> DirectoryMember:
        if self.members is None:
            raise ApiProblem(
                503, "directory_unavailable", "no directory is configured (ROUTER_URL)"
            )
        try:
            member = await self.members.resolve(query)
        except DirectoryUnavailable as exc:
            # Not the router's address: callers need not learn the inside of the deployment.
            detail = "the directory did not answer; retry shortly"
            raise ApiProblem(
                503, "directory_unavailable", detail, headers={"Retry-After": "5"}
            ) from exc
        if member is None:
            raise ApiProblem(403, "member_unknown", unknown)
        return member
