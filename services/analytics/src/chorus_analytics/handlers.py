"""Consumer handlers of analytics. One table, ``HANDLERS``, maps event types to handlers.

Every handler runs inside the dispatcher's transaction, which also records the event id,
so a redelivered event is applied once.
"""

from __future__ import annotations

from chorus_common.consume import EventHandler
from chorus_common.events import EVENT_TYPES

from chorus_analytics.handle_cases import on_case_event
from chorus_analytics.handle_other import REPLY_TIME, on_alert, on_dead_letter, on_reply_event
from chorus_analytics.handle_posts import on_post_received

HANDLERS: dict[str, EventHandler] = {
    "post.received": on_post_received,
    **{t: on_case_event for t in EVENT_TYPES if t.startswith("case.")},
    **{t: on_reply_event for t in REPLY_TIME},
    "alert.buzz": on_alert,
    "alert.sla": on_alert,
    "dead_letter": on_dead_letter,
}
