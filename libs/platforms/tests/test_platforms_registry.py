"""The registry describes every platform once, consistently with the event schema and the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from chorus_common.contracts.events import PLATFORMS as SCHEMA_PLATFORMS
from chorus_platforms.registry import CONNECTORS, PLATFORMS, POLL_SOURCES, SENDERS

pytestmark = pytest.mark.unit

README = Path(__file__).resolve().parents[3] / "README.md"


def test_every_platform_of_the_post_schema_is_registered_once() -> None:
    assert sorted(PLATFORMS) == sorted(SCHEMA_PLATFORMS)
    assert all(slug == p.slug for slug, p in PLATFORMS.items())


def test_every_platform_folder_is_a_slug_of_the_post_schema() -> None:
    package = Path(__file__).resolve().parents[1] / "src" / "chorus_platforms"
    folders = {p.parent.name for p in package.glob("*/__init__.py")}
    assert folders - {"kit", "meta"} == set(SCHEMA_PLATFORMS)


def test_each_adapter_names_the_platform_it_is_registered_under() -> None:
    assert {slug: c.platform for slug, c in CONNECTORS.items()} == {s: s for s in CONNECTORS}
    assert {slug: s.platform for slug, s in POLL_SOURCES.items()} == {s: s for s in POLL_SOURCES}
    assert {slug: s.platform for slug, s in SENDERS.items()} == {s: s for s in SENDERS}


def test_every_reply_route_ends_at_a_sender_with_a_limit() -> None:
    for platform in PLATFORMS.values():
        for kind, route in platform.replies.items():
            target = PLATFORMS[route.adapter]
            assert target.sender is not None, (platform.slug, kind)
            assert target.limit is not None and target.limit.maximum > 0, (platform.slug, kind)


def test_a_platform_that_sends_has_a_default_api_or_is_reached_otherwise() -> None:
    for platform in PLATFORMS.values():
        if platform.sender is None or platform.slug == "email":  # e-mail goes over SMTP
            continue
        assert platform.base_url("@brand@example.social").startswith("https://"), platform.slug


def test_the_readme_platform_table_lists_each_platform_with_its_secrets() -> None:
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\| `(\w+)` \|[^|]*\|([^|]*)\|", README.read_text(), re.M)
    }
    for slug, platform in PLATFORMS.items():
        assert slug in rows, f"README has no row for {slug}"
        for secret in platform.secrets:
            assert f"`{secret}`" in rows[slug], f"README row of {slug} misses {secret}"
