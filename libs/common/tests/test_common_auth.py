"""Tokens: roles, scopes, expiry, tampering; the FastAPI dependency's answers."""

from __future__ import annotations

import time
from typing import Annotated

import httpx
import jwt
import pytest
from chorus_common import auth as auth_module
from chorus_common.auth import (
    AuthError,
    Principal,
    VerifiedTokens,
    create_token,
    require,
    verify_token,
)
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
    CommonSettings(
        environment="production", token_secret="7f3a9c1e5b2d8f4a6c0e9b7d3f1a5c8e2b4d6f0a"
    )


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


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every full verification (signature and claims) the cache lets through."""
    calls: list[str] = []
    original = auth_module._verify

    def counted(secret: str, token: str, issuer: str) -> tuple[Principal, float]:
        calls.append(token)
        return original(secret, token, issuer)

    monkeypatch.setattr(auth_module, "_verify", counted)
    return calls


def test_a_verified_token_is_not_verified_again_until_it_expires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _counting(monkeypatch)
    cache = VerifiedTokens()
    token = create_token(SECRET, sub="bob", role="agent", teams=["pr"], ttl_seconds=60)
    first = cache.verify(SECRET, token)
    assert cache.verify(SECRET, token) == first
    assert first.teams == ("pr",)
    assert calls == [token]
    # An hour later the cached entry is past the token's own exp: refused, and forgotten.
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 3600)
    with pytest.raises(AuthError) as info:
        cache.verify(SECRET, token)
    assert info.value.code == "token_expired"
    # The entry is gone: the next call verifies in full (PyJWT reads its own clock, which
    # did not move, so it accepts the token again).
    assert cache.verify(SECRET, token) == first
    assert calls == [token, token]


def test_refused_tokens_are_never_cached_and_a_rotated_secret_verifies_afresh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _counting(monkeypatch)
    cache = VerifiedTokens()
    forged = jwt.encode(
        {"sub": "a", "role": "admin", "iss": "chorus", "iat": 1, "exp": 2**40},
        "other-secret-other-secret-other-secret",
    )
    for _ in range(2):
        with pytest.raises(AuthError):
            cache.verify(SECRET, forged)
    assert calls == [forged, forged]
    token = create_token(SECRET, sub="a", role="admin")
    cache.verify(SECRET, token)
    with pytest.raises(AuthError) as info:
        cache.verify("a-rotated-secret-a-rotated-secret-0123", token)
    assert info.value.code == "token_invalid"


def test_the_cache_keeps_at_most_size_tokens_oldest_out_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _counting(monkeypatch)
    cache = VerifiedTokens(size=2)
    a, b, c = (create_token(SECRET, sub=s, role="service") for s in "abc")
    for t in (a, b, c, c, b):
        cache.verify(SECRET, t)
    assert calls == [a, b, c]
    cache.verify(SECRET, a)  # evicted by c: verified again
    assert calls == [a, b, c, a]
