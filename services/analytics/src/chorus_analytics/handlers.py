"""Consumer handlers of analytics. One table, ``HANDLERS``, maps event types to handlers.

Every handler applies one event to the batch's :class:`~chorus_analytics.unit.Unit`; the
batch handler (:mod:`chorus_analytics.consumer`) writes the unit and the event ids in one
transaction, so a redelivered event is applied once.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, Protocol

from chorus_common.events import EVENT_TYPES, Envelope

from chorus_analytics.handle_cases import on_case_event
from chorus_analytics.handle_other import REPLY_TIME, on_alert, on_dead_letter, on_reply_event
from chorus_analytics.handle_posts import on_post_received
from chorus_analytics.unit import Unit


class Handler(Protocol):
    def __call__(self, event: Envelope, payload: Any, /, *, unit: Unit) -> Awaitable[None]: ...


HANDLERS: dict[str, Handler] = {
    "post.received": on_post_received,
    **{t: on_case_event for t in EVENT_TYPES if t.startswith("case.")},
    **{t: on_reply_event for t in REPLY_TIME},
    "alert.buzz": on_alert,
    "alert.sla": on_alert,
    "dead_letter": on_dead_letter,
}
