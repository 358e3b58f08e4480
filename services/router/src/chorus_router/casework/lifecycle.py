"""Case statuses and the transitions between them."""

from __future__ import annotations

from typing import Literal

Status = Literal["new", "queued", "assigned", "waiting_approval", "replied", "resolved", "reopened"]
STATUSES: tuple[str, ...] = (
    "new",
    "queued",
    "assigned",
    "waiting_approval",
    "replied",
    "resolved",
    "reopened",
)
# Statuses whose case counts against its owner's capacity.
LOADED = frozenset({"assigned", "waiting_approval", "replied", "reopened"})
OPEN = frozenset(STATUSES) - {"resolved"}

Action = Literal[
    "assign",
    "queue",
    "post",
    "approval_requested",
    "approval_settled",
    "reply_sent",
    "resolve",
    "reopen",
    "handback",
]

_TRANSITIONS: dict[str, dict[str, str]] = {
    # action -> {from status: to status}; "*" keeps the status.
    "assign": {
        "new": "assigned",
        "queued": "assigned",
        "assigned": "assigned",
        "reopened": "reopened",
        "waiting_approval": "waiting_approval",
        "replied": "replied",
    },
    "queue": {
        "new": "queued",
        "queued": "queued",
        "assigned": "queued",
        "reopened": "queued",
        "waiting_approval": "queued",
        "replied": "queued",
    },
    "post": {
        "new": "new",
        "queued": "queued",
        "assigned": "assigned",
        "waiting_approval": "waiting_approval",
        "replied": "assigned",
        "resolved": "reopened",
        "reopened": "reopened",
    },
    "approval_requested": {
        "assigned": "waiting_approval",
        "reopened": "waiting_approval",
        "replied": "waiting_approval",
        "waiting_approval": "waiting_approval",
        "queued": "waiting_approval",
    },
    "approval_settled": {"waiting_approval": "assigned"},
    "reply_sent": {
        "assigned": "replied",
        "reopened": "replied",
        "waiting_approval": "replied",
        "replied": "replied",
        "queued": "replied",
        "new": "replied",
    },
    "resolve": {s: "resolved" for s in STATUSES if s != "resolved"},
    "reopen": {"resolved": "reopened"},
    "handback": {
        "assigned": "assigned",
        "reopened": "reopened",
        "waiting_approval": "waiting_approval",
        "replied": "replied",
    },
}


class InvalidTransition(ValueError):
    def __init__(self, action: str, status: str) -> None:
        super().__init__(f"cannot {action.replace('_', ' ')} a case that is {status}")
        self.action = action
        self.status = status


def next_status(status: str, action: str) -> str:
    """The status after ``action``; raises :class:`InvalidTransition` when not allowed."""
    table = _TRANSITIONS[action]
    if status not in table:
        raise InvalidTransition(action, status)
    return table[status]


def can(status: str, action: str) -> bool:
    return status in _TRANSITIONS[action]
