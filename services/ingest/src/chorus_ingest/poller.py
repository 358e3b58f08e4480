"""Pollers for pull-only sources: per-channel schedule, durable cursor, back-off, conditional GET.

The cursor is saved in the same transaction as the posts of the page it advances past, so a
crash before the commit re-reads the page (nothing missed) and a crash after it resumes past
it (nothing repeated; the dedup absorbs any overlap the source itself returns).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import httpx
from chorus_common.contracts.events import utcnow
from chorus_common.runtime import Runtime
from chorus_platforms.kit.inbound import (
    AuthorizedPollSource,
    Connector,
    NormalizeResult,
    PollSource,
    RawInput,
)
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_ingest import channels as store
from chorus_ingest import cursors, schedule
from chorus_ingest.batch import Batch, Rejected
from chorus_ingest.channels import Channel
from chorus_ingest.cursors import CursorState
from chorus_ingest.fetches import Fetcher
from chorus_ingest.intake import Intake
from chorus_ingest.metrics import IngestMetrics
from chorus_ingest.settings import IngestSettings
from chorus_ingest.webhooks import Refused, normalize_safely, rejected_from

log = logging.getLogger(__name__)
MAX_RESPONSE_BYTES = 16 * 1024 * 1024


class PollError(Exception):
    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class Poller:
    """Runs every due channel's poll; one transaction per page (posts + cursor)."""

    def __init__(
        self,
        runtime: Runtime,
        intake: Intake,
        metrics: IngestMetrics,
        settings: IngestSettings,
        *,
        sources: Mapping[str, PollSource],
        connectors: Mapping[str, Connector],
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.runtime = runtime
        self.intake = intake
        self.metrics = metrics
        self.settings = settings
        self.sources = sources
        self.connectors = connectors
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self.fetcher = Fetcher(settings)

    # ------------------------------------------------------------------ scheduling
    @asynccontextmanager
    async def http(self) -> AsyncIterator[None]:
        """Open the HTTP client the polls use (the background task holds it for its lifetime)."""
        limits = httpx.Limits(max_connections=self.settings.poll_concurrency * 2)
        async with httpx.AsyncClient(
            transport=self._transport,
            timeout=self.settings.poll_timeout_seconds,
            follow_redirects=True,
            limits=limits,
        ) as client:
            self._client = client
            try:
                yield
            finally:
                self._client = None

    async def run_forever(self) -> None:
        """Background task: every tick, poll the channels that are due (bounded concurrency)."""
        async with self.http():
            while True:
                try:
                    await self.tick()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("poll tick failed; will retry")
                await asyncio.sleep(self.settings.poll_tick_seconds)

    async def tick(self) -> int:
        """Poll every due channel once; returns how many were polled."""
        now = utcnow()
        async with self.runtime.sessionmaker() as session:
            channels = await store.pollable(session, sorted(self.sources))
            states = await cursors.load(session, [c.id for c in channels])
        self.metrics.channels.set(len(channels))
        due = [c for c in channels if cursors.is_due(states.get(c.id), now)]
        if not due:
            return 0
        gate = asyncio.Semaphore(self.settings.poll_concurrency)

        async def one(channel: Channel) -> None:
            async with gate:
                await self.poll_channel(channel, states.get(channel.id))

        await asyncio.gather(*(one(c) for c in due))
        return len(due)

    def _interval(self, channel: Channel) -> float:
        wanted = channel.poll_interval_seconds or self.settings.poll_default_interval_seconds
        return max(self.settings.poll_min_interval_seconds, wanted)

    # ------------------------------------------------------------------ one channel
    async def poll_channel(self, channel: Channel, state: CursorState | None) -> None:
        """Fetch pages until caught up (or the per-tick page budget); errors back off."""
        state = state or CursorState({}, None, None, None, 0)
        for _ in range(self.settings.poll_max_pages_per_tick):
            try:
                state, more = await self._poll_page(channel, state)
            except PollError as exc:
                await self._record_failure(channel, state, exc)
                return
            if not more:
                return

    async def _poll_page(self, channel: Channel, state: CursorState) -> tuple[CursorState, bool]:
        source = self.sources[channel.platform]
        status, body, response_headers = await self._fetch(source, channel, state)
        now = utcnow()
        interval = self._interval(channel)
        if status == 304:
            self.metrics.polls.labels(channel.platform, "not_modified").inc()
            nxt = CursorState(
                state.cursor,
                state.etag,
                state.last_modified,
                schedule.next_after_success(now, interval),
                0,
            )
            async with self.runtime.sessionmaker() as session, session.begin():
                await cursors.save(session, self.runtime.dialect, channel.id, nxt, status, None)
            return nxt, False
        if status >= 400:
            if status in (400, 401) and isinstance(source, AuthorizedPollSource):
                source.refused(channel.poll_settings())  # sign in again before the next poll
            raise PollError("http_error", f"HTTP {status} from the source", status)
        raw, result = await self._normalize(channel, status, body, response_headers)
        try:
            new_cursor = dict(source.advance(state.cursor, result, raw))
        except (ValueError, KeyError, TypeError) as exc:
            raise PollError("bad_cursor", str(exc)[:300], status) from exc
        more = schedule.has_more_pages(new_cursor)
        nxt = CursorState(
            new_cursor,
            response_headers.get("etag") or state.etag,
            response_headers.get("last-modified") or state.last_modified,
            now if more else schedule.next_after_success(now, interval),
            0,
        )
        batch = Batch(
            source=channel.platform,
            posts=[(None, p) for p in result.posts],
            rejected=[rejected_from(e) for e in result.errors],
            raw_body=body,
            content_type=raw.content_type,
            markers=list(result.markers),
        )

        async def save_cursor(session: AsyncSession) -> None:
            await cursors.save(session, self.runtime.dialect, channel.id, nxt, status, None)

        await self.intake.submit(batch, hook=save_cursor)
        self.metrics.polls.labels(channel.platform, "ok").inc()
        return nxt, more

    async def _fetch(
        self, source: PollSource, channel: Channel, state: CursorState
    ) -> tuple[int, bytes, dict[str, str]]:
        """The source's next request, made conditional on the last response's validators."""
        try:
            request = source.poll_request(channel.poll_settings(), state.cursor)
        except (ValueError, KeyError, TypeError) as exc:
            raise PollError("bad_config", str(exc)[:300]) from exc
        headers = dict(request.headers)
        headers.update(await self._authorize(source, channel))
        names = {k.lower() for k in headers}
        if state.etag and "if-none-match" not in names:
            headers["If-None-Match"] = state.etag
        if state.last_modified and "if-modified-since" not in names:
            headers["If-Modified-Since"] = state.last_modified
        return await self._get(request.url, request.params, headers)

    async def _authorize(self, source: PollSource, channel: Channel) -> Mapping[str, str]:
        """Headers of a source that signs in (e.g. a session it keeps); none for the others."""
        if not isinstance(source, AuthorizedPollSource) or self._client is None:
            return {}
        try:
            return await source.authorize(channel.poll_settings(), self._client)
        except Exception as exc:  # any sign-in failure is this channel's poll failure
            raise PollError("auth_failed", f"{type(exc).__name__}: {str(exc)[:200]}") from exc

    async def _normalize(
        self, channel: Channel, status: int, body: bytes, headers: dict[str, str]
    ) -> tuple[RawInput, NormalizeResult]:
        """The page as posts; a page refused as a whole is dead-lettered and fails the poll."""
        raw = RawInput(
            body=body,
            content_type=headers.get("content-type", ""),
            headers=headers,
            channel=channel.external_id,
        )
        result = normalize_safely(self.connectors[channel.platform], raw)
        if isinstance(result, Refused):
            self.metrics.count_items(channel.platform, result.code)
            await self.intake.dead_letter(
                Rejected(result.code, result.message, body, result.field),
                source=channel.platform,
                trace_id=uuid.uuid4().hex,
            )
            raise PollError(result.code, result.message, status)
        await self.fetcher.resolve(channel.platform, result, channel.secrets)
        self.metrics.count_items(channel.platform, result)  # after the reads made their items
        return raw, result

    async def _get(
        self, url: str, params: Mapping[str, str | list[str]], headers: dict[str, str]
    ) -> tuple[int, bytes, dict[str, str]]:
        client = self._client
        if client is None:
            raise PollError("not_started", "poller HTTP client is not running")
        try:
            async with client.stream("GET", url, params=dict(params), headers=headers) as resp:
                chunks: list[bytes] = []
                size = 0
                async for chunk in resp.aiter_bytes():
                    size += len(chunk)
                    if size > MAX_RESPONSE_BYTES:
                        raise PollError("too_large", "response exceeds 16 MiB", resp.status_code)
                    chunks.append(chunk)
                lowered = {k.lower(): v for k, v in resp.headers.items()}
                return resp.status_code, b"".join(chunks), lowered
        except httpx.HTTPError as exc:
            raise PollError("unreachable", f"{type(exc).__name__} while polling") from exc

    async def _record_failure(self, channel: Channel, state: CursorState, exc: PollError) -> None:
        failures = state.failures + 1
        delay_from = schedule.next_after_failure(
            utcnow(), failures, self._interval(channel), self.settings.poll_max_backoff_seconds
        )
        nxt = CursorState(state.cursor, state.etag, state.last_modified, delay_from, failures)
        self.metrics.polls.labels(channel.platform, "error").inc()
        log.warning(
            "poll failed; backing off",
            extra={"channel_id": channel.id, "platform": channel.platform, "code": exc.code,
                   "failures": failures, "status": exc.status},
        )  # fmt: skip
        async with self.runtime.sessionmaker() as session, session.begin():
            error = f"{exc.code}: {exc}"[:500]
            await cursors.save(session, self.runtime.dialect, channel.id, nxt, exc.status, error)
