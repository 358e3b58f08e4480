"""post.received: the post fact, its volume/engagement contribution and its terms."""

from __future__ import annotations

from typing import Any

from chorus_common.contracts.events import PostReceived
from chorus_common.contracts.timebuckets import as_utc
from chorus_common.messaging.envelope import Envelope

from chorus_analytics.domain.facts import PostFact, fact_from_row
from chorus_analytics.domain.text import sentiment_label, terms
from chorus_analytics.handle_brand import brand_post, is_brand
from chorus_analytics.unit import Unit


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


async def team_of_post(unit: Unit, post_id: str) -> str:
    """The team of the post's case, if a case event mapped it already; else ``""``."""
    case_id = await unit.case_of_post(post_id)
    case = await unit.cases.get(case_id) if case_id else None
    return (case["team"] if case else None) or ""


async def on_posts_received(events: list[Envelope], *, uow: Unit) -> None:
    """Count each post once (keyed by post id); a newer revision replaces its contribution."""
    for event in events:
        if is_brand(event):
            brand_post(event, uow)  # brand activity: not one of the posts counted here
        else:
            await _post_received(event.parsed(), uow)


async def _post_received(pr: PostReceived, unit: Unit) -> None:
    current = await unit.posts.get(pr.post.id)
    if current is None:
        fact = fact_of(pr, await team_of_post(unit, pr.post.id))
        unit.posts.put(_row(fact, pr))
        unit.apply_change(None, fact)
        return
    if pr.revision <= current["revision"]:
        return  # the same or an older version of a post already counted
    old = fact_from_row(current)
    new = fact_of(pr, old.team)
    unit.posts.put(_row(new, pr))
    unit.apply_change(old, new)
