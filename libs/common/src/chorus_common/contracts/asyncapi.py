"""The event contract as an AsyncAPI 3.0 document, generated from the schemas of events.py.

:func:`document` builds it from ``EVENT_TYPES`` (messages and their payload JSON Schemas),
the topic constants (channels), :data:`KEY_FIELDS` (what ``event_key`` keys each topic by)
and :data:`OPERATIONS` (which service sends and receives what, checked against the services'
code by tests/test_asyncapi_contract.py). ``chorus asyncapi`` writes it to docs/asyncapi.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import yaml
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chorus_common.contracts import topics
from chorus_common.contracts.event_types import EVENT_TYPES
from chorus_common.messaging.envelope import SCHEMA_VERSION, Envelope

ASYNCAPI_VERSION = "3.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
SCHEMA_REF = "#/components/schemas/{model}"


@dataclass(frozen=True)
class Channel:
    id: str
    topic: str
    key_field: tuple[str, ...]  # where the key sits in the envelope's payload
    description: str


CHANNELS: tuple[Channel, ...] = (
    Channel("posts", topics.POSTS, ("post", "thread_id"),
            "Every accepted post, normalized, with its language and signals."),
    Channel("cases", topics.CASES, ("thread_id",),
            "Every change of a case; each event carries the case as it stands after it."),
    Channel("replies", topics.REPLIES, ("case_id",),
            "Every step of a reply, from draft through approval to sent or failed."),
    Channel("alerts", topics.ALERTS, ("subject",),
            "Alerts raised and cleared (a spike of bad buzz)."),
    Channel("dlq", topics.DLQ, ("source",),
            "What could not be handled: the reason, where it came from and the original bytes."),
)  # fmt: skip
KEY_FIELDS: dict[str, tuple[str, ...]] = {c.topic: c.key_field for c in CHANNELS}

SUMMARIES: dict[str, str] = {
    "post.received": "A new post, or an edit of a known one (is_update, revision).",
    "case.opened": "A case was opened for a new conversation.",
    "case.assigned": "A case was given an owner (or left in its team's queue).",
    "case.reassigned": "A case moved to another owner or team.",
    "case.escalated": "A case was escalated (priority, team lead).",
    "case.sla_breached": "A case's first response is overdue.",
    "case.resolved": "A case was resolved.",
    "case.reopened": "A resolved case got a new post and was reopened.",
    "case.updated": "Anything else about a case changed (a new post, a reply's progress).",
    "reply.drafted": "A reply was drafted.",
    "reply.approval_requested": "A reply needs approvals before it can be sent.",
    "reply.approved": "A reply was approved.",
    "reply.rejected": "A reply was rejected.",
    "reply.sent": "A reply was sent on the platform (once).",
    "reply.failed": "Sending a reply failed for good.",
    "alert.buzz": "A spike of negative posts was raised or cleared.",
    "alert.sla": "An SLA alert was raised or cleared.",
    "dead_letter": "A record or request that could not be handled.",
}


def types_of(topic: str) -> tuple[str, ...]:
    return tuple(t for t, kind in EVENT_TYPES.items() if kind.topic == topic)


@dataclass(frozen=True)
class Operation:
    service: str
    action: Literal["send", "receive"]
    topic: str
    types: tuple[str, ...]
    group: str | None = None  # a receiver's consumer group
    summary: str = ""


_REPLIES = types_of(topics.REPLIES)
_DEAD = ("dead_letter",)
_DLQ_SENT = "records it cannot decode or handle, with the reason and the original bytes"

OPERATIONS: tuple[Operation, ...] = (
    Operation("ingest", "send", topics.POSTS, ("post.received",),
              summary="every post accepted from a webhook, a poller or the API"),
    Operation("ingest", "send", topics.DLQ, _DEAD, summary="input it rejected"),
    Operation("router", "receive", topics.POSTS, ("post.received",), "chorus-router-posts",
              "groups posts into cases and routes them"),
    Operation("router", "receive", topics.REPLIES, _REPLIES, "chorus-router-feedback",
              "a reply's progress moves its case (first response, status, owner activity)"),
    Operation("router", "receive", topics.ALERTS, ("alert.buzz",), "chorus-router-feedback",
              "crisis mode while a bad-buzz alert is raised"),
    Operation("router", "send", topics.CASES, types_of(topics.CASES),
              summary="every change of a case"),
    Operation("router", "send", topics.DLQ, _DEAD, summary=_DLQ_SENT),
    Operation("responder", "receive", topics.CASES, types_of(topics.CASES),
              "chorus-responder-cases", "its view of the cases"),
    Operation("responder", "receive", topics.POSTS, ("post.received",),
              "chorus-responder-posts", "its view of the posts it may reply to"),
    Operation("responder", "send", topics.REPLIES, _REPLIES, summary="every step of a reply"),
    Operation("responder", "send", topics.DLQ, _DEAD, summary=_DLQ_SENT),
    *(
        Operation("analytics", "receive", c.topic, types_of(c.topic), "chorus-analytics-all",
                  "counts and time-bucketed aggregates")
        for c in CHANNELS
    ),
    Operation("analytics", "send", topics.ALERTS, ("alert.buzz",),
              summary="raises and clears bad-buzz alerts"),
    Operation("analytics", "send", topics.DLQ, _DEAD, summary=_DLQ_SENT),
)  # fmt: skip

INFO = f"""\
The topics Chorus's services exchange, for the other systems that read and write them.

