"""A real HTTP server on 127.0.0.1 answering as the Graph API does: the documented responses
of Instagram's mentioned comment and media, a transient 500 on demand and Graph's 4xx error."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

GRAPH = Path(__file__).parent / "fixtures" / "instagram" / "graph_api"
# Graph's error shape for an object that cannot be read (code 100, subcode 33).
NOT_FOUND = {
    "error": {
        "message": "Unsupported get request. Object with ID '17841405726653026' does not exist, "
        "cannot be loaded due to missing permissions, or does not support this operation.",
        "type": "GraphMethodException",
        "code": 100,
        "error_subcode": 33,
        "fbtrace_id": "AbCdEfGhIjK",
    }
}


@dataclass
class GraphState:
    token: str
    fail_next: int = 0  # how many of the next requests answer 500
    seen: list[tuple[str, str, str | None]] = field(default_factory=list)  # path, fields, auth
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str, fields: str, auth: str | None) -> tuple[int, object]:
        with self.lock:
            self.seen.append((path, fields, auth))
            if self.fail_next > 0:
                self.fail_next -= 1
                return 500, {"error": {"message": "An unexpected error has occurred.", "code": 2}}
        if auth != f"Bearer {self.token}":
            return 401, {"error": {"message": "Invalid OAuth access token.", "code": 190}}
        if fields.startswith("mentioned_comment.comment_id(17894227972186120)"):
            return 200, json.loads((GRAPH / "mentioned_comment.json").read_text())
        if fields.startswith("mentioned_media.media_id(17918195224117851)"):
            return 200, json.loads((GRAPH / "mentioned_media.json").read_text())
        return 400, NOT_FOUND


def _handler(state: GraphState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            fields = parse_qs(url.query).get("fields", [""])[0]
            status, doc = state.answer(url.path, fields, self.headers.get("Authorization"))
            body = json.dumps(doc).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return None

    return Handler


@contextmanager
def graph_server(token: str) -> Iterator[tuple[str, GraphState]]:
    """The server's base URL (to put in ``FETCH_BASE_URLS``) and its state."""
    state = GraphState(token)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
