"""A real HTTP server on 127.0.0.1 serving an RSS feed, with ETag/304 and injectable failures."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape


class FeedState:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: list[int] = []
        self.fail_next = 0
        self.requests = 0
        self.not_modified = 0
        self.conditional = 0

    def add(self, *numbers: int) -> None:
        with self.lock:
            self.items.extend(numbers)

    def body(self) -> bytes:
        base = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
        entries = "".join(
            f"<item><title>Post {n}</title><link>https://blog.example.com/p/{n}</link>"
            f"<guid>https://blog.example.com/p/{n}</guid>"
            f"<description>{escape(f'Review number {n} of the brand')}</description>"
            f"<pubDate>{format_datetime(base + timedelta(minutes=n))}</pubDate></item>"
            for n in reversed(self.items)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            "<title>Brand watch blog</title><link>https://blog.example.com/</link>"
            f"<description>posts</description><language>en</language>{entries}</channel></rss>"
        ).encode()


def _handler(state: FeedState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with state.lock:
                state.requests += 1
                if state.fail_next > 0:
                    state.fail_next -= 1
                    self.send_response(500)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = state.body()
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match"):
                with state.lock:
                    state.conditional += 1
            if self.headers.get("If-None-Match") == etag:
                with state.lock:
                    state.not_modified += 1
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return None

    return Handler


@contextmanager
def feed_server() -> Iterator[tuple[str, FeedState]]:
    state = FeedState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml", state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
