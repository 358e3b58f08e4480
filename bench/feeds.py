"""``uv run --group feedbench python -m bench.feeds``: the rss connector's parser against
feedparser, and the HTML-to-text of the connectors against html-text and inscriptis, on
time, on an entity bomb and on the markup the platforms send; prints Markdown."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from chorus_platforms.kit.html import html_to_text, normalize_space
from chorus_platforms.kit.inbound import NormalizeError, RawInput
from chorus_platforms.rss.inbound import RssConnector

ITEMS = 200
ROUNDS = 20
BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    b'<rss version="2.0"><channel><title>&b;</title><item><title>&b;</title><guid>1</guid>'
    b"</item></channel></rss>"
)
MARKUP = {
    "mention": '<p>Hi <a href="https://m.example/@brand">@<span>brand</span></a></p>',
    "mastodon link": (
        '<a href="https://example.com/a/long/path"><span class="invisible">https://</span>'
        '<span class="ellipsis">example.com/a/lo</span><span class="invisible">ng/path</span></a>'
    ),
    "paragraphs": "<p>One</p><p>Two &amp; three</p>",
}


def feed(items: int) -> bytes:
    entries = "".join(
        f"<item><title>Post {i} &amp; more</title><link>https://blog.example/p/{i}</link>"
        f'<guid isPermaLink="false">{i}</guid><pubDate>Mon, 03 Jun 2024 16:30:00 +0000</pubDate>'
        f"<author>jo@example.com (Jo)</author><description>&lt;p&gt;Hello &lt;b&gt;world&lt;/b&gt;"
        f" #{i} https://x.example/{i}&lt;/p&gt;</description></item>"
        for i in range(items)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        f"<link>https://blog.example</link>{entries}</channel></rss>"
    ).encode()


def per_call_ms(call: Callable[[], Any]) -> float:
    call()
    start = time.perf_counter()
    for _ in range(ROUNDS):
        call()
    return (time.perf_counter() - start) / ROUNDS * 1000


def main() -> None:
    import feedparser
    import html_text
    from inscriptis import get_text

    body = feed(ITEMS)
    raw = RawInput(body=body, content_type="application/rss+xml", channel="bench")
    connector = RssConnector()
    try:
        connector.normalize(RawInput(body=BOMB, content_type="application/rss+xml"))
        ours_bomb = "parsed"
    except NormalizeError as exc:
        ours_bomb = f"refused ({exc.code})"
    theirs = feedparser.parse(BOMB)
    fp_bomb = f"expanded ({len(theirs.feed.get('title', ''))} characters of title)"
    print(f"| parser | {ITEMS}-item RSS 2.0 feed, ms per call | entity bomb |")
    print("|---|---|---|")
    print(f"| RssConnector.normalize (parse + posts) | {per_call_ms(lambda: connector.normalize(raw)):.1f} | {ours_bomb} |")  # fmt: skip
    print(f"| feedparser.parse, no sanitizing | {per_call_ms(lambda: feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)):.1f} | {fp_bomb} |")  # fmt: skip
    print(f"| feedparser.parse, defaults | {per_call_ms(lambda: feedparser.parse(body)):.1f} | {fp_bomb} |")  # fmt: skip
    print()
    print("| markup | kit.html | html-text | inscriptis |")
    print("|---|---|---|---|")
    for name, markup in MARKUP.items():
        cells = (
            html_to_text(markup),
            normalize_space(html_text.extract_text(markup, guess_layout=True)),
            normalize_space(get_text(markup)),
        )
        print(f"| {name} | " + " | ".join(repr(c) for c in cells) + " |")


if __name__ == "__main__":
    main()
