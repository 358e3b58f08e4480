"""Platform webhooks and their subscription handshakes (no bearer token: signatures instead)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from chorus_ingest import channels as store
from chorus_ingest import webhooks
from chorus_ingest.api.deps import IntakeDep, SessionDep
from chorus_ingest.api.responses import error, results_response
from chorus_ingest.connectors import CONNECTORS
from chorus_ingest.connectors.base import Connector, RawInput
from chorus_ingest.metrics import IngestMetrics

router = APIRouter(prefix="/v1", tags=["webhooks"])


def _connector(platform: str) -> Connector | None:
    return CONNECTORS.get(platform)


def _unknown(platform: str) -> Response:
    return error(404, "unknown_platform", "no connector for this platform", "platform")


@router.post("/webhooks/{platform}")
async def receive_webhook(platform: str, request: Request, intake: IntakeDep) -> Response:
    """Verify the platform signature, then normalize, dedup and publish; retries are duplicates."""
    connector = _connector(platform)
    if connector is None:
        return _unknown(platform)
    metrics: IngestMetrics = request.app.state.ingest_metrics
    body = await request.body()
    query = dict(request.query_params)
    raw = RawInput(
        body=body,
        content_type=request.headers.get("content-type", ""),
        headers={k.lower(): v for k, v in request.headers.items()},
        query=query,
    )
    cache: store.CandidateCache = request.app.state.channel_cache
    candidates = await cache.get(platform, query.get("channel"))
    outcome = await webhooks.receive(intake, connector, raw, candidates)
    if isinstance(outcome, webhooks.Refused):
        metrics.webhooks.labels(platform, outcome.code).inc()
        return error(outcome.status, outcome.code, outcome.message, outcome.field)
    metrics.webhooks.labels(platform, "ok").inc()
    return results_response(outcome)


@router.get("/webhooks/{platform}")
async def webhook_handshake(platform: str, request: Request, session: SessionDep) -> Response:
    """Answer the platform's subscription challenge (Meta hub.challenge, X crc_token, …)."""
    connector = _connector(platform)
    if connector is None:
        return _unknown(platform)
    query = dict(request.query_params)
    candidates = await store.webhook_candidates(session, platform, query.get("channel"))
    answer = webhooks.handshake(connector, query, candidates)
    if isinstance(answer, webhooks.Refused):
        return error(answer.status, answer.code, answer.message, answer.field)
    return Response(answer.body, status_code=answer.status, media_type=answer.content_type)
