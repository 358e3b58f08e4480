"""The one item loop of every connector: bad items become errors, the rest is kept."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

import pytest
from chorus_common.contracts.events import Author, Post
from chorus_platforms.kit import items as kit_items
from chorus_platforms.kit.fields import ItemProblem, Skip
from chorus_platforms.kit.inbound import NormalizeError, RawInput
from chorus_platforms.kit.items import Items, collect, load_json
from chorus_platforms.kit.times import epoch_time, iso_time

pytestmark = pytest.mark.unit

T0 = datetime(2024, 6, 3, 16, 30, tzinfo=UTC)


def post(native_id: str, text: str = "hello") -> Post:
    return Post(
        id=Post.make_id("generic", native_id),
        platform="generic",
        channel="c",
        kind="post",
        native_id=native_id,
        thread_id=Post.make_id("generic", native_id),
        author=Author(id="a"),
        text=text,
        created_at=T0,
    )


def broken(code: str) -> Post:
    raise ItemProblem(code, "bad item", "from.id", native_id="n2")


def test_a_problem_names_the_item_its_field_under_the_path_and_keeps_the_others() -> None:
    items = Items()
    items.add("entry[0]", {"a": 1}, "n1", post, "n1")
    items.add("entry[1]", {"b": 2}, None, broken, "missing_author")
    items.add("entry[2]", {"c": 3}, "n3", lambda: None)  # an ignored event
    assert [p.native_id for p in items.result.posts] == ["n1"]
    (error,) = items.result.errors
    assert (error.code, error.field, error.index, error.native_id, error.raw) == (
        "missing_author",
        "entry[1].from.id",
        1,
        "n2",
        {"b": 2},
    )


def reaction() -> Post:
    raise Skip("reaction", "a like is not something said")


def test_every_item_ends_as_a_post_an_error_or_a_skip_with_its_reason() -> None:
    items = Items()
    items.add("entry[0]", {}, "n1", post, "n1")
    items.add("entry[1]", {}, "n2", reaction)
    items.add("entry[2]", {}, "n3", lambda: None)
    items.add("entry[3]", {}, "n4", broken, "invalid_field")
    result = items.result
    assert [p.native_id for p in result.posts] == ["n1"]
    assert [(k.index, k.code, k.native_id) for k in result.skipped] == [
        (1, "reaction", "n2"),
        (2, "not_read", "n3"),
    ]
    assert result.skipped[0].reason == "a like is not something said"
    assert [(e.index, e.code) for e in result.errors] == [(3, "invalid_field")]


def test_ordinary_errors_are_the_items_fault_only_in_a_lenient_loop() -> None:
    def parse_fails() -> Post:
        raise ValueError("address parts cannot contain CR or LF")

    strict, lenient = Items(), Items(lenient=True)
    strict.add("messages[0]", "raw", None, parse_fails)
    lenient.add("", "raw", None, parse_fails)
    assert strict.result.errors[0].code == "connector_bug"
    assert (lenient.result.errors[0].code, lenient.result.errors[0].message) == (
        "invalid_item",
        "address parts cannot contain CR or LF",
    )


def test_a_canonical_post_the_schema_refuses_names_the_field() -> None:
    result = collect([({"id": "x"}, lambda: post("x", text="x" * 100_001))])
    (error,) = result.errors
    assert error.code == "invalid_field"
    assert (error.field, error.message.split(":")[0]) == ("text", "text")


def test_a_page_with_too_many_items_is_read_up_to_the_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(kit_items, "MAX_ITEMS", 3)
    result = collect((str(i), partial(post, str(i))) for i in range(5))
    assert [p.native_id for p in result.posts] == ["0", "1", "2"]
    assert [(e.code, e.index) for e in result.errors] == [("too_many_items", 3)]


def test_a_failed_items_id_and_copy_come_from_the_callers_readers_safely() -> None:
    def no_id(item: object) -> str | None:
        raise KeyError("id")

    result = collect(
        [("<item/>", lambda: broken("missing_id"))], native_id=no_id, dump=lambda i: f"xml:{i}"
    )
    (error,) = result.errors
    assert (error.native_id, error.raw, error.field) == ("n2", "xml:<item/>", "from.id")


def test_a_body_that_is_not_json_or_too_large_is_refused_as_a_whole() -> None:
    with pytest.raises(NormalizeError) as bad:
        load_json(RawInput(body=b"{"))
    assert bad.value.code == "invalid_json"
    with pytest.raises(NormalizeError) as big:
        load_json(RawInput(body=b" " * (kit_items.MAX_BODY_BYTES + 1)))
    assert big.value.code == "too_large"


@pytest.mark.parametrize(
    "value",
    ["2024-06-03T16:30:00Z", "2024-06-03T16:30:00z", "2024-06-03T18:30:00+0200", "20240603T1630"],
)
def test_iso_times_in_the_forms_platforms_send_are_read_as_utc(value: str) -> None:
    assert iso_time(value, "t") == T0


@pytest.mark.parametrize(("value", "unit"), [(1717432200, "s"), (1717432200000, "auto")])
def test_epoch_times_in_seconds_or_milliseconds_are_read_as_utc(value: int, unit: str) -> None:
    assert epoch_time(value, "t", unit=unit) == T0


@pytest.mark.parametrize("value", [0, -5, True, "soon", float("nan")])
def test_an_unusable_epoch_is_an_item_problem(value: object) -> None:
    with pytest.raises(ItemProblem) as problem:
        epoch_time(value, "t")
    assert problem.value.code == "invalid_time"