* Every record value is a JSON envelope (`Envelope`): `event_id`, `type`, `schema_version`,
  `occurred_at`, `producer`, `trace_id`, `payload`. Chorus always writes every field; what
  the schemas mark required is what Chorus needs from another producer. `type` picks the
  payload's schema. Records carry no headers.
* Times are RFC 3339: Chorus writes `occurred_at` in UTC with `Z`
  (`2026-12-07T10:00:00.123456Z`); it reads any offset (`+00:00` included).
* Every record key is a UTF-8 string: posts and cases are keyed by `thread_id`, replies by
  `case_id`, alerts by `subject`, dead letters by `source`. The partition is Kafka's default:
  `murmur2(key) & 0x7fffffff` modulo the partition count (the Java client's default
  partitioner; librdkafka needs `partitioner=murmur2_random`, its own default differs), so a
  conversation stays on one partition whoever produced it.
* Delivery is at least once: consumers skip an `event_id` they already applied. A record
  that cannot be decoded goes to `{topics.DLQ}` with its reason.
* `schema_version` is {SCHEMA_VERSION}; a newer one is dead-lettered (`unsupported_version`).

Generated from the Pydantic schemas by `chorus asyncapi`; do not edit by hand."""


def _channel(c: Channel) -> dict[str, Any]:
    return {
        "address": c.topic,
        "title": c.topic,
        "description": c.description,
        "messages": {t: {"$ref": f"#/components/messages/{t}"} for t in types_of(c.topic)},
        "bindings": {"kafka": {"topic": c.topic, "bindingVersion": KAFKA_BINDING_VERSION}},
    }


def _message(type_: str) -> dict[str, Any]:
    kind = EVENT_TYPES[type_]
    path = ".".join(("payload", *KEY_FIELDS[kind.topic]))
    return {
        "name": type_,
        "title": type_,
        "summary": SUMMARIES[type_],
        "contentType": "application/json",
        "correlationId": {"$ref": "#/components/correlationIds/trace"},
        "payload": {
            "allOf": [
                {"$ref": SCHEMA_REF.format(model="Envelope")},
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": type_},
                        "payload": {"$ref": SCHEMA_REF.format(model=kind.payload.__name__)},
                    },
                },
            ]
        },
        "bindings": {
            "kafka": {
                "key": {
                    "type": "string",
                    "description": f"`{path}`, UTF-8; the partition is murmur2(key) "
                    "& 0x7fffffff modulo the partition count",
                },
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _operation_id(op: Operation) -> str:
    channel = next(c.id for c in CHANNELS if c.topic == op.topic)
    return f"{op.service}-{op.action}s-{channel}"


def _operation(op: Operation) -> dict[str, Any]:
    channel = next(c.id for c in CHANNELS if c.topic == op.topic)
    verb = "sends" if op.action == "send" else "receives"
    out: dict[str, Any] = {
        "action": op.action,
        "channel": {"$ref": f"#/channels/{channel}"},
        "title": f"{op.service} {verb} {op.topic}",
        "summary": op.summary,
        "messages": [{"$ref": f"#/channels/{channel}/messages/{t}"} for t in op.types],
    }
    if op.group:
        out["description"] = (
            f"Consumer group `{op.group}`: one instance per partition at most. It reads every "
            "record of the topic and acts on the messages listed; others are skipped."
        )
        out["bindings"] = {
            "kafka": {
                "groupId": {"type": "string", "enum": [op.group]},
                "clientId": {"type": "string", "enum": [op.service]},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        }
    return out


def _schemas() -> dict[str, Any]:
    models: list[type[BaseModel]] = [Envelope]
    models += dict.fromkeys(kind.payload for kind in EVENT_TYPES.values())
    mode: Literal["validation"] = "validation"  # what Chorus accepts from a producer
    _, top = models_json_schema([(m, mode) for m in models], ref_template=SCHEMA_REF)
    defs: dict[str, Any] = top["$defs"]
    return dict(sorted(defs.items()))


def document() -> dict[str, Any]:
    """The AsyncAPI 3.0 document of every Chorus topic, as a JSON-ready dict."""
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "id": "urn:chorus:events",
        "info": {
            "title": "Chorus events",
            "version": str(SCHEMA_VERSION),
            "description": INFO,
        },
        "defaultContentType": "application/json",
        "servers": {
            "embedded": {
                "host": "127.0.0.1:9092",
                "protocol": "kafka",
                "description": "`make run`: the embedded Tansu broker.",
            },
            "kafka": {
                "host": "{bootstrap}",
                "protocol": "kafka",
                "description": "Apache Kafka: KAFKA_BOOTSTRAP_SERVERS of the services.",
                "variables": {"bootstrap": {"default": "kafka-1:9092"}},
            },
        },
        "channels": {c.id: _channel(c) for c in CHANNELS},
        "operations": {_operation_id(op): _operation(op) for op in OPERATIONS},
        "components": {
            "schemas": _schemas(),
            "messages": {t: _message(t) for t in EVENT_TYPES},
            "correlationIds": {
                "trace": {
                    "description": "The trace id: the case events a post leads to carry "
                    "the post's trace_id.",
                    "location": "$message.payload#/trace_id",
                }
            },
        },
    }


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks: the descriptions read as they are written."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def render(doc: dict[str, Any] | None = None) -> str:
    """The document as YAML, in a stable order (so the committed file can be compared)."""
    text: str = yaml.dump(
        document() if doc is None else doc,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    return "# Generated by `chorus asyncapi` from libs/common; do not edit.\n" + text
