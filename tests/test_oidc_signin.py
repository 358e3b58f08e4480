"""Sign-in with a real OpenID provider (npm oidc-provider): its access tokens on the router and
the responder, mapped to directory members; everything that must be refused is."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from chorus_analytics.app import create_app as create_analytics
from chorus_analytics.settings import AnalyticsSettings
from chorus_cli.devidp import DevIdP, IdPClient, IdPUser
from chorus_common.bus.memory import MemoryBroker
from chorus_common.embedded import free_port
from chorus_common.settings import DEV_TOKEN_SECRET
from chorus_ingest.app import create_app as create_ingest
from chorus_ingest.settings import IngestSettings
from chorus_responder.app import create_app as create_responder
from chorus_router.app import create_app as create_router
from chorus_router.settings import RouterSettings

from services.responder.tests.responder_helpers import settings as responder_settings
from tests.support.fixtures import FAST_KAFKA_ENV, auth, running, token
from tests.support.oidc import sign_in
from tests.support.serve import served
from tests.support.wait import wait_for

pytestmark = pytest.mark.integration

CONSOLE = "chorus-console"
REDIRECT = "http://127.0.0.1:8080/"
DEMO = "demo.chorus.example"
ADMIN = auth("admin")
USERS = [
    IdPUser(sub="idp-lena", email=f"lena@{DEMO}", password="demo"),  # lead of legal, by e-mail
    IdPUser(sub="idp-tom", email="tom@corp.example", password="demo"),  # by subject only
    IdPUser(sub="idp-uma", email=f"uma@{DEMO}", password="demo"),
    IdPUser(sub="idp-zed", email=f"zed@{DEMO}", password="demo"),  # not in the directory
]
CLIENTS = [
    IdPClient(client_id=CONSOLE, redirect_uris=(REDIRECT,)),
    IdPClient(client_id="short", redirect_uris=(REDIRECT,), access_token_ttl=1),
    IdPClient(client_id="other-tenant", redirect_uris=(REDIRECT,), audience="urn:other:api"),
]


def _provider(tmp: Path) -> DevIdP:
    return DevIdP(port=free_port(), workdir=tmp, users=USERS, clients=CLIENTS)


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevIdP]:
    provider = _provider(tmp_path_factory.mktemp("idp")).start()
    yield provider
    provider.stop()


async def token_for(idp: DevIdP, login: str, client_id: str = CONSOLE) -> str:
    tokens = await asyncio.to_thread(
        sign_in, idp.issuer, client_id=client_id, redirect_uri=REDIRECT, login=login,
        password="demo",
    )  # fmt: skip
    return str(tokens["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


SERVICES = ("router", "responder")


@dataclass
class Chorus:
    router: httpx.AsyncClient
    responder: httpx.AsyncClient

    async def answer(self, service: str, token: str) -> tuple[int, str | None]:
        """What ``service`` answers ``token`` on a read every member may make."""
        client, path = (
            (self.router, "/v1/me") if service == "router" else (self.responder, "/v1/templates")
        )
        r = await client.get(path, headers=bearer(token))
        return r.status_code, r.json().get("code") if r.status_code >= 400 else None


@asynccontextmanager
async def stack(idp: DevIdP, tmp_path: Path) -> AsyncIterator[Chorus]:
    """The router served on a port (the directory), the responder asking it over HTTP."""
    oidc: dict[str, Any] = {"oidc_issuer": idp.issuer, "oidc_leeway_seconds": 1}
    bus = MemoryBroker(partitions=4)
    router = create_router(
        RouterSettings(
            database_url=f"sqlite+aiosqlite:///{tmp_path}/router.db", consumer_enabled=False,
            **oidc, **FAST_KAFKA_ENV,
        ),
        bus=bus,
    )  # fmt: skip
    async with served(router) as router_url:
        responder = create_responder(
            responder_settings(
                f"sqlite+aiosqlite:///{tmp_path}/responder.db", router_url=router_url,
                consumer_enabled=False, sender_enabled=False, **oidc,
            ),
            bus=bus,
        )  # fmt: skip
        async with (
            httpx.AsyncClient(base_url=router_url, timeout=10) as r,
            running(responder) as s,
        ):
            yield Chorus(router=r, responder=s)


@pytest.fixture
async def chorus(idp: DevIdP, tmp_path: Path) -> AsyncIterator[Chorus]:
    async with stack(idp, tmp_path) as services:
        yield services


async def test_a_signed_in_member_has_the_directorys_role_and_teams_everywhere(
    idp: DevIdP, chorus: Chorus
) -> None:
    lena = bearer(await token_for(idp, f"lena@{DEMO}"))
    me = (await chorus.router.get("/v1/me", headers=lena)).json()
    assert (me["member_id"], me["role"], me["teams"]) == ("lena", "lead", ["legal"])
    assert "rules:write" in me["scopes"]  # a lead's scopes, from the role
    assert (await chorus.router.get("/v1/cases", headers=lena)).status_code == 200
    for team in ("legal", "support"):
        body = {"team": team, "lang": "en", "name": f"{team} hello", "body": "Hello"}
        r = await chorus.responder.post("/v1/templates", json=body, headers=ADMIN)
        assert r.status_code == 201, r.text
    r = await chorus.responder.get("/v1/templates", headers=lena)
    assert r.status_code == 200, r.text
    assert [t["team"] for t in r.json()["templates"]] == ["legal"]
    # Tom's provider e-mail is not the directory's: he maps by subject once it is set.
    tom = bearer(await token_for(idp, "tom@corp.example"))
    unknown = (await chorus.router.get("/v1/me", headers=tom)).json()
    assert unknown["code"] == "member_unknown"
    assert "'idp-tom'" in unknown["detail"]  # what to hand an administrator to be linked
    r = await chorus.router.patch(
        "/v1/members/tom", json={"oidc_subject": "idp-tom"}, headers=ADMIN
    )
    assert r.status_code == 200, r.text
    me = (await chorus.router.get("/v1/me", headers=tom)).json()
    assert (me["member_id"], me["role"], me["teams"]) == ("tom", "agent", ["support"])
    r = await chorus.responder.get("/v1/templates", headers=tom)
    assert [t["team"] for t in r.json()["templates"]] == ["support"]


async def test_ingest_and_analytics_map_signed_in_members_through_the_router(
    idp: DevIdP, tmp_path: Path
) -> None:
    common: dict[str, Any] = {"oidc_issuer": idp.issuer, "consumer_enabled": False}
    router = create_router(RouterSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/router.db", **common, **FAST_KAFKA_ENV,
    ), bus=MemoryBroker(partitions=4))  # fmt: skip
    lena = bearer(await token_for(idp, f"lena@{DEMO}"))
    zed = bearer(await token_for(idp, f"zed@{DEMO}"))
    async with served(router) as router_url:
        ingest = create_ingest(IngestSettings(
            database_url=f"sqlite+aiosqlite:///{tmp_path}/ingest.db", router_url=router_url,
            poller_enabled=False, **common, **FAST_KAFKA_ENV,
        ), bus=MemoryBroker(partitions=4))  # fmt: skip
        analytics = create_analytics(AnalyticsSettings(
            database_url=f"sqlite+aiosqlite:///{tmp_path}/analytics.db", router_url=router_url,
            spike_check_seconds=0, metrics_refresh_seconds=0, **common, **FAST_KAFKA_ENV,
        ), bus=MemoryBroker(partitions=4))  # fmt: skip
        async with running(ingest) as i, running(analytics) as a:
            for client, path in ((i, "/v1/channels"), (a, "/v1/reports/summary")):
                assert (await client.get(path, headers=lena)).status_code == 200
                r = await client.get(path, headers=zed)
                assert (r.status_code, r.json()["code"]) == (403, "member_unknown")
            # Lena leads legal only: another team's figures are not hers to read.
            r = await a.get("/v1/reports/volume", params={"team": "support"}, headers=lena)
            assert r.status_code == 403, r.text


async def test_unknown_and_deactivated_members_are_refused_at_once(
    idp: DevIdP, chorus: Chorus
) -> None:
    zed = await token_for(idp, f"zed@{DEMO}")
    uma = await token_for(idp, f"uma@{DEMO}")
    for service in SERVICES:
        assert await chorus.answer(service, zed) == (403, "member_unknown")
        assert await chorus.answer(service, uma) == (200, None)
    assert (await chorus.router.delete("/v1/members/uma", headers=ADMIN)).status_code == 200
    assert await chorus.answer("router", uma) == (403, "member_inactive")  # its own directory

    async def refused() -> bool:
        return await chorus.answer("responder", uma) == (403, "member_inactive")

    # The other services keep the router's answer about a second.
    await wait_for(refused, timeout=3, what="the responder refusing a deactivated member")


async def test_expired_foreign_and_misaddressed_tokens_are_refused(
    idp: DevIdP, chorus: Chorus, tmp_path: Path
) -> None:
    expired = await token_for(idp, f"lena@{DEMO}", client_id="short")
    exp = jwt.decode(expired, options={"verify_signature": False})["exp"]
    other_tenant = await token_for(idp, f"lena@{DEMO}", client_id="other-tenant")
    second = _provider(tmp_path / "second").start()
    try:
        other_issuer = await token_for(second, f"lena@{DEMO}")
    finally:
        second.stop()

    async def past_expiry() -> bool:
        return time.time() > exp + 1  # the leeway the services are given

    await wait_for(past_expiry, timeout=10, what="the short-lived token's expiry")
    for refused, code in (
        (expired, "token_expired"),
        (other_tenant, "token_invalid"),  # its audience is another API's
        (other_issuer, "token_invalid"),  # another provider's: not ours to trust
    ):
        for service in SERVICES:
            assert await chorus.answer(service, refused) == (401, code)


async def test_only_the_providers_public_key_algorithms_are_accepted(
    idp: DevIdP, chorus: Chorus
) -> None:
    genuine = jwt.decode(await token_for(idp, f"lena@{DEMO}"), options={"verify_signature": False})
    kid = httpx.get(f"{idp.issuer}/jwks").json()["keys"][0]["kid"]
    forged = [  # HS256 claiming the provider: with Chorus's own secret, and with its key id
        jwt.encode(genuine, DEV_TOKEN_SECRET, algorithm="HS256"),
        jwt.encode(genuine, DEV_TOKEN_SECRET, algorithm="HS256", headers={"kid": kid}),
    ]
    for forgery in forged:
        for service in SERVICES:
            assert await chorus.answer(service, forgery) == (401, "token_invalid")


async def test_a_rotated_signing_key_is_picked_up_and_the_old_one_dropped(
    tmp_path: Path,
) -> None:
    idp = _provider(tmp_path / "idp").start()
    try:
        async with stack(idp, tmp_path) as chorus:
            old = await token_for(idp, f"lena@{DEMO}")
            for service in SERVICES:
                assert await chorus.answer(service, old) == (200, None)
            await asyncio.to_thread(idp.rotate_keys)  # new key ids; no service restarted
            new = await token_for(idp, f"lena@{DEMO}")
            for service in SERVICES:

                async def accepted(service: str = service) -> bool:
                    return await chorus.answer(service, new) == (200, None)

                # An unknown key id refetches the key set at most once per cooldown (5 s).
                await wait_for(accepted, timeout=15, interval=0.5, what="the new key's token")
                assert await chorus.answer(service, old) == (401, "token_invalid")
    finally:
        idp.stop()


async def test_an_unreachable_provider_is_a_503_not_a_500(tmp_path: Path) -> None:
    idp = _provider(tmp_path / "idp").start()
    try:
        async with stack(idp, tmp_path) as chorus:
            token = await token_for(idp, f"lena@{DEMO}")
            idp.stop()
            for service in SERVICES:
                assert await chorus.answer(service, token) == (503, "idp_unavailable")
    finally:
        idp.stop()


async def test_a_cli_token_must_name_an_existing_member(chorus: Chorus) -> None:
    nobody = token("agent", member_id="nobody", teams=("legal",))
    lena = token("agent", member_id="lena", teams=("legal",))
    for service in SERVICES:
        assert await chorus.answer(service, nobody) == (403, "member_unknown")
        assert await chorus.answer(service, lena) == (200, None)
