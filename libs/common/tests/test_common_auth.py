"""Tokens: roles, scopes, expiry, tampering; the FastAPI dependency's answers."""

from __future__ import annotations

from typing import Annotated

import httpx
import jwt
import pytest
from chorus_common.auth import AuthError, Principal, create_token, require, verify_token
from chorus_common.settings import DEV_TOKEN_SECRET, CommonSettings
from fastapi import Depends, FastAPI

pytestmark = pytest.mark.unit
SECRET = DEV_TOKEN_SECRET


def test_token_carries_role_member_teams_and_role_scopes() -> None:
    p = verify_token(
        SECRET, create_token(SECRET, sub="alice", role="agent", member_id="alice", teams=["legal"])
    )
    assert (p.role, p.member_id, p.teams) == ("agent", "alice", ("legal",))
    assert "cases:read" in p.scopes
    assert "rules:write" not in p.scopes


def test_expired_and_tampered_tokens_are_refused() -> None:
    expired = create_token(SECRET, sub="a", role="admin", ttl_seconds=-10)
    with pytest.raises(AuthError) as info:
        verify_token(SECRET, expired)
    assert info.value.code == "token_expired"
    forged = jwt.encode(
        {"sub": "a", "role": "admin", "iss": "chorus", "iat": 1, "exp": 2**40},
        "other-secret-other-secret-other-secret",
    )
    with pytest.raises(AuthError):
        verify_token(SECRET, forged)


def test_unknown_scope_or_role_cannot_be_minted() -> None:
    with pytest.raises(ValueError):
        create_token(SECRET, sub="a", role="root")
    with pytest.raises(ValueError):
        create_token(SECRET, sub="a", role="agent", scopes=["everything"])


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValueError, match="TOKEN_SECRET"):
        CommonSettings(environment="production")
    CommonSettings(environment="production", token_secret="x" * 40)


def test_agent_visibility_is_limited_to_their_teams() -> None:
    agent = Principal(sub="a", role="agent", teams=("support",))
    assert agent.can_see_team("support")
    assert not agent.can_see_team("legal")
    assert Principal(sub="r", role="admin").can_see_team("legal")


async def test_dependency_answers_401_without_token_and_403_without_scope() -> None:
    app = FastAPI()
    app.state.settings = CommonSettings()

    @app.get("/rules")
    async def rules(p: Annotated[Principal, Depends(require("rules:write"))]) -> dict[str, str]:
        return {"sub": p.sub}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        assert (await c.get("/rules")).status_code == 401
        agent = create_token(SECRET, sub="a", role="agent")
        r = await c.get("/rules", headers={"Authorization": f"Bearer {agent}"})
        assert r.status_code == 403
        assert "rules:write" in r.json()["detail"]["message"]
        admin = create_token(SECRET, sub="boss", role="admin")
        r = await c.get("/rules", headers={"Authorization": f"Bearer {admin}"})
        assert r.json() == {"sub": "boss"}
