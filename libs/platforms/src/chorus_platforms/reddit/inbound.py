"""Reddit JSON API: Listings of submissions, comments and inbox items, comment trees included.

Shapes: https://github.com/reddit-archive/reddit/wiki/JSON — a ``Listing`` (``data.children``,
``data.after``/``before``), the ``[submission listing, comments listing]`` pair served by
``/comments/{id}.json`` with nested ``replies`` listings, an inbox page (``/message/inbox``,
``/message/mentions``, ``/message/messages``: ``t1`` and ``t4`` things), or a single thing.
How each thing becomes a post: :mod:`.things`. Text is kept as served: poll requests ask for
``raw_json=1`` so ``&``, ``<`` and ``>`` are not HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from chorus_platforms.kit import polling as fp
from chorus_platforms.kit.inbound import NormalizeError, NormalizeResult, PollRequest, RawInput
from chorus_platforms.kit.items import collect, load_json
from chorus_platforms.kit.relay import RelayPushed
from chorus_platforms.reddit.things import PLATFORM, fullname, thing_post

API_BASE = "https://oauth.reddit.com"
_INBOX = ("inbox", "unread", "mentions", "messages", "comments", "selfreply")


class RedditConnector(RelayPushed):
    """Pure adapter for Reddit listings and comment trees; idempotent by fullname."""

    platform = PLATFORM

    def normalize(self, raw: RawInput) -> NormalizeResult:
        data = load_json(raw)
        roots = data if isinstance(data, list) else [data]
        if not roots or not all(_is_thing(r) for r in roots):
            raise NormalizeError(
                "invalid_shape", "expected a Listing, a list of Listings or a thing"
            )
        return collect(
            ((thing, _builder(thing, raw.channel)) for thing in _walk(roots)), native_id=fullname
        )

    def poll_request(self, config: Mapping[str, Any], cursor: Mapping[str, Any]) -> PollRequest:
        """Newest first: the account's ``/message/{inbox}`` (``inbox``, ``mentions``,
        ``messages``, …), ``/r/{subreddit}/new.json``, ``/r/{subreddit}/comments.json`` or
        ``/search.json?q=``."""
        base = str(config.get("base_url") or API_BASE).rstrip("/")
        params = {"limit": "100", "raw_json": "1"}
        sub = quote(str(config.get("subreddit") or "").strip().removeprefix("r/"), safe="")
        inbox = str(config.get("inbox") or "")
        if inbox:
            if inbox not in _INBOX:
                raise ValueError(f"poll config 'inbox' must be one of {', '.join(_INBOX)}")
            url = f"{base}/message/{inbox}"
        elif config.get("query"):
            params |= {"q": str(config["query"]), "sort": "new", "type": "link"}
            if sub:
                params["restrict_sr"] = "1"
            url = f"{base}/r/{sub}/search.json" if sub else f"{base}/search.json"
        elif sub and config.get("comments"):
            url = f"{base}/r/{sub}/comments.json"
        elif sub:
            url = f"{base}/r/{sub}/new.json"
        else:
            raise ValueError("poll config needs 'inbox', 'subreddit' or 'query'")
        if cursor.get("page"):
            params["after"] = str(cursor["page"])
        headers = {
            "Accept": "application/json",
            "User-Agent": str(
                config.get("user_agent") or "chorus-ingest/0.1 (community monitoring)"
            ),
        }
        if config.get("access_token"):
            headers["Authorization"] = f"Bearer {config['access_token']}"
        return PollRequest(url=url, params=params, headers=headers)

    def advance(
        self, cursor: Mapping[str, Any], result: NormalizeResult, raw: RawInput
    ) -> dict[str, Any]:
        return fp.newest_first_advance(cursor, result, fp.next_token(raw, "data", "after"))


def _is_thing(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("kind"), str) and "data" in value


def _walk(roots: list[Any]) -> Iterator[Any]:
    """Every thing (t1, t3, t4, more…) in listings and nested ``replies``, depth first, without recursion."""
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            yield node  # not a thing at all: reported by its builder
            continue
        kind, data = node.get("kind"), node.get("data")
        if kind == "Listing":
            children = data.get("children") if isinstance(data, dict) else None
            if isinstance(children, list):
                stack.extend(reversed(children))
            continue
        yield node
        replies = data.get("replies") if isinstance(data, dict) else None
        if isinstance(replies, dict):
            stack.append(replies)


def _builder(thing: Any, channel: str | None) -> Any:
    return lambda: thing_post(thing, channel)
