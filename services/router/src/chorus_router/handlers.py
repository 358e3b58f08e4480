"""Consumer handlers of the router. One table, ``HANDLERS``, maps event types to handlers.

Handlers take a run of consecutive events of their type and the unit of work of the whole
batch (one transaction): the consumer contract of :mod:`chorus_common.messaging.consuming`, whose
dispatcher skips event ids already processed.
"""

from __future__ import annotations

from itertools import groupby

from chorus_common.contracts.events import AlertEvent, ReplyEvent
from chorus_common.messaging.consuming import Handler
from chorus_common.messaging.envelope import Envelope
from sqlalchemy import select, update

from chorus_router import models
from chorus_router.casework.brand import apply_waiting, is_brand, on_brand_posts
from chorus_router.casework.case import Case
from chorus_router.casework.service import Casework, notify
from chorus_router.casework.store import fetch_case, update_cases
from chorus_router.core import Uow
from chorus_router.routing.batch import route_posts
from chorus_router.snapshot import bump


async def on_posts_received(events: list[Envelope], *, uow: Uow) -> None:
    """Open/update/reopen cases for posts; idempotent by post id (one case per post). The
    brand's own posts open nothing: they move their conversation's case (casework.brand)."""
    for brand, run in groupby(events, key=is_brand):
        posts = list(run)  # runs in arrival order: a reply follows the post it answers
        if brand:
            await on_brand_posts(posts, uow=uow)
        else:
            await route_posts(posts, uow=uow)
            await apply_waiting(posts, uow=uow)


async def on_reply_events(events: list[Envelope], *, uow: Uow) -> None:
    """Move cases along on reply events (approval, sent); idempotent by event id and status."""
    work = await Casework.open(uow)
    changed: dict[str, Case] = {}
    for e in events:
        reply: ReplyEvent = e.parsed()
        case = changed.get(reply.case_id) or await fetch_case(uow.session, reply.case_id)
        if case is None:
            continue  # a reply for a case this router never saw (another deployment)
        if work.apply_reply(case, e.type, reply.reply_id):
            changed[reply.case_id] = case
    await update_cases(uow.session, list(changed.values()))


async def on_buzz(events: list[Envelope], *, uow: Uow) -> None:
    """Raise or clear crisis mode; the PR lead gets a notification; idempotent per subject."""
    t = models.crises
    team = uow.core.settings.router_crisis_team
    snap = await uow.core.cache.get(uow.session)
    lead = snap.directory.lead_of(team)
    for e in events:
        alert: AlertEvent = e.parsed()
        row = (
            (await uow.session.execute(select(t).where(t.c.subject == alert.subject)))
            .mappings()
            .first()
        )
        if alert.state == "raised":
            values = {
                "alert_id": alert.alert_id,
                "keyword": alert.keyword,
                "channel": alert.channel,
                "message": alert.message,
                "active": True,
                "raised_at": e.occurred_at,
                "cleared_at": None,
            }
            if row is None:
                await uow.session.execute(t.insert().values(subject=alert.subject, **values))
            elif row["active"]:
                continue
            else:
                await uow.session.execute(
                    update(t).where(t.c.subject == alert.subject).values(**values)
                )
            what = alert.keyword or alert.channel or "all new posts"
            notify(
                uow,
                lead,
                "crisis_raised",
                f"Crisis mode: {alert.subject} ({what}); matching posts go to {team} as P1",
                subject=alert.subject,
                alert_id=alert.alert_id,
                keyword=alert.keyword,
                channel=alert.channel,
            )
        else:
            if row is None or not row["active"]:
                continue
            await uow.session.execute(
                update(t)
                .where(t.c.subject == alert.subject)
                .values(active=False, cleared_at=e.occurred_at)
            )
            notify(uow, lead, "crisis_cleared", f"Crisis cleared: {alert.subject}",
                   subject=alert.subject, alert_id=alert.alert_id)  # fmt: skip
        await bump(uow.session, "crises")


HandlerFn = Handler[Uow]

HANDLERS: dict[str, HandlerFn] = {
    "post.received": on_posts_received,
    "reply.approval_requested": on_reply_events,
    "reply.approved": on_reply_events,
    "reply.rejected": on_reply_events,
    "reply.sent": on_reply_events,
    "alert.buzz": on_buzz,
}
