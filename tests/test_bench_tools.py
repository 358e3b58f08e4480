"""The benchmark's own tools: the lean load-generator client and the peak-memory reader."""

from __future__ import annotations

import asyncio
import os

import orjson
import psutil
import pytest

from bench.lean_http import HttpError, LeanClient
from bench.memory import peak_rss_kib, peak_rss_mb


class _Server:
    """Answers each request with its own JSON body echoed; ``close_after`` requests per
    connection, then ``Connection: close``; ``chunked`` answers with a chunked body."""

    def __init__(
        self, close_after: int = 1000, chunked: bool = False, silent_close: bool = False
    ) -> None:
        self.close_after = close_after
        self.silent_close = silent_close
        self.chunked = chunked
        self.connections = 0
        self.requests: list[tuple[str, dict[str, str], bytes]] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        served = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode().split("\r\n")
                headers = {}
                for line in lines[1:]:
                    if line:
                        k, _, v = line.partition(":")
                        headers[k.strip().lower()] = v.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.requests.append((lines[0], headers, body))
                served += 1
                out = orjson.dumps({"echo": orjson.loads(body)})
                last = served >= self.close_after
                if self.chunked:
                    writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                else:
                    writer.write(
                        b"HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n"
                        + f"Content-Length: {len(out)}\r\n".encode()
                        + (b"Connection: close\r\n" if last and not self.silent_close else b"")
                        + b"\r\n"
                        + out
                    )
                await writer.drain()
                if last:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def _serve(server: _Server) -> tuple[asyncio.Server, str]:
    srv = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    return srv, f"http://127.0.0.1:{port}"


@pytest.mark.unit
async def test_lean_client_posts_json_and_reuses_its_connection() -> None:
    server = _Server()
    srv, url = await _serve(server)
    async with srv:
        client = LeanClient(url, {"Authorization": "Bearer t0k"})
        for i in range(3):
            status, body = await client.post_json("/v1/posts", {"posts": [{"i": i}]})
            assert status == 202
            assert orjson.loads(body) == {"echo": {"posts": [{"i": i}]}}
        await client.aclose()
    assert server.connections == 1, "keep-alive: one connection for sequential requests"
    line, headers, body = server.requests[0]
    assert line == "POST /v1/posts HTTP/1.1"
    assert headers["authorization"] == "Bearer t0k"
    assert headers["content-type"] == "application/json"
    assert orjson.loads(body) == {"posts": [{"i": 0}]}


@pytest.mark.unit
async def test_lean_client_opens_a_new_connection_after_connection_close() -> None:
    server = _Server(close_after=1)
    srv, url = await _serve(server)
    async with srv:
        client = LeanClient(url, {})
        assert (await client.post_json("/x", [1]))[0] == 202
        assert (await client.post_json("/x", [2]))[0] == 202
        await client.aclose()
    assert server.connections == 2


@pytest.mark.unit
async def test_lean_client_replaces_a_kept_alive_connection_the_server_dropped() -> None:
    server = _Server(close_after=1, silent_close=True)  # closes without saying so
    srv, url = await _serve(server)
    async with srv:
        client = LeanClient(url, {})
        for i in range(3):
            status, body = await client.post_json("/x", [i])
            assert (status, orjson.loads(body)) == (202, {"echo": [i]})
        await client.aclose()
    assert server.connections == 3
    assert [orjson.loads(b) for _, _, b in server.requests] == [[0], [1], [2]], "each sent once"


@pytest.mark.unit
async def test_lean_client_refuses_what_it_cannot_read() -> None:
    server = _Server(chunked=True)
    srv, url = await _serve(server)
    async with srv:
        client = LeanClient(url, {})
        with pytest.raises(HttpError, match="chunked"):
            await client.post_json("/x", {})
        await client.aclose()
    with pytest.raises(ValueError, match="plain http"):
        LeanClient("https://example.org", {})


@pytest.mark.unit
def test_peak_rss_is_the_kernel_high_water_mark() -> None:
    peak = peak_rss_kib(os.getpid())
    assert peak is not None
    assert peak * 1024 >= psutil.Process().memory_info().rss
    assert peak_rss_mb({"me": os.getpid()})["me"] == round(peak / 1024, 1)
    assert peak_rss_kib(2**22 + 12345) is None, "a process that does not exist"
