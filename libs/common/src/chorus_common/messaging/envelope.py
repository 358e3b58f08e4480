"""The event envelope: every message on a Chorus topic is an :class:`Envelope` serialized as
JSON, around a payload of :mod:`chorus_common.contracts.events` picked by its ``type``
(:data:`chorus_common.contracts.event_types.EVENT_TYPES`)."""

from __future__ import annotations

import os
import time
import uuid
from datetime import datetime
from functools import cache
from typing import Any, Self

import orjson
from pydantic import BaseModel, Field, PrivateAttr, ValidationError, create_model, field_validator
from pydantic_core import to_jsonable_python

from chorus_common.contracts.event_types import EVENT_TYPES
from chorus_common.contracts.events import Frozen, as_utc, constructed, utcnow

SCHEMA_VERSION = 1
# Times on the wire: UTC with ``Z`` (a naive time is taken as UTC); readers accept any offset.
_WIRE = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC


# An enum member read through its class is a descriptor call: read it once.
_UNKNOWN_SAFETY = uuid.SafeUUID.unknown


def new_event_id() -> uuid.UUID:
    """A time-ordered UUID, version 7 (RFC 9562): 48 bits of Unix milliseconds, then random.

    Every consumer records each event id it applied (a primary key): random ids (version 4)
    put each insert on a random page of that index, so a batch of 30 posts wrote some 30
    index pages per consumer; ids that ascend with time append to the last few pages."""
    ms = time.time_ns() // 1_000_000 & 0xFFFF_FFFF_FFFF
    rand = int.from_bytes(os.urandom(10), "big")  # 80 bits: 12 for rand_a, 62 for rand_b
    value = (
        ms << 80
        | 0x7 << 76  # version 7
        | (rand >> 62 & 0xFFF) << 64  # rand_a
        | 0b10 << 62  # the RFC 4122 / 9562 variant
        | rand & 0x3FFF_FFFF_FFFF_FFFF  # rand_b
    )
    # As ``uuid.UUID(int=value)`` sets it, without its argument checks: the value is 128 bits
    # by construction, and every event sent pays for its id.
    out = object.__new__(uuid.UUID)
    object.__setattr__(out, "int", value)
    object.__setattr__(out, "is_safe", _UNKNOWN_SAFETY)
    return out


def named_post_and_trace(raw: bytes) -> tuple[str | None, str | None]:
    """The post id and trace id a record names, if it is a JSON envelope at all: best
    effort, for a dead letter (a post's id, or a reply's post_id; the envelope's trace_id)."""
    try:
        doc = orjson.loads(raw)
    except ValueError:
        return None, None
    if not isinstance(doc, dict):
        return None, None
    payload = doc.get("payload")
    payload = payload if isinstance(payload, dict) else {}
    post = payload.get("post")
    post_id = post.get("id") if isinstance(post, dict) else payload.get("post_id")
    trace_id = doc.get("trace_id")
    return (
        post_id[:600] if isinstance(post_id, str) else None,
        trace_id[:64] if isinstance(trace_id, str) else None,
    )


# --------------------------------------------------------------------------- envelope


# Every code a DecodeError carries (metrics start each at zero; a test keeps this complete).
DECODE_CODES: tuple[str, ...] = (
    "invalid_json",
    "invalid_envelope",
    "unknown_type",
    "unsupported_version",
    "invalid_payload",
)


