"""Sign in through a real OpenID provider as a browser would: the authorization-code flow with
PKCE, the provider's own login form filled in, the code exchanged for tokens."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from typing import Any
from urllib.parse import parse_qs, urljoin, urlparse

import httpx


def sign_in(
    issuer: str,
    *,
    client_id: str,
    redirect_uri: str,
    login: str,
    password: str,
    scope: str = "openid email profile chorus",
) -> dict[str, Any]:
    """The token response (``access_token``, ``id_token``…) for ``login``; raises on refusal."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    state = secrets.token_urlsafe(12)
    with httpx.Client(follow_redirects=False, timeout=10) as client:
        response = client.get(
            f"{issuer}/auth",
            params={
                "client_id": client_id,
                "response_type": "code",
                "redirect_uri": redirect_uri,
                "scope": scope,
                "state": state,
                "code_challenge": challenge.rstrip(b"=").decode(),
                "code_challenge_method": "S256",
            },
        )
        location = _follow(client, issuer, response)
        form = client.get(location)
        uid = re.search(r"/interaction/([\w-]+)/login", form.text)
        assert uid, f"no login form at {location}: {form.status_code}"
        response = client.post(
            f"{issuer}/interaction/{uid.group(1)}/login",
            data={"login": login, "password": password},
        )
        assert response.status_code == 303, f"login refused: {response.status_code}"
        location = _follow(client, issuer, response, until=redirect_uri)
        query = parse_qs(urlparse(location).query)
        assert query.get("state") == [state], f"unexpected redirect {location}"
        assert "code" in query, f"no code: {query.get('error_description')}"
        tokens = client.post(
            f"{issuer}/token",
            data={
                "grant_type": "authorization_code",
                "code": query["code"][0],
                "redirect_uri": redirect_uri,
                "client_id": client_id,
                "code_verifier": verifier,
            },
        )
        tokens.raise_for_status()
        body: dict[str, Any] = tokens.json()
        return body


def _follow(
    client: httpx.Client, issuer: str, response: httpx.Response, until: str | None = None
) -> str:
    """Follow the provider's redirects; the first location outside it (or at ``until``)."""
    for _ in range(10):
        location = urljoin(issuer + "/", response.headers.get("location", ""))
        if until is None and "/interaction/" in location:
            return location
        if until is not None and location.startswith(until):
            return location
        assert response.status_code in (302, 303), f"{response.status_code} at {location}"
        response = client.get(location)
    raise AssertionError("too many redirects at the identity provider")
