"""The periodic spike check: negative mentions per minute per channel and per keyword,
judged by :mod:`chorus_analytics.domain.spikes`; transitions published as ``alert.buzz``."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chorus_common.contracts.events import AlertEvent, utcnow
from chorus_common.contracts.timebuckets import as_utc, floor
from chorus_common.messaging.envelope import Envelope, make_event
from chorus_common.persistence.db import insert_ignore
from chorus_common.runtime import Runtime
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_analytics import models
from chorus_analytics.domain.spikes import SpikeParams, Verdict, evaluate
from chorus_analytics.settings import AnalyticsSettings

log = logging.getLogger(__name__)
PB, TB, ST = models.post_buckets, models.term_buckets, models.alert_state
Subject = tuple[str, str]  # (kind, target): ("channel", "@brand") or ("keyword", "refund")


@dataclass
class SpikeWatch:
    """What the last check saw (per instance, for the summary): subjects and top z-scores."""

    checked_at: datetime | None = None
    subjects: int = 0
    top: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "checked_at": self.checked_at.isoformat().replace("+00:00", "Z")
            if self.checked_at
            else None,
            "subjects_watched": self.subjects,
            "highest": self.top,
        }


def params_of(s: AnalyticsSettings) -> SpikeParams:
    return SpikeParams(
        alpha=s.spike_alpha,
        z_raise=s.spike_z_raise,
        z_clear=s.spike_z_clear,
        min_count=s.spike_min_count,
        warmup=s.spike_warmup_minutes,
    )


def subject_id(kind: str, target: str) -> str:
    return f"buzz:{kind}:{target}"[:300]


async def _series(
    session: AsyncSession, start: datetime, max_keywords: int
) -> dict[Subject, dict[datetime, int]]:
    out: dict[Subject, dict[datetime, int]] = defaultdict(dict)
    ch = await session.execute(
        select(PB.c.channel, PB.c.bucket, func.sum(PB.c.posts))
        .where(PB.c.grain == "m", PB.c.bucket >= start, PB.c.sentiment == "negative")
        .group_by(PB.c.channel, PB.c.bucket)
    )
    for channel, bucket, n in ch.all():
        out[("channel", channel)][as_utc(bucket)] = int(n)
    top = (
        select(TB.c.term)
        .where(TB.c.grain == "m", TB.c.bucket >= start, TB.c.negative > 0)
        .group_by(TB.c.term)
        .order_by(func.sum(TB.c.negative).desc(), TB.c.term)
        .limit(max_keywords)
        .subquery()
    )
    kw = await session.execute(
        select(TB.c.term, TB.c.bucket, func.sum(TB.c.negative))
        .where(TB.c.grain == "m", TB.c.bucket >= start, TB.c.term.in_(select(top.c.term)))
        .group_by(TB.c.term, TB.c.bucket)
    )
    for term, bucket, n in kw.all():
        out[("keyword", term)][as_utc(bucket)] = int(n)
    return out


async def _samples(session: AsyncSession, subject: Subject, since: datetime) -> tuple[str, ...]:
    kind, target = subject
    if kind == "channel":
        p = models.posts
        stmt = select(p.c.post_id).where(
            p.c.channel == target, p.c.sentiment == "negative", p.c.created_at >= since
        )
        stmt = stmt.order_by(p.c.created_at.desc()).limit(5)
    else:
        t = models.post_terms
        stmt = select(t.c.post_id).where(t.c.term == target, t.c.negative, t.c.created_at >= since)
        stmt = stmt.order_by(t.c.created_at.desc()).limit(5)
    return tuple((await session.execute(stmt)).scalars())


def _message(subject: Subject, v: Verdict, raised: bool) -> str:
    kind, target = subject
    what = (
        f"negative mentions on {target}"
        if kind == "channel"
        else f"negative mentions of '{target}'"
    )
    s = v.score
    if raised:
        return (
            f"Buzz: {what} at {s.count:.0f}/min against a baseline of {s.baseline:.1f}/min "
            f"(z={s.zscore:.1f})"
        )
    return f"Cleared: {what} back to {s.count:.0f}/min (baseline {s.baseline:.1f}/min)"


async def check_spikes(
    runtime: Runtime,
    settings: AnalyticsSettings,
    *,
    now: datetime | None = None,
    watch: SpikeWatch | None = None,
) -> list[Envelope]:
    """Evaluate every subject and publish raised/cleared transitions through the outbox.

    Transitions are compare-and-set on ``analytics_alert_state``, so two instances checking
    at once publish each transition once."""
    now = as_utc(now or utcnow())
    minute = floor(now, "minute")
    window_start = minute - timedelta(minutes=settings.spike_window_minutes)
    params = params_of(settings)
    published: list[Envelope] = []
    async with runtime.sessionmaker() as session, session.begin():
        first = (
            await session.execute(select(func.min(PB.c.bucket)).where(PB.c.grain == "m"))
        ).scalar_one_or_none()
        if first is None:
            return []
        start = max(window_start, as_utc(first))
        series = await _series(session, start, settings.spike_max_keywords)
        states = {(r.kind, r.target): r for r in (await session.execute(select(ST))).all()}
        seen: list[tuple[float, dict[str, Any]]] = []
        for subject in sorted(set(series) | set(states)):
            counts = series.get(subject, {})
            n = int((minute - start) / timedelta(minutes=1))
            complete = [counts.get(start + timedelta(minutes=i), 0) for i in range(n)]
            verdict = evaluate(complete, counts.get(minute, 0), params)
            sc = verdict.score
            seen.append(
                (
                    sc.zscore,
                    {
                        "subject": subject_id(*subject),
                        "raised": verdict.raised,
                        "rate": sc.count,
                        "baseline": round(sc.baseline, 3),
                        "zscore": round(sc.zscore, 2),
                    },
                )
            )
            state = states.get(subject)
            was_raised = state is not None and state.state == "raised"
            if verdict.raised != was_raised:
                env = await _transition(session, runtime, subject, verdict, now, minute)
                if env is not None:
                    published.append(env)
        if watch is not None:
            watch.checked_at, watch.subjects = now, len(seen)
            watch.top = [d for _, d in sorted(seen, key=lambda t: -t[0])[:5]]
    return published


async def _transition(
    session: AsyncSession,
    runtime: Runtime,
    subject: Subject,
    v: Verdict,
    now: datetime,
    minute: datetime,
) -> Envelope | None:
    kind, target = subject
    sid = subject_id(kind, target)
    alert_id = uuid.uuid4().hex
    values: dict[str, Any] = {
        "state": "raised" if v.raised else "cleared",
        "alert_id": alert_id,
        "rate": float(v.score.count),
        "baseline": float(v.score.baseline),
        "zscore": float(v.score.zscore),
        "changed_at": now,
    }
    row = {"subject": sid, "kind": kind, "target": target, **values}
    inserted = await session.execute(insert_ignore(runtime.dialect, ST, row, ["subject"]))
    if inserted.rowcount != 1:  # type: ignore[attr-defined]
        previous = "cleared" if v.raised else "raised"
        res = await session.execute(
            update(ST).where(ST.c.subject == sid, ST.c.state == previous).values(**values)
        )
        if res.rowcount != 1:  # type: ignore[attr-defined]
            return None  # another instance made this transition first
    samples = await _samples(session, subject, minute - timedelta(minutes=5)) if v.raised else ()
    payload = AlertEvent(
        alert_id=alert_id,
        subject=sid,
        state="raised" if v.raised else "cleared",
        channel=target if kind == "channel" else None,
        keyword=target if kind == "keyword" else None,
        rate=float(v.score.count),
        baseline=round(float(v.score.baseline), 4),
        zscore=round(float(v.score.zscore), 3),
        sample_post_ids=samples,
        message=_message(subject, v, v.raised),
    )
    env = make_event("alert.buzz", payload, producer=runtime.settings.service_name)
    await runtime.publish(session, [env])
    log.info("buzz %s", values["state"], extra={"subject": sid, "zscore": values["zscore"]})
    return env


async def prune(runtime: Runtime, settings: AnalyticsSettings) -> None:
    """Drop minute buckets past their retention (hour and day buckets stay), subjects
    cleared more than a day ago and dead letters past theirs."""
    now = utcnow()
    cutoff = now - timedelta(hours=settings.minute_retention_hours)
    async with runtime.sessionmaker() as session, session.begin():
        for t in (PB, TB, models.event_buckets):
            await session.execute(delete(t).where(t.c.grain == "m", t.c.bucket < cutoff))
        await session.execute(
            delete(ST).where(ST.c.state == "cleared", ST.c.changed_at < now - timedelta(days=1))
        )
        dl = models.dead_letters
        kept = now - timedelta(days=settings.dead_letter_retention_days)
        await session.execute(delete(dl).where(dl.c.at < kept))


async def run_forever(runtime: Runtime, settings: AnalyticsSettings, watch: SpikeWatch) -> None:
    """Background task: check spikes every ``spike_check_seconds``; prune every 10 minutes."""
    last_prune = 0.0
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(settings.spike_check_seconds)
        try:
            await check_spikes(runtime, settings, watch=watch)
            if loop.time() - last_prune > 600:
                await prune(runtime, settings)
                last_prune = loop.time()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("spike check failed; will retry")
