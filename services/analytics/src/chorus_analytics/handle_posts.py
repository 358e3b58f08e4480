"""post.received: the post fact, its volume/engagement contribution and its terms."""

from __future__ import annotations

from typing import Any

from chorus_common.events import Envelope, PostReceived
from chorus_common.runtime import Runtime
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_analytics import models, store
from chorus_analytics.domain.facts import PostFact, add_post
from chorus_analytics.domain.text import sentiment_label, terms
from chorus_analytics.domain.timebuckets import as_utc


def fact_of(pr: PostReceived, team: str) -> PostFact:
    p = pr.post
    return PostFact(
        post_id=p.id,
        platform=p.platform,
        channel=p.channel,
        kind=p.kind,
        lang=(p.lang or "")[:16],
        sentiment=sentiment_label(p.signals.sentiment_label, p.signals.sentiment_score),
        sentiment_score=p.signals.sentiment_score,
        team=team,
        created_at=as_utc(p.created_at),
        likes=p.metrics.likes,
        shares=p.metrics.shares,
        replies=p.metrics.replies,
        views=p.metrics.views,
        terms=tuple(terms(p.signals.keywords, p.text)),
    )


def fact_from_row(row: Any) -> PostFact:
    return PostFact(
        post_id=row.post_id,
        platform=row.platform,
        channel=row.channel,
        kind=row.kind,
        lang=row.lang,
        sentiment=row.sentiment,
        sentiment_score=row.sentiment_score,
        team=row.team,
        created_at=as_utc(row.created_at),
        likes=row.likes,
        shares=row.shares,
        replies=row.replies,
        views=row.views,
        terms=tuple(row.terms),
    )


async def team_of_post(session: AsyncSession, post_id: str) -> str:
    """The team of the post's case, if a case event mapped it already; else ``""``."""
    pc, c = models.post_cases, models.cases
    team = (
        await session.execute(
            select(c.c.team).join(pc, pc.c.case_id == c.c.case_id).where(pc.c.post_id == post_id)
        )
    ).scalar_one_or_none()
    return team or ""


async def apply_change(session: AsyncSession, old: PostFact | None, new: PostFact | None) -> None:
    """Move the bucket contribution from ``old`` to ``new`` and keep the term index in step."""
    pending = store.pending(session)
    if old is not None:
        add_post(pending.posts, pending.terms, old, -1)
    if new is not None:
        add_post(pending.posts, pending.terms, new, 1)
    if new is not None and (
        old is None or old.terms != new.terms or old.sentiment != new.sentiment
    ):
        t = models.post_terms
        if old is not None:
            await session.execute(delete(t).where(t.c.post_id == new.post_id))
        if new.terms:
            await session.execute(
                insert(t),
                [
                    {
                        "post_id": new.post_id,
                        "term": term,
                        "channel": new.channel,
                        "negative": new.negative,
                        "created_at": new.created_at,
                    }
                    for term in new.terms
                ],
            )


def _row(fact: PostFact, pr: PostReceived) -> dict[str, Any]:
    a = pr.post.author
    return {
        "post_id": fact.post_id,
        "thread_id": pr.post.thread_id,
        "platform": fact.platform,
        "channel": fact.channel,
        "kind": fact.kind,
        "lang": fact.lang,
        "sentiment": fact.sentiment,
        "sentiment_score": fact.sentiment_score,
        "team": fact.team,
        "author_id": a.id,
        "author_handle": a.handle or a.display_name,
        "author_followers": a.followers or 0,
        "author_verified": a.verified,
        "created_at": fact.created_at,
        "likes": fact.likes,
        "shares": fact.shares,
        "replies": fact.replies,
        "views": fact.views,
        "terms": list(fact.terms),
        "revision": pr.revision,
    }


async def on_post_received(event: Envelope, *, session: AsyncSession, runtime: Runtime) -> None:
    """Count a post once (keyed by post id); a newer revision replaces its contribution."""
    pr: PostReceived = event.parsed()
    t = models.posts
    current = (await session.execute(select(t).where(t.c.post_id == pr.post.id))).first()
    if current is None:
        fact = fact_of(pr, await team_of_post(session, pr.post.id))
        await session.execute(insert(t).values(**_row(fact, pr)))
        await apply_change(session, None, fact)
        return
    if pr.revision <= current.revision:
        return  # the same or an older version of a post already counted
    old = fact_from_row(current)
    new = fact_of(pr, old.team)
    await session.execute(update(t).where(t.c.post_id == new.post_id).values(**_row(new, pr)))
    await apply_change(session, old, new)
