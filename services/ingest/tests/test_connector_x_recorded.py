"""X payloads copied verbatim from a client library's recorded test data (tweepy's cassettes)."""

from __future__ import annotations

import pytest
from chorus_platforms.x.inbound import XConnector

from services.ingest.tests.connector_kit import fixture, fixture_json, raw

pytestmark = pytest.mark.unit
X = XConnector()


def test_a_recorded_search_page_with_default_fields_names_each_missing_author() -> None:
    # tweepy asked for the default fields only: id and text, no author_id, no created_at
    result = X.normalize(raw(fixture("x", "tweepy_search_recent.json"), channel="1500000000"))
    ids = [t["id"] for t in fixture_json("x", "tweepy_search_recent.json")["data"]]
    assert result.posts == [] and result.skipped == [] and result.fetches == []
    assert [(e.code, e.field, e.native_id) for e in result.errors] == [
        ("missing_author", f"data[{i}].author_id", native) for i, native in enumerate(ids)
    ]
    assert ids[0] == "1578516068309794817" and len(ids) == 10
