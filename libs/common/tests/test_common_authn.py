"""Which principal a token is: CLI tokens naming members, the directory's answers, settings."""

from __future__ import annotations

import json

import httpx
import pytest
from chorus_common.auth import AuthError, create_token
from chorus_common.authn import Authenticator, principal_of
from chorus_common.members import (
    DirectoryMember,
    DirectoryUnavailable,
    MemberQuery,
    RouterMembers,
)
from chorus_common.problems import ApiProblem
from chorus_common.settings import DEV_TOKEN_SECRET, CommonSettings

pytestmark = pytest.mark.unit

LENA = DirectoryMember(member_id="lena", role="lead", teams=("legal",), active=True)
GONE = DirectoryMember(member_id="gus", role="agent", teams=("pr",), active=False)


class Members:
    """An in-memory directory that counts its look-ups."""

    def __init__(self, *members: DirectoryMember) -> None:
        self.members = {m.member_id: m for m in members}
        self.asked: list[MemberQuery] = []

    async def resolve(self, query: MemberQuery) -> DirectoryMember | None:
        self.asked.append(query)
        return self.members.get(query.member_id or "")


def _cli(member: str | None = None, **kw: object) -> str:
    return create_token(DEV_TOKEN_SECRET, sub=member or "svc", role="agent", member_id=member,
                        teams=("legal",), **kw)  # type: ignore[arg-type]  # fmt: skip


async def test_a_cli_token_naming_a_member_needs_an_active_member() -> None:
    members = Members(LENA, GONE)
    authn = Authenticator(CommonSettings(), members)
    assert (await authn.principal(_cli("lena"))).member_id == "lena"
    for who, code in (("nobody", "member_unknown"), ("gus", "member_inactive")):
        with pytest.raises(ApiProblem) as info:
            await authn.principal(_cli(who))
        assert (info.value.status, info.value.code) == (403, code)
    asked = len(members.asked)
    await authn.principal(_cli())  # no member named: a service account, nothing to look up
    assert len(members.asked) == asked


async def test_a_cli_token_keeps_its_own_role_and_teams() -> None:
    authn = Authenticator(CommonSettings(), Members(LENA))
    p = await authn.principal(_cli("lena"))
    assert (p.role, p.teams) == ("agent", ("legal",))  # as minted, not the directory's "lead"


async def test_without_a_directory_member_tokens_pass_and_bad_ones_are_401() -> None:
    authn = Authenticator(CommonSettings(router_url=""), None)
    assert (await authn.principal(_cli("nobody"))).member_id == "nobody"
    with pytest.raises(AuthError):
        await authn.principal(_cli("lena", ttl_seconds=-10))


def test_a_signed_in_members_principal_comes_from_the_directory() -> None:
    p = principal_of(LENA)
    assert (p.sub, p.member_id, p.role, p.teams) == ("lena", "lena", "lead", ("legal",))
    assert "rules:write" in p.scopes and "channels:write" not in p.scopes
    admin = principal_of(DirectoryMember("ada", "admin", (), True))
    assert admin.is_admin and admin.can_see_team("legal")
    # A directory answer claiming "service" never makes a person a service account.
    assert principal_of(DirectoryMember("x", "service", (), True)).role == "agent"
    with pytest.raises(ApiProblem) as info:
        principal_of(GONE)
    assert info.value.code == "member_inactive"


def _router(handler: httpx.MockTransport) -> RouterMembers:
    return RouterMembers(CommonSettings(router_url="http://router"), transport=handler)


async def test_the_routers_answers_are_read_and_kept_about_a_second() -> None:
    calls: list[dict[str, object]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        calls.append(body)
        assert request.headers["authorization"].startswith("Bearer ")
        if body.get("sub") == "idp-lena":
            return httpx.Response(
                200, json={"member_id": "lena", "role": "lead", "teams": ["legal"], "active": True}
            )
        return httpx.Response(404, json={"code": "member_unknown", "status": 404})

    members = _router(httpx.MockTransport(answer))
    query = MemberQuery(sub="idp-lena", email="l@x.example", email_verified=True)
    assert await members.resolve(query) == LENA
    assert await members.resolve(query) == LENA
    assert await members.resolve(MemberQuery(sub="idp-zed")) is None
    assert calls == [
        {"sub": "idp-lena", "email": "l@x.example", "email_verified": True},
        {"sub": "idp-zed", "email_verified": False},
    ]


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(500, json={"code": "internal_error"}),
        httpx.Response(404, json={"code": "not_found"}),  # a router without the endpoint
        httpx.Response(200, json={"member_id": "x", "role": "root", "teams": []}),
        httpx.Response(200, text="not json"),
    ],
)
async def test_an_odd_or_failing_router_is_unavailable_not_nobody(
    response: httpx.Response,
) -> None:
    members = _router(httpx.MockTransport(lambda _: response))
    with pytest.raises(DirectoryUnavailable):
        await members.resolve(MemberQuery(member_id="lena"))


async def test_an_unreachable_router_is_a_503_directory_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    authn = Authenticator(CommonSettings(), _router(httpx.MockTransport(refuse)))
    with pytest.raises(ApiProblem) as info:
        await authn.principal(_cli("lena"))
    assert (info.value.status, info.value.code) == (503, "directory_unavailable")


@pytest.mark.parametrize("algorithms", ["HS256", "RS256,HS512", "none", ""])
def test_only_public_key_algorithms_are_accepted_for_oidc(algorithms: str) -> None:
    with pytest.raises(ValueError, match=r"OIDC_ALGORITHMS|oidc_algorithms"):
        CommonSettings(oidc_algorithms=algorithms)


def test_oidc_settings_are_checked_at_start_up() -> None:
    s = CommonSettings(oidc_issuer="https://login.example.com/", oidc_algorithms=" ES256 , RS256")
    assert s.oidc_algorithm_list() == ["ES256", "RS256"]
    with pytest.raises(ValueError, match="https"):
        CommonSettings(environment="test", oidc_issuer="login.example.com")
    with pytest.raises(ValueError, match="ROUTER_URL"):
        CommonSettings(
            environment="production", token_secret="f3a9c1d27be84e6a9d0c5b7e2f1a8c4d", router_url=""
        )
