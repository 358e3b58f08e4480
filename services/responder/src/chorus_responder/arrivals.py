"""Waiting for the responder's views to catch up with what a client has already seen.

A client learns of a case from the router's stream the moment the router commits it; the
responder learns of it when its own consumer has read ``chorus.cases.v1`` (and the post from
``chorus.posts.v1``), a moment later. A request about a case the views do not
hold yet waits, up to ``RESPONDER_CASE_WAIT_SECONDS``, and is woken as soon as a consumer
batch commits here; other instances' commits are seen by looking again every
:data:`POLL_SECONDS`. Past the wait it is answered 503 with ``Retry-After``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from chorus_common.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_responder import store
from chorus_responder.access import sees_case
from chorus_responder.errors import ResponderError

T = TypeVar("T")
POLL_SECONDS = 0.2
RETRY_AFTER_SECONDS = 1


class Arrivals:
    """Wakes the requests waiting for a case or a post whenever a view batch commits."""

    def __init__(self) -> None:
        self._changed = asyncio.Event()
        self.waiting = 0  # requests waiting now (tests wait on it; no lost wake-up either way)

    def notify(self) -> None:
        """A batch of cases or posts is committed: every waiter looks again."""
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def until(
        self,
        look: Callable[[], Awaitable[T | None]],
        within: float,
        ready: Callable[[T], bool] = lambda _: True,
    ) -> T | None:
        """``look()``'s first answer that is ``ready``, asking again after each commit (and
        every :data:`POLL_SECONDS`) for up to ``within`` seconds; then its last answer."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        self.waiting += 1
        try:
            while True:
                changed = self._changed  # before looking: a commit meanwhile still wakes us
                found = await look()
                left = deadline - loop.time()
                if (found is not None and ready(found)) or left <= 0:
                    return found
                try:
                    await asyncio.wait_for(changed.wait(), min(left, POLL_SECONDS))
                except TimeoutError:
                    pass
        finally:
            self.waiting -= 1


def not_ready(code: str, message: str) -> ResponderError:
    return ResponderError(503, code, message, field="case_id", retry_after=RETRY_AFTER_SECONDS)


async def known_case(
    session: AsyncSession,
    arrivals: Arrivals,
    principal: Principal,
    case_id: str,
    *,
    post_id: str | None = None,
    need_post: bool = True,
    wait: float,
) -> None:
    """Return once the views hold the case and the post a reply would answer (``post_id``,
    else the case's latest); 503 ``case_not_ready`` / ``post_not_available`` with
    ``Retry-After`` after ``wait`` seconds. A case the caller may not see is not waited for
    (the caller answers 404); ``need_post=False`` waits for the case alone. Only reads: each look ends the session's transaction, so it
    sees what committed since."""

    async def look() -> tuple[bool, bool] | None:
        await session.rollback()
        case = await store.get_case(session, case_id)
        if case is None:
            return None
        if not sees_case(principal, case) or post_id or not need_post:
            return True, True  # not theirs (404), or a named post (checked when drafting)
        return True, await store.latest_post(session, case) is not None

    found = await arrivals.until(look, wait, ready=lambda f: f[1])
    if found is None:
        raise not_ready(
            "case_not_ready",
            f"case {case_id} has not reached the responder yet; retry shortly",
        )
    if not found[1]:
        raise not_ready(
            "post_not_available",
            f"the posts of case {case_id} have not reached the responder yet; retry shortly",
        )
