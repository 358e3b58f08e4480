"""Every item of every listed fixture of a platform ends as a post, an error, a skip or a
follow-up read (``items.json`` gives the count a person reading the payload makes)."""

from __future__ import annotations

import json
from typing import Any

from chorus_platforms.kit.inbound import RawInput
from chorus_platforms.registry import CONNECTORS

from services.ingest.tests.connector_kit import FIXTURES


def listed(slug: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((FIXTURES / slug / "items.json").read_text())
    return doc


def assert_accounted(slug: str) -> None:
    """Each fixture file of ``slug`` is listed, and its items are all accounted for."""
    counts = listed(slug)
    files = {p.name for p in (FIXTURES / slug).iterdir() if p.suffix in (".json", ".xml")}
    assert files - {"items.json"} == set(counts)
    for name, spec in counts.items():
        spec = spec if isinstance(spec, dict) else {"items": spec}
        raw = RawInput(
            (FIXTURES / slug / name).read_bytes(),
            spec.get("content_type", "application/json"),
            channel=spec.get("channel"),
        )
        result = CONNECTORS[slug].normalize(raw)
        found = len(result.posts) + len(result.errors) + len(result.skipped)
        assert found + len(result.fetches) == spec["items"], name
