"""The benchmark's own tools: the lean load-generator client and the peak-memory reader."""

from __future__ import annotations

import asyncio
import os

import orjson
import psutil
import pytest

from bench.knee import find_knee, passes
from bench.lean_http import HttpError, LeanClient
from bench.memory import peak_rss_kib, peak_rss_mb
from bench.system import _own_env, machine_cpu


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


@pytest.mark.unit
def test_machine_cpu_counts_busy_time_apart_from_stolen_time() -> None:
    busy0, steal0 = machine_cpu()
    spin_until = psutil.Process().cpu_times().user + 0.2
    while psutil.Process().cpu_times().user < spin_until:
        pass  # 0.2 s of this process's own CPU, which the machine's busy time includes
    busy1, steal1 = machine_cpu()
    assert busy1 - busy0 >= 0.15
    assert steal1 >= steal0 >= 0.0
    t = psutil.cpu_times()
    assert busy1 <= sum(t) - t.idle + 0.05, "idle time is not busy time"


def _system_with_knee_at(knee: int, calls: list[int]):
    """A fake system whose p99 is under 100 ms up to ``knee`` posts/s and far above after."""

    async def probe(rate: int) -> dict[str, object]:
        calls.append(rate)
        p99 = 40.0 + rate / 100 if rate <= knee else 900.0 + rate
        return {"complete": True, "failed_requests": 0, "p50_ms": 20.0, "p95_ms": p99,
                "p99_ms": p99}  # fmt: skip

    return probe


@pytest.mark.unit
@pytest.mark.parametrize("knee", [130, 437, 560, 990])
async def test_knee_bisection_brackets_the_highest_passing_load(knee: int) -> None:
    calls: list[int] = []
    res = await find_knee(
        _system_with_knee_at(knee, calls), low=100, high=1000, target_ms=100, steps=6
    )
    assert calls[0] == 100, "the lowest load first"
    assert 1000 not in calls[:-1], "the highest load only last, if at all"
    upto = next(i for i, r in enumerate(calls) if r > knee) + 1
    assert calls[:upto] == sorted(calls[:upto]), "loads rise while every probe passes"
    assert len(calls) <= 8
    found, failing = res["knee_posts_per_s"], res["first_failing_per_s"]
    assert found <= knee < failing  # never a load that failed, never past the real knee
    assert failing - found <= 20  # six halvings of 900 posts/s, at a 10 posts/s resolution
    assert [p["passed"] for p in res["probes"]] == [r <= knee for r in calls]


@pytest.mark.unit
async def test_knee_reports_the_bounds_when_every_or_no_load_passes() -> None:
    calls: list[int] = []
    top = await find_knee(
        _system_with_knee_at(5000, calls), low=100, high=1000, target_ms=100, steps=4
    )
    assert (top["knee_posts_per_s"], top["bounded"]) == (1000, False)
    assert calls == sorted(calls) and calls[0] == 100 and calls[-1] == 1000
    calls.clear()
    none = await find_knee(_system_with_knee_at(50, calls), low=100, high=1000, target_ms=100,
                           steps=4)  # fmt: skip
    assert (none["knee_posts_per_s"], none["first_failing_per_s"], calls) == (0, 100, [100])


@pytest.mark.unit
def test_a_probe_fails_when_posts_are_missing_requests_failed_or_no_latency() -> None:
    good = {"complete": True, "failed_requests": 0, "p99_ms": 99.0}
    assert passes(good, 100)
    assert not passes({**good, "p99_ms": 100.0}, 100)
    assert not passes({**good, "complete": False}, 100)
    assert not passes({**good, "failed_requests": 3}, 100)
    assert not passes({**good, "p99_ms": float("nan")}, 100)
    with pytest.raises(ValueError):
        asyncio.run(find_knee(_system_with_knee_at(1, []), low=10, high=10, target_ms=1, steps=1))


@pytest.mark.unit
def test_service_prefixed_env_reaches_only_that_service() -> None:
    extra = {"KAFKA_LINGER_MS": "0", "router:KAFKA_CONSUME_GATHER_MS": "10", "ingest:X": "1"}
    assert _own_env(extra, "router") == {"KAFKA_CONSUME_GATHER_MS": "10"}
    assert _own_env(extra, "ingest") == {"X": "1"}
    assert _own_env(extra, "analytics") == {}
