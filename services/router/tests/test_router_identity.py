"""Who a signed-in person is: the directory's role and teams, found by subject or e-mail."""

from __future__ import annotations

from typing import Any

import pytest
from chorus_router.app import create_app
from chorus_router.domain.identity import access_of, only_match
from chorus_router.settings import RouterSettings

from tests.support.fixtures import FAST_KAFKA_ENV, auth, running

ADMIN = auth("admin")
SERVICE = auth("service")


@pytest.mark.unit
def test_role_comes_from_the_admin_flag_then_leading_a_team() -> None:
    assert access_of(["legal"], [], admin=False) == ("agent", ("legal",))
    assert access_of(["legal"], ["legal"], admin=False) == ("lead", ("legal",))
    # A lead of a team they are not a member of sees that team too.
    assert access_of(["pr"], ["brand"], admin=False) == ("lead", ("brand", "pr"))
    assert access_of(["pr"], ["pr"], admin=True) == ("admin", ("pr",))


@pytest.mark.unit
def test_only_one_match_names_a_member() -> None:
    assert only_match(["lena"]) == "lena"
    assert only_match([]) is None
    assert only_match(["lena", "lea"]) is None


async def _resolve(client: Any, headers: dict[str, str] = SERVICE, **body: Any) -> Any:
    return await client.post("/v1/directory/resolve", json=body, headers=headers)


@pytest.mark.unit
async def test_resolve_by_subject_then_verified_email(memory_broker, sqlite_url) -> None:
    app = create_app(RouterSettings(database_url=sqlite_url, **FAST_KAFKA_ENV), bus=memory_broker)
    async with running(app) as client:
        r = await _resolve(client, email="LENA@demo.chorus.example", email_verified=True)
        assert r.json() == {"member_id": "lena", "role": "lead", "teams": ["legal"], "active": True}
        r = await _resolve(client, email="lena@demo.chorus.example", email_verified=False)
        assert (r.status_code, r.json()["code"]) == (404, "member_unknown")
        r = await client.patch("/v1/members/marc", json={"oidc_subject": "s-1"}, headers=ADMIN)
        assert r.json()["oidc_subject"] == "s-1"
        # The subject wins over an e-mail naming someone else.
        r = await _resolve(client, sub="s-1", email="lena@demo.chorus.example", email_verified=True)
        assert r.json()["member_id"] == "marc"
        r = await _resolve(client, member_id="tom")
        assert (r.json()["role"], r.json()["teams"]) == ("agent", ["support"])
        r = await client.patch("/v1/members/tom", json={"admin": True}, headers=ADMIN)
        assert r.json()["admin"] is True
        assert (await _resolve(client, member_id="tom")).json()["role"] == "admin"
        # People resolve themselves through /v1/me, not this endpoint.
        agent = auth("agent", member_id="tom", teams=("support",))
        assert (await _resolve(client, agent, member_id="tom")).status_code == 403


@pytest.mark.unit
async def test_sign_in_identities_are_unique_and_leads_cannot_grant_admin(
    memory_broker, sqlite_url
) -> None:
    app = create_app(RouterSettings(database_url=sqlite_url, **FAST_KAFKA_ENV), bus=memory_broker)
    async with running(app) as client:
        r = await client.patch(
            "/v1/members/marc", json={"email": "Lena@Demo.Chorus.Example"}, headers=ADMIN
        )
        assert (r.status_code, r.json()["code"]) == (409, "email_taken")
        await client.patch("/v1/members/marc", json={"oidc_subject": "s-1"}, headers=ADMIN)
        body = {"id": "zoe", "name": "Zoé", "teams": ["legal"], "oidc_subject": "s-1"}
        r = await client.post("/v1/members", json=body, headers=ADMIN)
        assert (r.status_code, r.json()["code"]) == (409, "oidc_subject_taken")
        lead = auth("lead", member_id="lena", teams=("legal",))
        r = await client.patch("/v1/members/nora", json={"admin": True}, headers=lead)
        assert (r.status_code, r.json()["code"]) == (403, "forbidden")
        await client.patch("/v1/members/nora", json={"admin": True}, headers=ADMIN)
        # A lead cannot take over an admin's sign-in by pointing it at their own account.
        r = await client.patch("/v1/members/nora", json={"oidc_subject": "mine"}, headers=lead)
        assert (r.status_code, r.json()["code"]) == (403, "forbidden")
        r = await client.patch("/v1/members/marc", json={"oidc_subject": "s-2"}, headers=lead)
        assert r.status_code == 200, r.text