class DecodeError(ValueError):
    """A message that is not a valid envelope; ``code`` is stable, ``field`` names the culprit."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


class Envelope(Frozen):
    event_id: uuid.UUID = Field(default_factory=new_event_id)
    type: str
    schema_version: int = SCHEMA_VERSION
    occurred_at: datetime = Field(default_factory=utcnow)
    producer: str
    trace_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    payload: dict[str, Any]
    # The typed payload ``from_bytes`` validated, with the payload dict it came from: ``parsed()``
    # does not validate the same payload twice. Held on the envelope, not in a global cache:
    # a process-wide cache kept thousands of decoded payloads alive, and the cyclic GC walking
    # them cost more than the second validation it saved. Not part of the value (see __eq__).
    _typed: tuple[dict[str, Any], BaseModel] | None = PrivateAttr(default=None)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Envelope):
            return self.__dict__ == other.__dict__
        return NotImplemented

    __hash__ = Frozen.__hash__

    @field_validator("occurred_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return as_utc(value)

    @property
    def topic(self) -> str:
        return EVENT_TYPES[self.type].topic

    def parsed(self) -> Any:
        """The payload as its typed model (validated)."""
        # Straight from the private dict: pydantic's __getattr__ for a private field would be
        # paid by every handler on every event.
        private = self.__pydantic_private__
        cached = private.get("_typed") if private else None
        if cached is not None and cached[0] is self.payload:
            return cached[1]
        return EVENT_TYPES[self.type].payload.model_validate(self.payload)

    def to_bytes(self) -> bytes:
        """The record value: JSON, every time in UTC written with ``Z``.

        The one encoder of an envelope, the hot paths' too: orjson writes the fields as they
        are, without pydantic's walk over the untyped payload (JSON-ready, as ``make_event``
        and the hot paths build it); a value orjson does not know goes through pydantic."""
        d = self.__dict__
        return orjson.dumps(
            {
                "event_id": d["event_id"],
                "type": d["type"],
                "schema_version": d["schema_version"],
                "occurred_at": d["occurred_at"],
                "producer": d["producer"],
                "trace_id": d["trace_id"],
                "payload": d["payload"],
            },
            default=to_jsonable_python,
            option=_WIRE,
        )

    @classmethod
    def from_bytes(cls, raw: bytes) -> Envelope:
        """Decode and validate an envelope and its payload; raises :class:`DecodeError`.

        A valid message is validated in one call, envelope and typed payload together
        (:func:`_typed_envelope`); anything that call rejects takes the step-by-step path
        below, which names the first thing wrong, as it always has."""
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise DecodeError("invalid_json", f"not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise DecodeError("invalid_envelope", "envelope must be a JSON object")
        kind = EVENT_TYPES.get(data["type"]) if type(data.get("type")) is str else None
        if kind is not None:
            try:
                whole = _typed_envelope(kind.payload).model_validate(data)
            except ValidationError:
                pass
            else:
                if whole.schema_version <= SCHEMA_VERSION:  # type: ignore[attr-defined]
                    return cls._assemble(whole, data["payload"])
        try:
            env = cls.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            raise DecodeError("invalid_envelope", f"{loc}: {err['msg']}", loc) from exc
        kind = EVENT_TYPES.get(env.type)
        if kind is None:
            raise DecodeError("unknown_type", f"unknown event type {env.type!r}", "type")
        if env.schema_version > SCHEMA_VERSION:
            raise DecodeError(
                "unsupported_version",
                f"schema_version {env.schema_version} is newer than {SCHEMA_VERSION}",
                "schema_version",
            )
        try:
            typed = kind.payload.model_validate(env.payload)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = "payload." + ".".join(str(p) for p in err["loc"])
            raise DecodeError("invalid_payload", f"{loc}: {err['msg']}", loc) from exc
        env.__pydantic_private__["_typed"] = (env.payload, typed)  # type: ignore[index]
        return env

    @classmethod
    def trusted(
        cls,
        *,
        type: str,
        producer: str,
        trace_id: str,
        occurred_at: datetime,
        payload: dict[str, Any],
        event_id: uuid.UUID | None = None,
    ) -> Self:
        """An envelope of values the caller built valid (the hot paths that build their own
        JSON-ready payload), not validated: what ``model_construct`` builds, without its
        per-field work, which would check again what the caller already made valid."""
        values = {
            "event_id": event_id or new_event_id(),
            "type": type,
            "schema_version": SCHEMA_VERSION,
            "occurred_at": occurred_at,
            "producer": producer,
            "trace_id": trace_id,
            "payload": payload,
        }
        return cls._built(values, None, None)

    @classmethod
    def _assemble(cls, whole: BaseModel, payload: dict[str, Any]) -> Self:
        """The envelope of a message :func:`_typed_envelope` validated: ``payload`` is the
        decoded JSON object itself, and its typed model is kept for :meth:`parsed`."""
        values = dict(whole.__dict__)
        typed = values["payload"]
        values["payload"] = payload
        return cls._built(values, set(whole.__pydantic_fields_set__), (payload, typed))

    @classmethod
    def _built(
        cls,
        values: dict[str, Any],
        fields_set: set[str] | None,
        typed: tuple[dict[str, Any], BaseModel] | None,
    ) -> Self:
        """An instance as ``model_construct`` leaves it, from complete ``values``."""
        env = constructed(cls, values, fields_set)
        object.__setattr__(env, "__pydantic_private__", {"_typed": typed})
        return env


@cache
def _typed_envelope(payload: type[BaseModel]) -> type[BaseModel]:
    """The envelope with ``payload`` typed: Envelope's own fields (same types, defaults and
    validators), so one ``model_validate`` checks a whole message. Against the envelope then
    the payload, it saves the envelope's copy of the payload dict, a second validation call
    and the private-attribute set-up."""
    fields: dict[str, Any] = {
        name: (info.annotation, info)
        for name, info in Envelope.model_fields.items()
        if name != "payload"
    }
    fields["payload"] = (payload, Field())
    return create_model(
        f"{payload.__name__}Envelope",
        __base__=Frozen,
        __validators__={"_utc": field_validator("occurred_at")(lambda v: as_utc(v))},
        **fields,
    )


def make_event(
    type_: str, payload: BaseModel, *, producer: str, trace_id: str | None = None
) -> Envelope:
    """Wrap a typed payload in a new envelope (checks the type/payload pairing)."""
    kind = EVENT_TYPES[type_]
    if not isinstance(payload, kind.payload):
        raise TypeError(f"{type_} takes {kind.payload.__name__}, not {type(payload).__name__}")
    return Envelope(
        type=type_,
        producer=producer,
        trace_id=trace_id or uuid.uuid4().hex,
        payload=payload.model_dump(mode="json"),
    )


def event_key(env: Envelope) -> str:
    """The partition key of each topic: order is kept per conversation (posts, cases) or case."""
    p = env.payload
    if env.type == "post.received":
        return str(p["post"]["thread_id"])
    if env.type.startswith("case."):
        return str(p["thread_id"])
    if env.type.startswith("reply."):
        return str(p["case_id"])
    if env.type.startswith("alert."):
        return str(p["subject"])
    return str(p.get("source", "unknown"))
