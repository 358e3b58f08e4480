"""Consumer handlers of analytics. One table, ``HANDLERS``, maps event types to handlers.

Every handler applies a run of events of its type to the batch's
:class:`~chorus_analytics.unit.Unit` (the consumer contract of :mod:`chorus_common.messaging.consuming`);
the unit is written with the event ids in one transaction, so a redelivered event is applied
once.
"""

from __future__ import annotations

from chorus_common.contracts.event_types import EVENT_TYPES
from chorus_common.messaging.consuming import Handler

from chorus_analytics.handle_cases import on_case_events
from chorus_analytics.handle_other import REPLY_TIME, on_alerts, on_dead_letters, on_reply_events
from chorus_analytics.handle_posts import on_posts_received
from chorus_analytics.unit import Unit

HANDLERS: dict[str, Handler[Unit]] = {
    "post.received": on_posts_received,
    **{t: on_case_events for t in EVENT_TYPES if t.startswith("case.")},
    **{t: on_reply_events for t in REPLY_TIME},
    "alert.buzz": on_alerts,
    "alert.sla": on_alerts,
    "dead_letter": on_dead_letters,
}
