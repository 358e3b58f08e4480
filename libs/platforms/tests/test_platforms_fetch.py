"""The follow-up read a builder may ask for: collected in the item loop with the item's place,
then built at that same place from the JSON read, as one item."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from chorus_common.contracts.events import Author, Post
from chorus_platforms.kit.fields import ItemProblem, Skip
from chorus_platforms.kit.inbound import Fetch, Marked, Marker, NormalizeResult
from chorus_platforms.kit.items import Items, complete, merge

pytestmark = pytest.mark.unit
AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _post(native: str, text: str) -> Post:
    return Post(
        id=f"generic:{native}",
        platform="generic",
        channel="c",
        kind="comment",
        native_id=native,
        thread_id="generic:t",
        author=Author(id="a"),
        text=text,
        created_at=AT,
    )


def _then(data: Any) -> Marked:
    if data.get("gone"):
        raise Skip("deleted", "it was removed before we read it")
    if "text" not in data:
        raise ItemProblem("missing_field", "text is required", "text")
    if data.get("again"):
        return Fetch("https://api.example.com", "again", _then)  # type: ignore[return-value]
    return Marked(_post(data["id"], data["text"]), Marker("edits", 2))


def _loop() -> NormalizeResult:
    items = Items()
    items.add("a", {"id": "1"}, "1", lambda: _post("1", "first"))
    items.add(
        "b", {"id": "2", "n": 2}, "2", lambda: Fetch("https://api.example.com", "v1/2", _then)
    )
    return items.result


def test_a_fetch_is_collected_with_its_items_place_id_and_copy() -> None:
    result = _loop()
    assert [p.native_id for p in result.posts] == ["1"]
    (fetch,) = result.fetches
    assert (fetch.index, fetch.native_id, fetch.raw) == (1, "2", {"id": "2", "n": 2})
    assert (fetch.path, fetch.token, dict(fetch.params)) == ("v1/2", "access_token", {})


def test_the_read_builds_the_item_at_its_place_and_merges_with_its_marker() -> None:
    result = _loop()
    (fetch,) = result.fetches
    merge(result, complete(fetch, {"id": "2", "text": "second"}))
    assert [p.text for p in result.posts] == ["first", "second"]
    assert result.marker_at(1) == Marker("edits", 2)


@pytest.mark.parametrize(
    ("answer", "kind", "code"),
    [
        ({"gone": True}, "skipped", "deleted"),
        ({"id": "2"}, "errors", "missing_field"),
        ({"id": "2", "text": "x", "again": True}, "errors", "fetch_chain"),
    ],
)
def test_a_read_that_is_not_a_post_is_a_skip_or_an_error_at_the_items_place(
    answer: dict[str, Any], kind: str, code: str
) -> None:
    (fetch,) = _loop().fetches
    done = complete(fetch, answer)
    assert done.posts == [] and done.fetches == []
    found = getattr(done, kind)
    assert [(x.code, x.index) for x in found] == [(code, 1)]
    if kind == "errors":
        assert found[0].raw == {"id": "2", "n": 2}
