"""The generic shape says which items the brand wrote itself (``from_brand``)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from chorus_platforms.generic.inbound import GenericConnector
from chorus_platforms.kit.inbound import RawInput


def _posts(*items: Any) -> list[tuple[str, bool]]:
    result = GenericConnector().normalize(RawInput(body=orjson.dumps({"posts": list(items)})))
    assert result.errors == []
    return [(p.id, p.from_brand) for p in result.posts]


@pytest.mark.unit
def test_a_generic_item_marked_from_brand_is_the_brands_and_others_are_not() -> None:
    base = {"channel": "crm", "author": {"id": "u"}, "created_at": "2026-01-01T00:00:00Z"}
    customer = {**base, "id": "c1", "text": "Where is my parcel?"}
    brand = {**base, "id": "b1", "text": "On its way!", "in_reply_to": "c1", "from_brand": True}
    assert _posts(customer, brand) == [("generic:c1", False), ("generic:b1", True)]
