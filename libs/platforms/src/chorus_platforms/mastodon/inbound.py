"""Mastodon: Status entities, ``mention`` notifications, context responses and server webhooks.

Shapes: https://docs.joinmastodon.org/entities/Status, /entities/Notification,
/entities/Context and /admin/webhooks (``{"event": "status.created", "object": Status}``,
signed ``X-Hub-Signature: sha256=<hex HMAC of the body>``).

Threads: the API gives a status's parent (``in_reply_to_id``), not its root. The root is found
by walking parents present in the same payload (a ``/context`` response has them all); when a
parent is not in the payload, the farthest known ``in_reply_to_id`` stands for the root, which
is exact for direct replies to a top-level post and splits deeper chains whose middle is
missing. A status that replies to nothing is its own thread. A boost (``reblog``) is read as
the boosted status. Ids are local to the instance the channel is on.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson
from chorus_common.contracts.events import Author, Media, Metrics, Post, PostKind

from chorus_platforms.kit import fields as fk
from chorus_platforms.kit import polling as fp
from chorus_platforms.kit import signatures
from chorus_platforms.kit.html import html_to_text
from chorus_platforms.kit.inbound import (
    NoHandshake,
    NormalizeError,
    NormalizeResult,
    PollRequest,
    RawInput,
)
from chorus_platforms.kit.items import ITEM_ERRORS, collect, load_json, page_list
from chorus_platforms.kit.times import iso_time

PLATFORM = "mastodon"
_MAX_CHAIN = 1000


class MastodonConnector(NoHandshake):
    """Pure adapter for Mastodon statuses and mention notifications; idempotent by status id."""

    platform = PLATFORM

    def normalize(self, raw: RawInput) -> NormalizeResult:
        data = load_json(raw)
        entries = _entries(data)
        parents = _parent_map(entries)
        return collect(
            ((entry, _builder(entry, parents, raw.channel)) for entry, _ in entries),
            native_id=lambda e: _status_id(_unwrap(e)[0]),
        )

    def verify(self, raw: RawInput, secrets: Mapping[str, str], now: datetime) -> None:
        """Mastodon webhooks: ``X-Hub-Signature: sha256=…`` with ``secrets['webhook_secret']``."""
        signatures.hub_signature(raw, secrets, "webhook_secret")

    def poll_request(self, config: Mapping[str, Any], cursor: Mapping[str, Any]) -> PollRequest:
        """``/api/v1/notifications?types[]=mention`` after ``min_id`` (oldest unseen first)."""
        instance = fp.require(config, "instance").rstrip("/")
        if "://" not in instance:
            instance = f"https://{instance}"
        params = {"types[]": "mention", "limit": "40"}
        if cursor.get("min_id"):
            params["min_id"] = str(cursor["min_id"])
        headers = fp.json_headers(config)
        return PollRequest(url=f"{instance}/api/v1/notifications", params=params, headers=headers)

    def advance(
        self, cursor: Mapping[str, Any], result: NormalizeResult, raw: RawInput
    ) -> dict[str, Any]:
        """``min_id`` moves to the highest notification id of the page (ids are numeric strings)."""
        try:
            data = orjson.loads(raw.body)
        except orjson.JSONDecodeError:
            return dict(cursor)
        ids = [
            n["id"]
            for n in (data if isinstance(data, list) else [])
            if isinstance(n, dict) and isinstance(n.get("id"), str) and n["id"].isdigit()
        ]
        out = dict(cursor)
        current = cursor.get("min_id")
        candidates = [*ids, *([current] if isinstance(current, str) and current.isdigit() else [])]
        if candidates:
            out["min_id"] = max(candidates, key=lambda i: (len(i.lstrip("0")), i.lstrip("0")))
        return out


def _entries(data: Any) -> list[tuple[Any, str | None]]:
    """(entry, kind hint) pairs: statuses, notifications, webhook events, or a context."""
    if isinstance(data, dict) and "event" in data and "object" in data:
        return [(data["object"], None)]
    if isinstance(data, dict) and ("ancestors" in data or "descendants" in data):
        out: list[tuple[Any, str | None]] = []
        for key in ("ancestors", "descendants"):
            part = page_list(data, key)
            out.extend((s, None) for s in part)
        return out
    if isinstance(data, dict) and ("content" in data or "type" in data):
        return [(data, None)]
    if isinstance(data, list):
        return [(item, None) for item in data]
    raise NormalizeError(
        "invalid_shape", "expected a Status, Notification, list of them or a Context"
    )


def _unwrap(entry: Any) -> tuple[Mapping[str, Any] | None, PostKind | None]:
    """The status an entry carries (None for follows, favourites, …) and a kind hint."""
    e = fk.obj(entry, "entry")
    if "type" in e and "content" not in e:  # a Notification
        if e.get("type") != "mention":
            return None, None  # not a message anyone wrote: nothing to answer
        return fk.obj(e.get("status"), "status"), "mention"
    if isinstance(e.get("reblog"), dict):
        return e["reblog"], None
    return e, None


def _parent_map(entries: list[tuple[Any, str | None]]) -> dict[str, str | None]:
    parents: dict[str, str | None] = {}
    for entry, _ in entries:
        try:
            status, _hint = _unwrap(entry)
        except ITEM_ERRORS:
            continue
        if status is None:
            continue
        sid = _status_id(status)
        if sid is not None:
            parent = status.get("in_reply_to_id")
            parents[sid] = str(parent) if isinstance(parent, str | int) and parent != "" else None
    return parents


def _root(status_id: str, parents: Mapping[str, str | None]) -> str:
    current, seen = status_id, {status_id}
    for _ in range(_MAX_CHAIN):
        parent = parents.get(current)
        if parent is None or parent in seen:
            return current
        seen.add(parent)
        current = parent
    return current


def _builder(entry: Any, parents: Mapping[str, str | None], channel: str | None) -> Any:
    def build() -> list[Post]:
        status, hint = _unwrap(entry)
        if status is None:
            kind = str(fk.opt_obj(entry).get("type"))[:40]
            raise fk.Skip("notification_type", f"a {kind} notification carries nothing written")
        return [_post(status, hint, parents, channel)]

    return build


def _post(
    s: Mapping[str, Any],
    hint: PostKind | None,
    parents: Mapping[str, str | None],
    channel: str | None,
) -> Post:
    sid = fk.native(s.get("id"), "id")
    parent_raw = s.get("in_reply_to_id")
    parent = fk.native(parent_raw, "in_reply_to_id") if parent_raw not in (None, "") else None
    local = dict(parents)
    local[sid] = parent
    root = _root(sid, local)
    account = fk.obj(s.get("account"), "account")
    acct = fk.opt_str(account.get("acct")) or fk.opt_str(account.get("username"))
    mentions = [m for m in (s.get("mentions") or []) if isinstance(m, dict)]
    kind: PostKind = (
        "dm" if s.get("visibility") == "direct" else "reply" if parent else hint or "post"
    )
    spoiler = s.get("spoiler_text") if isinstance(s.get("spoiler_text"), str) else ""
    text = fk.join_title(spoiler or "", html_to_text(fk.text_of(s.get("content"), "content")))
    return Post(
        id=Post.make_id(PLATFORM, sid),
        platform=PLATFORM,
        channel=channel or _first_acct(mentions) or (f"@{acct}" if acct else "mastodon"),
        kind=kind,
        native_id=sid,
        url=fk.opt_str(s.get("url")) or fk.opt_str(s.get("uri")),
        thread_id=Post.make_id(PLATFORM, root),
        in_reply_to=Post.make_id(PLATFORM, parent) if parent else None,
        author=Author(
            id=fk.native(account.get("id"), "account.id"),
            handle=f"@{acct}" if acct else None,
            display_name=fk.opt_str(account.get("display_name")) or acct,
            followers=fk.count(account.get("followers_count")),
            url=fk.opt_str(account.get("url")),
        ),
        text=fk.clip(text),
        lang=_lang(s.get("language")),
        created_at=iso_time(s.get("created_at"), "created_at"),
        metrics=Metrics(
            likes=fk.count(s.get("favourites_count")),
            shares=fk.count(s.get("reblogs_count")),
            replies=fk.count(s.get("replies_count")),
        ),
        media=tuple(_media(s.get("media_attachments"))),
    )


def _first_acct(mentions: list[dict[str, Any]]) -> str | None:
    for m in mentions:
        acct = fk.opt_str(m.get("acct"))
        if acct:
            return f"@{acct}"
    return None


def _lang(value: Any) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= 16 else None


def _media(value: Any) -> list[Media]:
    out: list[Media] = []
    for m in value if isinstance(value, list) else []:
        if isinstance(m, dict) and fk.opt_str(m.get("url")) and fk.opt_str(m.get("type")):
            out.append(Media(type=str(m["type"])[:32], url=str(m["url"])))
    return out


def _status_id(status: Any) -> str | None:
    value = fk.opt_obj(status).get("id")
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None
