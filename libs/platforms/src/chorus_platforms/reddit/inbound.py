"""Reddit JSON API: Listings of ``t3`` submissions and ``t1`` comments, comment trees included.

Shapes: https://github.com/reddit-archive/reddit/wiki/JSON — a ``Listing`` (``data.children``,
``data.after``/``before``), the ``[submission listing, comments listing]`` pair served by
``/comments/{id}.json`` with nested ``replies`` listings, or a single thing. Native ids are
fullnames (``t3_…``, ``t1_…``) so ``link_id``/``parent_id`` map to canonical ids directly;
the thread is the submission (``link_id``). Text is kept as served: poll requests ask for
``raw_json=1`` so ``&``, ``<`` and ``>`` are not HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from chorus_common.contracts.events import Author, Media, Metrics, Post, PostKind

from chorus_platforms.kit import fields as fk
from chorus_platforms.kit import polling as fp
from chorus_platforms.kit import signatures
from chorus_platforms.kit.inbound import (
    HandshakeResponse,
    NormalizeError,
    NormalizeResult,
    PollRequest,
    RawInput,
)
from chorus_platforms.kit.items import collect, load_json
from chorus_platforms.kit.times import epoch_time

PLATFORM = "reddit"
SITE = "https://www.reddit.com"
API_BASE = "https://oauth.reddit.com"
_KINDS = ("t1", "t3")


class RedditConnector:
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
            ((thing, _builder(thing, raw.channel)) for thing in _walk(roots)), native_id=_fullname
        )

    def verify(self, raw: RawInput, secrets: Mapping[str, str], now: datetime) -> None:
        """No platform webhook: relayed listings must carry the Chorus relay HMAC (``signing_secret``)."""
        signatures.relay_hmac(raw, secrets, now)

    def handshake(
        self, query: Mapping[str, str], secrets: Mapping[str, str]
    ) -> HandshakeResponse | None:
        return None

    def poll_request(self, config: Mapping[str, Any], cursor: Mapping[str, Any]) -> PollRequest:
        """Newest first: ``/r/{subreddit}/new.json``, ``/r/{subreddit}/comments.json`` or ``/search.json?q=``."""
        base = str(config.get("base_url") or API_BASE).rstrip("/")
        params = {"limit": "100", "raw_json": "1"}
        sub = quote(str(config.get("subreddit") or "").strip().removeprefix("r/"), safe="")
        if config.get("query"):
            params |= {"q": str(config["query"]), "sort": "new", "type": "link"}
            if sub:
                params["restrict_sr"] = "1"
            url = f"{base}/r/{sub}/search.json" if sub else f"{base}/search.json"
        elif sub and config.get("comments"):
            url = f"{base}/r/{sub}/comments.json"
        elif sub:
            url = f"{base}/r/{sub}/new.json"
        else:
            raise ValueError("poll config needs 'subreddit' or 'query'")
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
    """Every t1/t3 thing in listings and nested ``replies``, depth first, without recursion."""
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
        if kind == "more":
            continue  # ids of comments not loaded in this page: nothing to normalize
        yield node
        replies = data.get("replies") if isinstance(data, dict) else None
        if isinstance(replies, dict):
            stack.append(replies)


def _builder(thing: Any, channel: str | None) -> Any:
    return lambda: [_post(thing, channel)]


def _post(thing: Any, channel: str | None) -> Post:
    t = fk.obj(thing, "thing")
    kind = t.get("kind")
    if kind not in _KINDS:
        raise fk.ItemProblem("unsupported_kind", f"kind {str(kind)[:20]!r} is not t1 or t3", "kind")
    d = fk.obj(t.get("data"), "data")
    fullname = _fullname(t)
    if fullname is None:
        raise fk.ItemProblem("missing_id", "thing has neither name nor id", "data.name")
    post_id = Post.make_id(PLATFORM, fullname)
    if kind == "t3":
        title = fk.text_of(d.get("title"), "data.title")
        text = fk.join_title(title, fk.text_of(d.get("selftext"), "data.selftext"))
        thread, in_reply_to, post_kind = post_id, None, "post"
        link = fk.opt_str(d.get("url"))
        media = () if d.get("is_self") or not link else (Media(type="link", url=link),)
        replies = fk.count(d.get("num_comments"))
    else:
        text = fk.text_of(d.get("body"), "data.body")
        link_id = fk.native(d.get("link_id"), "data.link_id")
        parent_id = fk.native(d.get("parent_id") or link_id, "data.parent_id")
        thread, in_reply_to = Post.make_id(PLATFORM, link_id), Post.make_id(PLATFORM, parent_id)
        post_kind = "comment" if parent_id == link_id else "reply"
        media = ()
        replies = 0
    sub = fk.opt_str(d.get("subreddit"))
    author = fk.opt_str(d.get("author")) or "[deleted]"
    return Post(
        id=post_id,
        platform=PLATFORM,
        channel=channel or (f"r/{sub}" if sub else "reddit"),
        kind=_kind(post_kind),
        native_id=fullname,
        url=_permalink(d.get("permalink")),
        thread_id=thread,
        in_reply_to=in_reply_to,
        author=Author(
            id=fk.opt_str(d.get("author_fullname")) or author,
            handle=f"u/{author}",
            display_name=author,
            url=None if author == "[deleted]" else f"{SITE}/user/{quote(author, safe='')}",
        ),
        text=fk.clip(text),
        created_at=epoch_time(d.get("created_utc"), "data.created_utc", unit="s"),
        metrics=Metrics(likes=fk.count(d.get("score")), replies=replies),
        media=media,
    )


def _kind(kind: str) -> PostKind:
    return "post" if kind == "post" else "comment" if kind == "comment" else "reply"


def _fullname(thing: Any) -> str | None:
    t = fk.opt_obj(thing)
    d = fk.opt_obj(t.get("data"))
    name = d.get("name")
    if isinstance(name, str) and name:
        return name
    native_id, kind = d.get("id"), t.get("kind")
    if isinstance(native_id, str) and native_id and isinstance(kind, str):
        return f"{kind}_{native_id}"
    return None


def _permalink(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return value if value.startswith("http") else SITE + value
