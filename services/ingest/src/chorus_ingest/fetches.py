"""Follow-up reads: the items a connector could name but not build from the delivery alone
(``Fetch``), read from the platform's API with the channel's token, then built by the
connector. Bounded in count, time and attempts; a read that still fails is an item error
(dead-letter copy), never a silent loss."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import httpx
from chorus_common.retrying import a_few_times
from chorus_platforms.kit.inbound import Fetch, ItemError, NormalizeResult
from chorus_platforms.kit.items import complete, merge
from chorus_platforms.kit.outbound import SendError, TransientSendError, call

from chorus_ingest.settings import IngestSettings

log = logging.getLogger(__name__)


def _failed(fetch: Fetch, code: str, message: str) -> NormalizeResult:
    error = ItemError(code, message, None, fetch.index, fetch.native_id, fetch.raw)
    return NormalizeResult(errors=[error])


class Fetcher:
    """Resolves a result's ``fetches`` in place; reads only (GET), safe to repeat."""

    def __init__(self, settings: IngestSettings) -> None:
        self.most = settings.fetch_max_per_delivery
        self.attempts = settings.fetch_attempts
        self.timeout = settings.fetch_timeout_seconds
        self.bases = dict(settings.fetch_base_urls)

    async def resolve(
        self, platform: str, result: NormalizeResult, secrets: Mapping[str, str]
    ) -> None:
        """Replace ``result.fetches`` by the posts, skips and errors they stand for."""
        todo, result.fetches = result.fetches, []
        if not todo:
            return
        async with httpx.AsyncClient(timeout=self.timeout) as http:
            for n, fetch in enumerate(todo):
                if n >= self.most:
                    message = f"only {self.most} follow-up reads are made per delivery"
                    merge(result, _failed(fetch, "too_many_fetches", message))
                    continue
                merge(result, await self._one(http, platform, fetch, secrets))

    async def _one(
        self,
        http: httpx.AsyncClient,
        platform: str,
        fetch: Fetch,
        secrets: Mapping[str, str],
    ) -> NormalizeResult:
        token = secrets.get(fetch.token)
        if not token:
            message = f"the channel has no {fetch.token} secret to read this item with"
            return _failed(fetch, "fetch_not_configured", message)
        url = self.bases.get(platform, fetch.base).rstrip("/") + "/" + fetch.path.lstrip("/")
        headers = {"Authorization": f"Bearer {token}"}
        try:
            async for attempt in a_few_times(self.attempts, TransientSendError):
                with attempt:
                    data = await call(
                        http, "GET", url, platform=platform, params=dict(fetch.params),
                        headers=headers,
                    )  # fmt: skip
        except SendError as exc:
            log.warning("fetch failed", extra={"platform": platform, "code": exc.code})
            return _failed(fetch, "fetch_failed", f"{exc.code}: {exc}")
        return complete(fetch, data)
