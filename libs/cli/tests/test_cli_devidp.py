"""The development identity provider (npm oidc-provider) issues verifiable access tokens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest
from chorus_cli.devidp import DevIdP, IdPClient, IdPUser
from chorus_cli.embedded import free_port

from tests.support.oidc import sign_in

pytestmark = pytest.mark.integration

REDIRECT = "http://127.0.0.1:8080/"


@pytest.fixture
def idp(tmp_path: Path) -> Iterator[DevIdP]:
    provider = DevIdP(
        port=free_port(),
        workdir=tmp_path,
        users=[IdPUser(sub="m-ana", email="ana@example.com", password="s3cret", name="Ana")],
        clients=[IdPClient(client_id="console", redirect_uris=(REDIRECT,))],
    ).start()
    yield provider
    provider.stop()


def _verify(idp: DevIdP, token: str) -> dict[str, object]:
    keys = jwt.PyJWKClient(f"{idp.issuer}/jwks")
    key = keys.get_signing_key_from_jwt(token)
    claims: dict[str, object] = jwt.decode(
        token, key.key, algorithms=["RS256"], audience=idp.audience, issuer=idp.issuer
    )
    return claims


def test_sign_in_gives_an_access_token_for_the_api(idp: DevIdP) -> None:
    tokens = sign_in(
        idp.issuer,
        client_id="console",
        redirect_uri=REDIRECT,
        login="ana@example.com",
        password="s3cret",
    )
    claims = _verify(idp, tokens["access_token"])
    assert claims["sub"] == "m-ana"
    assert claims["email"] == "ana@example.com"
    assert claims["email_verified"] is True


def test_a_wrong_password_is_refused(idp: DevIdP) -> None:
    with pytest.raises(AssertionError, match="login refused: 401"):
        sign_in(
            idp.issuer,
            client_id="console",
            redirect_uri=REDIRECT,
            login="ana@example.com",
            password="wrong",
        )


def test_rotated_keys_have_new_ids(idp: DevIdP) -> None:
    before = {k["kid"] for k in httpx.get(f"{idp.issuer}/jwks").json()["keys"]}
    idp.rotate_keys()
    after = {k["kid"] for k in httpx.get(f"{idp.issuer}/jwks").json()["keys"]}
    assert before and after and not before & after
    tokens = sign_in(
        idp.issuer,
        client_id="console",
        redirect_uri=REDIRECT,
        login="ana@example.com",
        password="s3cret",
    )
    assert jwt.get_unverified_header(tokens["access_token"])["kid"] in after
