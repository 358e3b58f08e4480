"""The label values analytics knows without having seen them: its counters start there at 0."""

from __future__ import annotations

from typing import get_args

from chorus_common.contracts.asyncapi import OPERATIONS
from chorus_common.contracts.event_types import EVENT_TYPES
from chorus_common.contracts.events import AlertEvent
from chorus_common.metrics import DEAD_LETTER_CODES

Samples = dict[str, dict[tuple[str, ...], float]]
PRIORITIES = ("P1", "P2", "P3", "P4")
CASE_TYPES = tuple(t for t in EVENT_TYPES if t.startswith("case."))
REPLY_STATUSES = tuple(t.removeprefix("reply.") for t in EVENT_TYPES if t.startswith("reply."))
ALERT_TYPES = tuple(t for t in EVENT_TYPES if t.startswith("alert."))
ALERT_STATES: tuple[str, ...] = get_args(AlertEvent.model_fields["state"].annotation)
# Where consumers dead-letter from: "<service>:<topic>" of every consumer of the contract.
CONSUMER_SOURCES = tuple(
    dict.fromkeys(f"{op.service}:{op.topic}" for op in OPERATIONS if op.action == "receive")
)


def zero_known(samples: Samples) -> None:
    """Put at zero every counter series whose labels are known, so the first event of a kind
    moves a series Prometheus has already seen (``increase()`` sees nothing in a series'
    first sample): alerts by type and state, case events and replies for every team the
    figures know, dead letters of every consumer by code."""
    teams = {key[1] for key in samples.get("case_events", {})}
    teams |= {key[0] for key in samples.get("cases_open", {})}
    teams |= {key[0] for key in samples.get("replies", {})}
    for team in sorted(teams):
        for type_ in CASE_TYPES:
            for prio in PRIORITIES:
                _zero(samples, "case_events", (type_, team, prio))
        for status in REPLY_STATUSES:
            _zero(samples, "replies", (team, status))
    for type_ in ALERT_TYPES:
        for state in ALERT_STATES:
            _zero(samples, "alerts", (type_, state))
    for source in CONSUMER_SOURCES:
        for code in DEAD_LETTER_CODES:
            _zero(samples, "dead_letters", (source, code))


def _zero(samples: Samples, name: str, labels: tuple[str, ...]) -> None:
    samples.setdefault(name, {}).setdefault(labels, 0.0)
