"""Platform webhooks and their subscription handshakes (no bearer token: signatures instead)."""

from __future__ import annotations

from chorus_common.openapi import problem
from chorus_platforms.kit.inbound import Connector, RawInput
from chorus_platforms.registry import CONNECTORS
from fastapi import APIRouter, Request
from fastapi.responses import Response

from chorus_ingest import channels as store
from chorus_ingest import webhooks
from chorus_ingest.api.deps import IntakeDep, SessionDep
from chorus_ingest.api.responses import error, results_response
from chorus_ingest.api.schemas import IntakeResultRead, PlatformPath
from chorus_ingest.metrics import IngestMetrics

router = APIRouter(prefix="/v1", tags=["webhooks"])


def _connector(platform: str) -> Connector | None:
    return CONNECTORS.get(platform)


# The platform's own handshake refusals, by status.
_HANDSHAKE_CODES = {400: "invalid_challenge", 403: "handshake_refused", 404: "unknown_topic"}
_UNKNOWN = problem(404, "unknown_platform", "no_handshake", "unknown_topic")


def _unknown(platform: str) -> Response:
    return error(404, "unknown_platform", "no connector for this platform", "platform")


@router.post(
    "/webhooks/{platform}",
    response_model=IntakeResultRead,
    responses=_UNKNOWN
    | problem(
        401,
        description="the platform's signature or credentials are missing: "
        "`missing_signature`, `signature_missing`, `credentials_missing`, `token_missing`",
    )
    | problem(
        403,
        description="the signature does not verify or no channel can check it: "
        "`bad_signature`, `signature_mismatch`, `signature_invalid`, `signature_replayed`, "
        "`credentials_mismatch`, `token_mismatch`, `secret_not_configured`, "
        "`channel_not_configured`",
    )
    | problem(422, description="the verified body cannot be read: the connector's code"),
)
async def receive_webhook(platform: PlatformPath, request: Request, intake: IntakeDep) -> Response:
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
    fetcher = request.app.state.fetcher
    outcome = await webhooks.receive(intake, connector, raw, candidates, fetcher)
    if isinstance(outcome, webhooks.Refused):
        metrics.webhooks.labels(platform, outcome.code).inc()
        return error(outcome.status, outcome.code, outcome.message, outcome.field)
    metrics.webhooks.labels(platform, "ok").inc()
    return results_response(outcome)


@router.get(
    "/webhooks/{platform}",
    responses={
        200: {
            "description": "the challenge answered as the platform expects it",
            "content": {
                "text/plain": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object"}},
            },
        }
    }
    | _UNKNOWN
    | problem(400, "invalid_challenge")
    | problem(403, "handshake_refused", "channel_not_configured"),
)
async def webhook_handshake(
    platform: PlatformPath, request: Request, session: SessionDep
) -> Response:
    """Answer the platform's subscription challenge (Meta hub.challenge, X crc_token, …)."""
    connector = _connector(platform)
    if connector is None:
        return _unknown(platform)
    query = dict(request.query_params)
    candidates = await store.webhook_candidates(session, platform, query.get("channel"))
    answer = webhooks.handshake(connector, query, candidates)
    if isinstance(answer, webhooks.Refused):
        return error(answer.status, answer.code, answer.message, answer.field)
    if answer.status >= 400:
        code = _HANDSHAKE_CODES.get(answer.status, "handshake_refused")
        return error(answer.status, code, answer.body.decode("utf-8", "replace"))
    return Response(answer.body, status_code=answer.status, media_type=answer.content_type)
