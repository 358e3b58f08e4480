"""ENVIRONMENT=production refuses guessable secrets: the placeholders shipped in deploy/,
the development default and low-entropy values, each with one line naming the variable."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
import yaml
from chorus_common.secrets_check import entropy_bits, weakness
from chorus_common.settings import CommonSettings
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

ROOT = Path(__file__).resolve().parents[3]
GOOD_SECRET = "9d4c1f7e2a6b0c8d3e5f7a1b9c2d4e6f8a0b1c3d5e7f9a2b"
GOOD_URL = "postgresql+asyncpg://chorus:Xq7%40vR2m9KpL4tZw@db:5432/chorus_router"


def _k8s_secrets() -> dict[str, str]:
    docs = yaml.safe_load_all((ROOT / "deploy/k8s/00-base.yaml").read_text())
    found = next(d for d in docs if d and d.get("metadata", {}).get("name") == "chorus-secrets")
    return dict(found["stringData"])


def _refusal(**settings: str) -> str:
    with pytest.raises(ValidationError) as caught:
        CommonSettings(environment="production", **settings)  # type: ignore[arg-type]
    errors = caught.value.errors()
    assert len(errors) == 1, errors
    message = str(errors[0]["msg"])
    assert "\n" not in message
    return message


@pytest.mark.unit
def test_the_kubernetes_placeholders_are_refused_in_production() -> None:
    shipped = _k8s_secrets()
    message = _refusal(token_secret=shipped["TOKEN_SECRET"], database_url=GOOD_URL)
    assert message.startswith("Value error, TOKEN_SECRET is a known placeholder")
    for key in ("INGEST_DATABASE_URL", "ROUTER_DATABASE_URL"):
        message = _refusal(token_secret=GOOD_SECRET, database_url=shipped[key])
        assert "DATABASE_URL: its password is a known placeholder" in message


@pytest.mark.unit
@pytest.mark.parametrize(
    ("secret", "why"),
    [
        ("chorus-development-secret-change-me-0123456789", "known placeholder"),
        ("x" * 64, "known placeholder"),
        ("z" * 64, "too little entropy"),
        ("ab" * 32, "too little entropy"),
        ("0123456789" * 4, "too little entropy"),
        ("short-but-random-Q7z", "shorter than 32"),
        ("my-super-password-for-production-2026", "known placeholder"),
    ],
)
def test_guessable_token_secrets_are_refused_naming_the_variable(secret: str, why: str) -> None:
    message = _refusal(token_secret=secret)
    assert "TOKEN_SECRET" in message and why in message


@pytest.mark.unit
def test_the_secret_never_appears_in_the_error() -> None:
    url = "postgresql+asyncpg://chorus:changeme-now@db/chorus"
    with pytest.raises(ValidationError) as caught:
        CommonSettings(environment="production", token_secret=GOOD_SECRET, database_url=url)
    assert "changeme-now" not in str(caught.value)
    assert "DATABASE_URL" in str(caught.value)


@pytest.mark.unit
@given(st.integers(16, 48))
def test_random_hex_secrets_always_pass(size: int) -> None:
    assert weakness(secrets.token_hex(size), min_length=32, min_bits=80) is None
    CommonSettings(environment="production", token_secret=secrets.token_hex(size))


@pytest.mark.unit
def test_outside_production_anything_goes_and_urls_without_password_pass() -> None:
    CommonSettings(
        environment="development", token_secret="x", database_url="postgresql+asyncpg://a:b@h/d"
    )
    CommonSettings(
        environment="production",
        token_secret=GOOD_SECRET,
        database_url="postgresql+asyncpg://chorus@db/chorus_router",  # peer or passfile auth
    )
    CommonSettings(environment="production", token_secret=GOOD_SECRET, database_url=GOOD_URL)
    assert entropy_bits("") == 0.0
