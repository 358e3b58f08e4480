"""RSS 2.0 / RSS 1.0 and Atom feeds (blogs writing about the brand), parsed safely.

Specs: https://www.rssboard.org/rss-specification, RFC 4287 (Atom), RFC 4685 (Atom threading),
W3C WebSub (push, ``X-Hub-Signature``). XML goes through defusedxml: entity declarations
(billion laughs), external entities and external DTDs are refused, bodies are size-capped.
Each item/entry becomes a ``post`` (a ``comment`` when it carries ``thr:in-reply-to``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from chorus_common.contracts.events import Author, Media, Post, PostKind

from chorus_platforms.kit import fields as fk
from chorus_platforms.kit import polling as fp
from chorus_platforms.kit import signatures
from chorus_platforms.kit.html import html_to_text, looks_like_html, normalize_space
from chorus_platforms.kit.inbound import (
    HandshakeResponse,
    NormalizeError,
    NormalizeResult,
    PollRequest,
    RawInput,
)
from chorus_platforms.kit.items import collect
from chorus_platforms.kit.times import any_time, iso
from chorus_platforms.rss.safexml import child, child_text, local, parse

PLATFORM = "rss"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SEEN_LIMIT = 500


@dataclass(frozen=True)
class Feed:
    key: str  # scopes ids that are only unique within this feed
    channel: str
    title: str | None
    lang: str | None
    date: str | None
    author: str | None


class RssConnector:
    """Pure adapter for RSS and Atom feeds; idempotent by guid / entry id (else link hash)."""

    platform = PLATFORM

    def normalize(self, raw: RawInput) -> NormalizeResult:
        root = parse(raw)
        name = local(root.tag)
        if name == "rss":
            chan = child(root, "channel")
            if chan is None:
                raise NormalizeError("not_a_feed", "rss has no channel", "channel")
            items = [c for c in chan if local(c.tag) == "item"]
        elif name == "RDF":
            chan = child(root, "channel")
            items = [c for c in root if local(c.tag) == "item"]
        elif name == "feed":
            chan = root
            items = [c for c in root if local(c.tag) == "entry"]
        else:
            raise NormalizeError(
                "not_a_feed", f"root element {name[:40]!r} is not rss, RDF or feed"
            )
        feed = _feed(chan if chan is not None else root, root, raw.channel)
        return collect(
            ((it, partial(_post, it, feed)) for it in items),
            native_id=lambda it: child_text(it, "guid", "id") or child_text(it, "link"),
            dump=lambda it: ET.tostring(it, encoding="unicode")[:65536],
        )

    def verify(self, raw: RawInput, secrets: Mapping[str, str], now: datetime) -> None:
        """WebSub content delivery: ``X-Hub-Signature`` HMAC of the body with ``secrets['hub_secret']``."""
        signatures.hub_signature(raw, secrets, "hub_secret")

    def handshake(
        self, query: Mapping[str, str], secrets: Mapping[str, str]
    ) -> HandshakeResponse | None:
        """WebSub intent verification: echo ``hub.challenge`` for our own topic (``secrets['topic']``)."""
        mode = query.get("hub.mode")
        if mode is None:
            return None
        if mode == "denied":
            return HandshakeResponse(status=200, body=b"")
        challenge = query.get("hub.challenge")
        if mode not in ("subscribe", "unsubscribe") or not challenge:
            return HandshakeResponse(status=400, body=b"expected hub.mode and hub.challenge")
        topic = secrets.get("topic")
        if topic and not signatures.equal(topic, query.get("hub.topic", "")):
            return HandshakeResponse(status=404, body=b"unknown topic")
        return HandshakeResponse(status=200, body=challenge.encode("utf-8"))

    def poll_request(self, config: Mapping[str, Any], cursor: Mapping[str, Any]) -> PollRequest:
        """Conditional GET of the feed ``url`` (``If-None-Match`` / ``If-Modified-Since``)."""
        headers = {
            "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.1",
            "User-Agent": str(config.get("user_agent") or "chorus-ingest/0.1 (feed reader)"),
        }
        if isinstance(cursor.get("etag"), str):
            headers["If-None-Match"] = cursor["etag"]
        if isinstance(cursor.get("last_modified"), str):
            headers["If-Modified-Since"] = cursor["last_modified"]
        return PollRequest(url=fp.require(config, "url"), headers=headers)

    def advance(
        self, cursor: Mapping[str, Any], result: NormalizeResult, raw: RawInput
    ) -> dict[str, Any]:
        """Validators from the response headers, newest time and the recently seen native ids."""
        out = dict(cursor)
        for header, key in (("etag", "etag"), ("last-modified", "last_modified")):
            if raw.headers.get(header):
                out[key] = raw.headers[header]
        seen = [s for s in cursor.get("seen", []) if isinstance(s, str)]
        fresh = [p.native_id for p in result.posts if p.native_id not in seen]
        out["seen"] = (fresh + seen)[:SEEN_LIMIT]
        times = [p.created_at for p in result.posts]
        latest = fp.cursor_time(cursor.get("latest"))
        if times and (latest is None or max(times) > latest):
            out["latest"] = iso(max(times))
        return out


def _feed(chan: ET.Element, root: ET.Element, channel: str | None) -> Feed:
    link = _link(chan)
    title = child_text(chan, "title")
    author_el = child(chan, "author")
    return Feed(
        key=fk.digest(link or channel or title or "", length=12),
        channel=(channel or link or title or "rss")[:256],
        title=title,
        lang=_lang(child_text(chan, "language") or chan.get(XML_LANG) or root.get(XML_LANG)),
        date=child_text(chan, "lastBuildDate", "pubDate", "updated", "date"),
        author=child_text(author_el, "name") if author_el is not None else None,
    )


def _post(item: ET.Element, feed: Feed) -> Post:
    atom = local(item.tag) == "entry"
    native_id = _native_id(item, feed, atom)
    url = _link(item)
    reply_to = _in_reply_to(item)
    kind: PostKind = "comment" if reply_to else "post"
    post_id = Post.make_id(PLATFORM, native_id)
    title = _text(child(item, "title"), atom)
    full = child(item, "encoded", "content")  # Elements are falsy when childless: test for None
    body = _text(full if full is not None else child(item, "description", "summary"), atom)
    return Post(
        id=post_id,
        platform=PLATFORM,
        channel=feed.channel,
        kind=kind,
        native_id=native_id,
        url=url,
        thread_id=reply_to or post_id,
        in_reply_to=reply_to,
        author=_author(item, feed),
        text=fk.clip(fk.join_title(title, body)),
        lang=_lang(item.get(XML_LANG)) or feed.lang,
        created_at=_date(item, feed),
        media=tuple(_media(item)),
    )


def _native_id(item: ET.Element, feed: Feed, atom: bool) -> str:
    guid_el = child(item, "id" if atom else "guid")
    guid = "".join(guid_el.itertext()).strip() if guid_el is not None else ""
    about = item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about", "").strip()
    if guid:
        permalink = guid_el is not None and guid_el.get("isPermaLink", "true").lower() != "false"
        global_id = atom or permalink or "://" in guid or guid.startswith(("urn:", "tag:"))
        native_id = guid if global_id else f"{feed.key}#{guid}"
    elif about:
        native_id = about
    else:
        link = _link(item)
        if not link:
            raise fk.ItemProblem("missing_id", "item has no guid/id and no link", "guid")
        native_id = "link:" + fk.digest(link)
    return native_id if len(native_id) <= 400 else "sha256:" + fk.digest(native_id, length=64)


def _link(el: ET.Element) -> str | None:
    """RSS ``<link>`` text, or the Atom ``<link href>`` whose rel is ``alternate`` (the default)."""
    for c in el:
        if local(c.tag) != "link":
            continue
        href = (c.get("href") or "").strip()
        if href:
            if c.get("rel", "alternate") == "alternate":
                return href[:4096]
        elif (c.text or "").strip():
            return (c.text or "").strip()[:4096]
    return None


def _text(el: ET.Element | None, atom: bool) -> str:
    if el is None:
        return ""
    kind = (el.get("type") or "").lower()
    if kind == "xhtml":
        div = child(el, "div")
        node = div if div is not None else el
        for sub in node.iter():
            sub.tag = local(sub.tag)
        inner = (node.text or "") + "".join(ET.tostring(c, encoding="unicode") for c in node)
        return html_to_text(inner)
    text = "".join(el.itertext())
    if atom and kind in ("", "text"):
        return normalize_space(text)
    if kind in ("html", "text/html") or looks_like_html(text) or not atom:
        return html_to_text(text)
    return normalize_space(text)


def _author(item: ET.Element, feed: Feed) -> Author:
    author_el = child(item, "author")
    name = email = uri = None
    if author_el is not None and len(author_el):  # Atom person construct
        name, email, uri = (child_text(author_el, k) for k in ("name", "email", "uri"))
    elif author_el is not None:  # RSS: "jo@example.com (Jo)"
        value = "".join(author_el.itertext()).strip()
        addr, _, rest = value.partition(" ")
        email = addr if "@" in addr else None
        name = rest.strip(" ()") or (None if email else value) or None
    name = name or child_text(item, "creator") or feed.author
    ident = email or uri or name or feed.title or feed.channel
    return Author(
        id=ident[:256],
        display_name=name[:512] if name else None,
        url=uri[:2048] if uri and uri.startswith("http") else None,
    )


def _date(item: ET.Element, feed: Feed) -> datetime:
    value = child_text(item, "published", "pubDate", "date", "updated", "issued", "modified")
    if value:
        return any_time(value, "pubDate")
    if feed.date:
        return any_time(feed.date, "lastBuildDate")
    raise fk.ItemProblem("missing_time", "item and feed carry no date", "pubDate")


def _in_reply_to(item: ET.Element) -> str | None:
    el = child(item, "in-reply-to")
    ref = (el.get("ref") or "").strip() if el is not None else ""
    if not ref:
        return None
    return Post.make_id(PLATFORM, ref if len(ref) <= 400 else "sha256:" + fk.digest(ref, length=64))


def _media(item: ET.Element) -> list[Media]:
    out: list[Media] = []
    for c in item:
        name = local(c.tag)
        url = (
            c.get("url")
            if name == "enclosure"
            else c.get("href")
            if name == "link" and c.get("rel") == "enclosure"
            else None
        )
        if url and url.strip():
            mime = (c.get("type") or "file").split("/")[0].strip() or "file"
            out.append(Media(type=mime[:32], url=url.strip()[:4096]))
    return out


def _lang(value: str | None) -> str | None:
    return value.strip()[:16] if value and value.strip() else None
