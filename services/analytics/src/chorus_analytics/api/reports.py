"""Report endpoints: ``/v1/reports/…`` (scope ``reports:read``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from chorus_common.contracts.events import utcnow
from chorus_common.contracts.timebuckets import as_utc, bucket_count, parse_since
from chorus_common.openapi import problem
from chorus_common.problems import ApiProblem
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_analytics.api.deps import ReportsReader, SessionDep, SettingsDep, team_scope
from chorus_analytics.api.render import respond, wanted
from chorus_analytics.api.schemas import REPORT_MODELS, DigestRead, SummaryRead
from chorus_analytics.reports import activity, cases, digest, hands, posts, summary
from chorus_analytics.reports.query import ReportQuery, ReportTooLarge

router = APIRouter(prefix="/v1/reports", tags=["reports"])

Report = Callable[[AsyncSession, ReportQuery], Awaitable[dict[str, Any]]]
REPORTS: dict[str, Report] = {
    "volume": posts.volume,
    "engagement": posts.engagement,
    "sentiment": posts.sentiment,
    "top-authors": posts.top_authors,
    "keywords": posts.keywords,
    "responsiveness": cases.responsiveness,
    "sla": cases.sla,
    "workload": cases.workload,
    "replies": activity.replies,
    "time-in-hands": hands.time_in_hands,
}


def _bad(field: str, message: str) -> ApiProblem:
    return ApiProblem(422, "invalid_parameter", f"{field}: {message}", field=f"query.{field}")


_INVALID = problem(
    422,
    description="`validation_error`, `invalid_parameter` for a range that is empty, "
    "unreadable or has too many buckets, `report_too_large` when the report would read too "
    "many rows (`field` names the parameter to narrow)",
) | problem(403, "insufficient_scope", "team_not_visible")


def _formats(*types: str) -> dict[int | str, dict[str, Any]]:
    content = {t: {"schema": {"type": "string"}} for t in types}
    return {200: {"content": content}}


async def _answer(report: Awaitable[dict[str, Any]]) -> dict[str, Any]:
    """The report, or 422 naming the parameter to narrow when it would read too many rows."""
    try:
        return await report
    except ReportTooLarge as exc:
        raise ApiProblem(422, "report_too_large", str(exc), field=f"query.{exc.field}") from exc


def build_query(
    start: datetime | None,
    end: datetime | None,
    since: str | None,
    granularity: Literal["minute", "hour", "day"],
    max_buckets: int,
    **kw: Any,
) -> ReportQuery:
    now = utcnow()
    end_ = as_utc(end) if end else now
    if since:
        try:
            start_ = end_ - parse_since(since)
        except ValueError as exc:
            raise _bad("since", str(exc)) from exc
    else:
        start_ = as_utc(start) if start else end_ - timedelta(hours=24)
    if start_ >= end_:
        raise _bad("from", "must be before 'to'")
    n = bucket_count(start_, end_, granularity)
    if n > max_buckets:
        raise _bad("granularity", f"{n} {granularity} buckets exceed the limit of {max_buckets}")
    return ReportQuery(start=start_, end=end_, granularity=granularity, now=now, **kw)


FromQ = Annotated[datetime | None, Query(alias="from", description="ISO time (default: to - 24h)")]
ToQ = Annotated[datetime | None, Query(alias="to", description="ISO time (default: now)")]
SinceQ = Annotated[str | None, Query(description="instead of from: 90m, 24h, 7d")]
FormatQ = Annotated[Literal["json", "csv"] | None, Query(description="or Accept: text/csv")]


@router.get("/summary", response_model=SummaryRead, responses=_INVALID)
async def get_summary(
    request: Request,
    principal: ReportsReader,
    session: SessionDep,
    settings: SettingsDep,
    start: FromQ = None,
    end: ToQ = None,
) -> dict[str, Any]:
    """Every section in one document (all time unless from/to are given). The range is
    narrowed to the data there is (first recorded day to tomorrow), counted in hours when
    that fits `REPORT_MAX_BUCKETS` buckets and in days otherwise; the answer's `from`/`to`
    give the range used."""
    now = utcnow()
    q = ReportQuery(
        start=as_utc(start) if start else summary.EPOCH,
        end=as_utc(end) if end else now + summary.FUTURE,
        granularity="hour",
        now=now,
        teams=team_scope(principal),
        max_rows=settings.report_max_rows,
    )
    if q.start >= q.end:
        raise _bad("from", "must be before 'to'")
    try:
        q = await summary.bounded(session, q, settings.report_max_buckets)
    except summary.RangeTooLong as exc:
        raise _bad("from", str(exc)) from exc
    watch = getattr(request.app.state, "spike_watch", None)
    return await _answer(summary.summary(session, q, watch.as_dict() if watch else None))


@router.get("/digest", response_model=DigestRead, responses=_formats("text/markdown") | _INVALID)
async def get_digest(
    request: Request,
    principal: ReportsReader,
    session: SessionDep,
    settings: SettingsDep,
    day: Annotated[date | None, Query(alias="date", description="default: yesterday (UTC)")] = None,
    format: Annotated[Literal["json", "markdown"] | None, Query()] = None,
) -> Response | dict[str, Any]:
    """The day's digest per channel, as JSON or Markdown (``?format=markdown``)."""
    day = day or (utcnow() - timedelta(days=1)).date()
    data = await _answer(
        digest.digest(
            session,
            day,
            team_scope(principal),
            max_channels=settings.digest_max_channels,
            max_rows=settings.report_max_rows,
        )
    )
    if wanted(request, format) == "markdown":
        return Response(digest.to_markdown(data), media_type="text/markdown; charset=utf-8")
    return data


def _endpoint(name: str, report: Report) -> Callable[..., Awaitable[Response]]:
    async def endpoint(
        request: Request,
        principal: ReportsReader,
        session: SessionDep,
        settings: SettingsDep,
        start: FromQ = None,
        end: ToQ = None,
        since: SinceQ = None,
        granularity: Literal["minute", "hour", "day"] = "hour",
        platform: str | None = None,
        channel: str | None = None,
        team: str | None = None,
        group_by: Annotated[str | None, Query(description="dimension to split by")] = None,
        limit: Annotated[int, Query(ge=1, le=500, description="length of top lists")] = 20,
        format: FormatQ = None,
    ) -> Response:
        q = build_query(
            start,
            end,
            since,
            granularity,
            settings.report_max_buckets,
            platform=platform,
            channel=channel,
            team=team,
            teams=team_scope(principal, team),
            group_by=group_by,
            limit=limit,
            max_rows=settings.report_max_rows,
        )
        data = await _answer(report(session, q))
        fmt = wanted(request, format)
        return respond(data, "csv" if fmt == "csv" else "json", name)

    endpoint.__name__ = f"report_{name.replace('-', '_')}"
    return endpoint


# One route per report (so each is documented on its own in OpenAPI).
for _name, _report in REPORTS.items():
    router.add_api_route(
        f"/{_name}",
        _endpoint(_name, _report),
        methods=["GET"],
        response_model=REPORT_MODELS[_name],
        responses=_formats("text/csv") | _INVALID,
        summary=f"{_name} report",
        description=(_report.__doc__ or "").strip()
        + "\n\nOver [from, to) in buckets of `granularity`; JSON, or CSV with `?format=csv` "
        "or `Accept: text/csv`.",
    )
