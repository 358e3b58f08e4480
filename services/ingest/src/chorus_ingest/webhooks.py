"""Webhook intake: verify with the channels' secrets first, then normalize and submit.

Kept free of FastAPI so the poller and tests can drive it; the route only translates.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

import orjson
from chorus_common.contracts.events import utcnow
from chorus_platforms.kit.inbound import (
    Connector,
    HandshakeResponse,
    ItemError,
    NormalizeError,
    NormalizeResult,
    RawInput,
    SignatureError,
)

from chorus_ingest.batch import Batch, ItemResult, Rejected
from chorus_ingest.channels import Channel
from chorus_ingest.fetches import Fetcher
from chorus_ingest.intake import Intake

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refused:
    """The delivery is refused as a whole: HTTP status, stable code, message, field."""

    status: int
    code: str
    message: str
    field: str | None = None


def rejected_from(error: ItemError) -> Rejected:
    original = error.raw if isinstance(error.raw, bytes) else orjson.dumps(error.raw, default=str)
    return Rejected(error.code, error.message, original, error.field, error.index, error.native_id)


def _distinct(candidates: list[Channel]) -> list[Channel]:
    seen: set[tuple[tuple[str, str], ...]] = set()
    out: list[Channel] = []
    for ch in candidates:
        key = tuple(sorted(ch.secrets.items()))
        if key not in seen:
            seen.add(key)
            out.append(ch)
    return out


def verify_any(connector: Connector, raw: RawInput, candidates: list[Channel]) -> Channel | Refused:
    """The first channel whose secrets verify the delivery, else why it was refused."""
    if not candidates:
        return Refused(403, "channel_not_configured", "no channel is configured for this platform")
    now = utcnow()
    refusal: Refused | None = None
    for channel in _distinct(candidates):
        try:
            connector.verify(_with_channel(raw, channel), channel.secrets, now)
        except SignatureError as exc:
            status = exc.status if exc.status in (401, 403) else 403
            # A wrong signature (403) says more than a missing one (401) for another channel.
            if refusal is None or status > refusal.status:
                refusal = Refused(status, exc.code, str(exc))
            continue
        except Exception as exc:  # a connector bug must not become a 500 or an accepted body
            log.warning("verify raised", extra={"platform": connector.platform,
                                                "error": type(exc).__name__})  # fmt: skip
            refusal = refusal or Refused(403, "signature_invalid", "signature check failed")
            continue
        return channel
    assert refusal is not None
    return refusal


def _with_channel(raw: RawInput, channel: Channel) -> RawInput:
    return RawInput(raw.body, raw.content_type, raw.headers, channel.external_id, raw.query)


def normalize_safely(connector: Connector, raw: RawInput) -> NormalizeResult | Refused:
    try:
        return connector.normalize(raw)
    except NormalizeError as exc:
        return Refused(422, exc.code, str(exc), exc.field)
    except Exception as exc:  # connectors report problems as values; anything else is a 422
        log.warning("normalize raised", extra={"platform": connector.platform,
                                               "error": type(exc).__name__})  # fmt: skip
        return Refused(422, "unparseable", f"payload could not be parsed ({type(exc).__name__})")


async def receive(
    intake: Intake,
    connector: Connector,
    raw: RawInput,
    candidates: list[Channel],
    fetcher: Fetcher,
) -> list[ItemResult] | Refused:
    """Verify, normalize, read what the items name but do not carry (``fetcher``), then
    dedup/archive/publish; bad items go to the DLQ."""
    verified = verify_any(connector, raw, candidates)
    if isinstance(verified, Refused):
        return verified
    raw = _with_channel(raw, verified)
    trace_id = uuid.uuid4().hex
    result = normalize_safely(connector, raw)
    if isinstance(result, Refused):
        intake.metrics.count_items(connector.platform, result.code)
        item = Rejected(result.code, result.message, raw.body, result.field)
        await intake.dead_letter(item, source=connector.platform, trace_id=trace_id)
        return result
    await fetcher.resolve(connector.platform, result, verified.secrets)
    intake.metrics.count_items(connector.platform, result)  # after the reads made their items
    batch = Batch(
        source=connector.platform,
        posts=[(None, p) for p in result.posts],
        rejected=[rejected_from(e) for e in result.errors],
        raw_body=raw.body,
        content_type=raw.content_type,
        trace_id=trace_id,
        markers=list(result.markers),
    )
    if not batch.posts and not batch.rejected:
        return []
    return await intake.submit_grouped(batch)


def handshake(
    connector: Connector, query: Mapping[str, str], candidates: list[Channel]
) -> HandshakeResponse | Refused:
    """Answer a subscription challenge with the first channel whose secrets satisfy it."""
    answer: HandshakeResponse | None = None
    for channel in _distinct(candidates):
        try:
            answer = connector.handshake(query, channel.secrets)
        except (SignatureError, ValueError, KeyError, TypeError) as exc:
            status = getattr(exc, "status", 403)
            answer = HandshakeResponse(status=status, body=b"forbidden")
            continue
        if answer is None:
            break
        if answer.status == 200:
            return answer
    if answer is None:
        if not candidates:
            return Refused(403, "channel_not_configured", "no channel is configured")
        return Refused(404, "no_handshake", f"{connector.platform} has no subscription handshake")
    return answer
