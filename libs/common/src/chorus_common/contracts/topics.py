"""Topic names: part of the event contract other clients read (docs/asyncapi.yaml)."""

from __future__ import annotations

POSTS = "chorus.posts.v1"
CASES = "chorus.cases.v1"
REPLIES = "chorus.replies.v1"
ALERTS = "chorus.alerts.v1"
DLQ = "chorus.dlq.v1"

ALL_TOPICS: tuple[str, ...] = (POSTS, CASES, REPLIES, ALERTS, DLQ)
