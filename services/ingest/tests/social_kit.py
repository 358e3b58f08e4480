"""Shared test helpers for the social connectors (X, Meta, LinkedIn): signatures, hostile inputs."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from chorus_platforms.kit.inbound import NormalizeError, NormalizeResult, RawInput
from hypothesis import strategies as st

from services.ingest.tests.connector_kit import byte_edits, clean_outcome, mutated

APP_SECRET = "meta-app-secret-ä"
VERIFY_TOKEN = "my-verify-token"
META_SECRETS = {"app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN}


def meta_headers(body: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"x-hub-signature-256": f"sha256={digest}"}


def assert_clean(connector: Any, data: RawInput) -> NormalizeResult | NormalizeError:
    """Only valid posts, coded item errors or a coded NormalizeError; never a connector bug."""
    outcome = clean_outcome(connector, data)
    if isinstance(outcome, NormalizeResult):
        assert all(e.code != "connector_bug" for e in outcome.errors), outcome.errors
        for post in outcome.posts:
            assert post.thread_id and post.channel and post.author.id
    return outcome


def _strings(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    if isinstance(node, str) and prefix:
        out.append(prefix)
    elif isinstance(node, dict):
        for k, v in node.items():
            out.extend(_strings(v, (*prefix, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(_strings(v, (*prefix, i)))
    return out


def _replace(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return doc


@st.composite
def huge_strings(draw: st.DrawFn, doc: Any) -> bytes:
    """The document with one string field made enormous (ids, names, text) or full of NULs."""
    copy = json.loads(json.dumps(doc))
    paths = _strings(copy)
    path = draw(st.sampled_from(paths))
    filler = draw(st.sampled_from(["é", "😀", "a", "\x00", "\u202e", "&amp;"]))
    size = draw(st.sampled_from([257, 4097, 100_001, 300_000]))
    return json.dumps(_replace(copy, path, filler * size)).encode()


@st.composite
def deep_nesting(draw: st.DrawFn, doc: Any) -> bytes:
    """The document with one value buried under hundreds (or thousands) of levels."""
    copy = json.loads(json.dumps(doc))
    paths = _strings(copy)
    path = draw(st.sampled_from(paths))
    depth = draw(st.sampled_from([50, 500, 1020, 3000]))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
    marker = "__DEEP__"
    text = json.dumps(_replace(copy, path, marker))
    return text.replace(f'"{marker}"', opener * depth + "1" + closer * depth).encode()


def hostile(doc: Any) -> st.SearchStrategy[bytes]:
    """Malformed and hostile variants of a documented payload, plus random bytes."""
    body = json.dumps(doc).encode()
    return st.one_of(
        st.binary(max_size=200),
        mutated(doc),
        huge_strings(doc),
        deep_nesting(doc),
        byte_edits(body),
    )
