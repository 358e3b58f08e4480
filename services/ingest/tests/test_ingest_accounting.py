"""No silent loss: every item of every platform fixture ends as a post, an error, a skip or a
follow-up read (``items.json`` in each folder gives the count a person reading it makes;
sub-folders hold the answers of follow-up reads, not deliveries)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from chorus_platforms.kit.inbound import RawInput
from chorus_platforms.registry import CONNECTORS

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).parent / "fixtures"
CONTENT_TYPES = {".json": "application/json", ".xml": "application/xml", ".eml": "message/rfc822"}
NOT_FIXTURES = {"items.json"}


def _listed() -> list[tuple[str, str, dict[str, Any]]]:
    cases = []
    for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        counts = json.loads((folder / "items.json").read_text())
        for name, spec in counts.items():
            cases.append((folder.name, name, spec if isinstance(spec, dict) else {"items": spec}))
    return cases


def test_every_fixture_of_every_platform_is_listed_with_its_item_count() -> None:
    for folder in (p for p in FIXTURES.iterdir() if p.is_dir()):
        assert folder.name in CONNECTORS, folder
        listed = set(json.loads((folder / "items.json").read_text()))
        present = {
            f.name
            for f in folder.iterdir()
            if f.is_file() and f.suffix in CONTENT_TYPES and f.name not in NOT_FIXTURES
        }
        assert listed == present, folder.name


@pytest.mark.parametrize(("platform", "name", "spec"), _listed())
def test_no_item_of_a_fixture_is_unaccounted_for(
    platform: str, name: str, spec: dict[str, Any]
) -> None:
    path = FIXTURES / platform / name
    raw = RawInput(
        body=path.read_bytes(),
        content_type=spec.get("content_type", CONTENT_TYPES[path.suffix]),
        channel=spec.get("channel"),
    )
    result = CONNECTORS[platform].normalize(raw)
    accounted = len(result.posts) + len(result.errors) + len(result.skipped) + len(result.fetches)
    assert accounted == spec["items"], (result.errors, result.skipped)
    assert all(k.code and k.reason for k in result.skipped)
