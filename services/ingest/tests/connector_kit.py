"""Test helpers for the connector suites: fixtures, field-by-field expectations, hostile inputs."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chorus_common.contracts.events import Post
from chorus_platforms.kit.inbound import NormalizeError, NormalizeResult, RawInput
from hypothesis import strategies as st

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2024, 6, 5, 12, 0, tzinfo=UTC)


def fixture(platform: str, name: str) -> bytes:
    return (FIXTURES / platform / name).read_bytes()


def fixture_json(platform: str, name: str) -> Any:
    return json.loads(fixture(platform, name))


def raw(body: bytes | Any, content_type: str = "application/json", **kw: Any) -> RawInput:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return RawInput(body=data, content_type=content_type, **kw)


def canonical(post: Post) -> dict[str, Any]:
    """Every canonical field except ``received_at`` (stamped at arrival, not by the payload)."""
    return post.model_dump(mode="json", exclude={"received_at"})


def expected(**fields: Any) -> dict[str, Any]:
    """A full canonical dict: the given fields over the model's defaults for the rest."""
    base: dict[str, Any] = {
        "url": None,
        "in_reply_to": None,
        "lang": None,
        "rating": None,
        "metrics": {"likes": 0, "shares": 0, "replies": 0, "views": 0},
        "media": [],
        "signals": {
            "sentiment_score": None,
            "sentiment_label": None,
            "keywords": [],
            "entities": {},
            "personal_data": False,
        },
        "from_brand": False,
    }
    author = {
        "handle": None,
        "display_name": None,
        "followers": None,
        "verified": False,
        "url": None,
    }
    author.update(fields.pop("author"))
    base.update(fields)
    base["author"] = author
    return base


def relay_headers(secret: str, body: bytes, at: datetime = NOW) -> dict[str, str]:
    stamp = str(int(at.timestamp()))
    sig = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"x-chorus-timestamp": stamp, "x-chorus-signature": f"sha256={sig}"}


def clean_outcome(connector: Any, data: RawInput) -> NormalizeResult | NormalizeError:
    """Normalize hostile input: only a result of valid posts or a coded NormalizeError may come out."""
    error: NormalizeError | None = None
    try:
        result = connector.normalize(data)
    except NormalizeError as exc:
        error = exc
    if error is not None:
        assert error.code and str(error)
        return error
    assert isinstance(result, NormalizeResult)
    for post in result.posts:
        assert isinstance(post, Post)
        Post.model_validate(post.model_dump())  # still valid through a round trip
        assert post.id == f"{post.platform}:{post.native_id}"
        offset = post.created_at.utcoffset()
        assert offset is not None and offset.total_seconds() == 0
    for err in result.errors:
        assert err.code and err.message
    return result


# --------------------------------------------------------------------------- strategies

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.sampled_from(["", "ONE", "FIVE", "t1", "t3", "mention", "2024-01-01T00:00:00Z", "9" * 30]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(_paths(v, (*prefix, i)))
    return out


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if value is _DELETE and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = None if value is _DELETE else value
    return doc


_DELETE = object()


@st.composite
def mutated(draw: st.DrawFn, doc: Any) -> bytes:
    """The document with a few fields replaced by arbitrary JSON or removed."""
    copy = json.loads(json.dumps(doc))
    paths = _paths(copy)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = _paths(copy)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        value = draw(st.one_of(json_values, st.just(_DELETE)))
        try:
            copy = _set(copy, path, value)
        except (KeyError, IndexError, TypeError):
            continue
    return json.dumps(copy).encode()


@st.composite
def byte_edits(draw: st.DrawFn, body: bytes) -> bytes:
    """The bytes with a few slices cut, duplicated or overwritten with random bytes."""
    data = bytearray(body)
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        if not data:
            break
        start = draw(st.integers(min_value=0, max_value=len(data) - 1))
        end = draw(st.integers(min_value=start, max_value=min(len(data), start + 64)))
        action = draw(st.sampled_from(["cut", "dup", "noise"]))
        if action == "cut":
            del data[start:end]
        elif action == "dup":
            data[start:start] = data[start:end]
        else:
            data[start:end] = draw(st.binary(max_size=32))
    return bytes(data)
