"""A minimal HTTP/1.1 keep-alive client for the fixed-load phase.

The load generator shares the machine's two cores with the system it measures: httpx spends
about a millisecond of CPU per request in its own machinery, which at 100 requests/s took
CPU from the services under test. This client writes a prepared request and reads the
status, headers and ``Content-Length`` body; nothing more (no chunked bodies, no redirects,
no TLS). Connections are reused from a small pool and opened as concurrency needs them; one
the server closed while it sat idle is replaced and the request sent again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit

import orjson

# uvicorn closes a kept-alive connection after 5 s without a request: reuse well before that.
IDLE_S = 2.0


class HttpError(Exception):
    pass


class LeanClient:
    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"plain http URLs only: {base_url!r}")
        self.host = parts.hostname
        self.port = parts.port or 80
        extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self._head = f"Host: {self.host}:{self.port}\r\n{extra}".encode()
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []

    async def post_json(self, path: str, body: object) -> tuple[int, bytes]:
        """POST ``body`` as JSON; returns (status, response body)."""
        return await self.post(path, orjson.dumps(body), {"Content-Type": "application/json"})

    async def post(
        self,
        path: str,
        data: bytes,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> tuple[int, bytes]:
        """POST raw bytes with extra headers (and query parameters); (status, response body)."""
        if params:
            path = f"{path}?{urlencode(params)}"
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        request = (
            f"POST {path} HTTP/1.1\r\n".encode()
            + self._head
            + f"{extra}Content-Length: {len(data)}\r\n\r\n".encode()
            + data
        )
        while True:
            conn, reused = await self._connection()
            reader, writer = conn
            try:
                writer.write(request)
                status, length, close = await self._read_head(reader)
                payload = await reader.readexactly(length) if length else b""
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                writer.close()
                # A kept-alive connection the server closed meanwhile: it never answered
                # (nothing came back), so send the request again on a new connection.
                if reused and not getattr(exc, "partial", b""):
                    continue
                raise
            except BaseException:
                writer.close()
                raise
            if close:
                writer.close()
            else:
                self._idle.append((reader, writer, time.monotonic()))
            return status, payload

    async def _connection(self) -> tuple[tuple[asyncio.StreamReader, asyncio.StreamWriter], bool]:
        """An idle connection used within ``IDLE_S`` (the most recent first), else a new one."""
        now = time.monotonic()
        while self._idle:
            reader, writer, since = self._idle.pop()
            if now - since < IDLE_S and not reader.at_eof():
                return (reader, writer), True
            writer.close()
        return await asyncio.open_connection(self.host, self.port), False

    @staticmethod
    async def _read_head(reader: asyncio.StreamReader) -> tuple[int, int, bool]:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        try:
            status = int(lines[0].split(" ", 2)[1])
        except (IndexError, ValueError) as exc:
            raise HttpError(f"bad status line {lines[0]!r}") from exc
        length, close = 0, False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.strip().lower() == "close":
                close = True
            elif name == "transfer-encoding":
                raise HttpError("chunked responses are not supported")
        return status, length, close

    async def aclose(self) -> None:
        for _, writer, _ in self._idle:
            writer.close()
        self._idle.clear()
